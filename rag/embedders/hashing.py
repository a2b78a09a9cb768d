"""A deterministic character-bigram hashing embedder: no model, for fast plumbing tests only."""

from __future__ import annotations

import hashlib

import numpy as np

from .base import Embedder


class HashEmbedder(Embedder):
    name = "hash"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    @property
    def id(self) -> str:
        return f"hash-bigram-{self.dim}"

    def embed_batch(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:]):
                h = int.from_bytes(hashlib.blake2b((a + b).encode(), digest_size=4).digest(), "little")
                out[row, h % self.dim] += 1.0
        out[~out.any(axis=1), 0] = 1.0
        return out
