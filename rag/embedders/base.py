"""The embedder interface: one abstract batch method; queries and passages are encoded separately."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class Embedder(ABC):
    name: str = "embedder"
    dim: int = 0
    batch_size: int = 32

    @property
    def id(self) -> str:
        """Recorded in the index manifest: a different id means the vectors are not comparable."""
        return self.name

    @abstractmethod
    def embed_batch(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        """float32 array (len(texts), dim), rows L2-normalised."""

    def encode_query(self, texts: list[str]) -> np.ndarray:
        return self._batched(texts, True)

    def encode_passage(self, texts: list[str]) -> np.ndarray:
        return self._batched(texts, False)

    def _batched(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self.embed_batch(texts[i : i + self.batch_size], is_query=is_query)
            for i in range(0, len(texts), self.batch_size)
        ]
        return l2_normalize(np.vstack(parts).astype(np.float32, copy=False))


def l2_normalize(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)
