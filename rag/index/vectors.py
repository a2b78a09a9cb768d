"""Reading and writing the FAISS vector files of a build: the storage type and the sharing rule live here.

Vectors are stored as float32 (IndexFlatIP) or float16 (IndexScalarQuantizer QT_fp16, half the bytes; the
choice was measured on the gold set, see bench/results/vectors.md).

Files are read whole into memory by default, and never touched again: a serving process must not die because
a file under it changed. Memory-mapped, a build file truncated or rewritten in place while serving killed
every worker with SIGBUS on its next search, with nothing logged (issue 28). The vectors of the shipped plans
are about 1 MB per process. `RAG_INDEX_MMAP=1` maps them instead (IO_FLAG_MMAP_IFC: N workers share one copy in
the page cache), for an index large enough to matter — then build files must only ever be replaced by a new
build directory (as `rag index` does), never edited in place.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

from ..errors import RagError

DTYPES = ("float32", "float16")
DEFAULT_DTYPE = "float32"
BAD_DTYPE = "未知的向量存储类型 {dtype!r}：可选 float32 或 float16。"


def new_index(dim: int, dtype: str):
    """An empty inner-product index storing vectors as `dtype`."""
    import faiss

    if dtype == "float16":
        return faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    if dtype == "float32":
        return faiss.IndexFlatIP(dim)
    raise ValueError(BAD_DTYPE.format(dtype=dtype))


def write(path: Path, vectors: np.ndarray, dim: int, dtype: str) -> None:
    import faiss

    index = new_index(dim, dtype)
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(index, str(path))


def read(path: Path, mmap: bool | None = None):
    """The FAISS index at `path`, in memory; memory-mapped (shared between processes) with mmap=True or
    RAG_INDEX_MMAP=1 (see the module docstring for the risk)."""
    import faiss

    if mmap is None:
        mmap = os.environ.get("RAG_INDEX_MMAP", "").strip() == "1"
    return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC) if mmap else faiss.read_index(str(path))


class _Mapping:
    """Exposes FAISS-owned memory to numpy and keeps the FAISS index alive for as long as any array uses it.

    numpy collapses chains of ndarray views to the first non-array base, so the owner must be that base: an
    object with __array_interface__, not an ndarray subclass (whose link numpy would skip)."""

    def __init__(self, address: int, shape: tuple[int, int], dtype: np.dtype, owner: object) -> None:
        self.__array_interface__ = {
            "data": (address, True),  # read-only
            "shape": shape,
            "typestr": dtype.str,
            "version": 3,
        }
        self.owner = owner


def as_array(index, dtype: str) -> np.ndarray:
    """The stored vectors of a flat index as a read-only (ntotal, d) array of `dtype`, without copying them."""
    import faiss

    n, d, kind = index.ntotal, index.d, np.dtype(dtype)
    if n == 0:
        return np.zeros((0, d), dtype=kind)
    codes = index.codes
    if codes.size() != n * d * kind.itemsize:
        raise ValueError(f"{codes.size()} bytes of codes for {n}×{d} {dtype}")
    address = faiss.rev_swig_ptr(codes.data(), codes.size()).ctypes.data
    return np.asarray(_Mapping(address, (n, d), kind, index))


def read_rows(path: Path, dtype: str, d: int) -> np.ndarray:
    """The vectors of `path` as a read-only (n, d) array: read into memory (read_flat), or with RAG_INDEX_MMAP=1
    the mapped array (shared between workers, see the module docstring)."""
    if os.environ.get("RAG_INDEX_MMAP", "").strip() == "1":
        return as_array(read(path, mmap=True), dtype)
    return read_flat(path, dtype, d)


def read_all(path: Path) -> np.ndarray:
    """Every vector of a FAISS file as a float32 array (rows in insertion order), a private copy."""
    index = read(path, mmap=False)
    return np.asarray(index.reconstruct_n(0, index.ntotal), dtype=np.float32)


def configured_dtype(settings, override: str | None = None) -> str:
    """--vectors, else RAG_VECTOR_DTYPE, else [index] vector_dtype in rag.toml, else float32."""
    import os

    extra = getattr(settings, "extra", {}) or {}
    section = extra.get("index", {}) if isinstance(extra.get("index", {}), dict) else {}
    dtype = override or os.environ.get("RAG_VECTOR_DTYPE") or section.get("vector_dtype") or DEFAULT_DTYPE
    if dtype not in DTYPES:
        raise RagError(BAD_DTYPE.format(dtype=dtype))
    return dtype


# fourcc of the flat indexes a build writes: their codes end the file, after their length counted in units of
# this many bytes (IndexFlatIP writes float32 values, IndexScalarQuantizer fp16 writes bytes)
_FLAT = {b"IxFI": 4, b"IxSQ": 1}
_PIECE = 1 << 30  # bytes per read call (Linux returns at most ~2 GB from one)


def read_flat(path: Path, dtype: str, d: int) -> np.ndarray:
    """The vectors of a flat FAISS file as a private, read-only (n, d) array of `dtype`, read straight into it.

    faiss.read_index zero-fills a std::vector and then copies the file into it: two passes over 334 MB of fresh
    pages for the sentence vectors of a national index (issue 25). Here the header is checked (fourcc, d, ntotal,
    the codes' length prefix) and the codes are read once into an empty array. In memory, like read(): a file
    truncated or rewritten later cannot hurt a serving process (issue 28)."""
    kind = np.dtype(dtype)
    with open(path, "rb") as fh:
        size, head = os.fstat(fh.fileno()).st_size, fh.read(16)
        unit = _FLAT.get(head[:4]) if len(head) == 16 else None
        dim, n = struct.unpack("<iq", head[4:16]) if unit else (None, -1)
        start = size - max(n, 0) * d * kind.itemsize
        if dim != d or n < 0 or start < 24:
            raise ValueError(f"{Path(path).name} is not a flat index of {d}-dimensional {dtype} vectors")
        fh.seek(start - 8)
        if fh.read(8) != struct.pack("<Q", n * d * kind.itemsize // unit):
            raise ValueError(f"{Path(path).name}: the vectors do not end the file")
        out = np.empty((n, d), dtype=kind)
        flat = memoryview(out).cast("B")
        for a in range(0, len(flat), _PIECE):
            if fh.readinto(flat[a : a + _PIECE]) != min(_PIECE, len(flat) - a):
                raise ValueError(f"{Path(path).name} is shorter than its header says")
    out.flags.writeable = False
    return out
