"""Reading and writing the FAISS vector files of a build, in one place so that the storage choice is one rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_all(path: Path) -> np.ndarray:
    """Every vector of a FAISS file as a float32 array (rows in insertion order)."""
    import faiss

    index = faiss.read_index(str(path))
    return np.asarray(index.reconstruct_n(0, index.ntotal), dtype=np.float32)
