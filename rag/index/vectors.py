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
import weakref
from pathlib import Path

import numpy as np

from ..errors import IndexProblem, RagError
from .integrity import DAMAGED

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


def read_rows(path: Path, dtype: str, d: int):
    """The vectors of `path` for slicing by row: StoredRows (read on demand), or with RAG_INDEX_MMAP=1 the
    mapped array as before (shared between workers, see the module docstring)."""
    if os.environ.get("RAG_INDEX_MMAP", "").strip() == "1":
        return as_array(read(path, mmap=True), dtype)
    return StoredRows(path, dtype, d)


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


class StoredRows:
    """The vectors of a flat FAISS file as a read-only (n, d) array whose rows are read when sliced (pread).

    Why: sentences.faiss is 334 MB at national scale and a question reads the sentence rows of a few clauses;
    reading it whole cost 0.3-1.3 s of every cold start (the fresh pages, more than the copy) and a third of the
    resident memory. Not memory-mapped (issue 28: a file truncated under a mapping kills the process with SIGBUS):
    a short read is an IndexProblem naming the file instead. The file stays open, so a build pruned after load
    still reads; its bytes are checked like every build file (sampled on load, hashed whole in the background).
    Anything but a row slice (np.asarray, fancy indexing) reads every row."""

    def __init__(self, path: Path, dtype: str, d: int):
        self.dtype, self.name = np.dtype(dtype), Path(path).name
        self._row = d * self.dtype.itemsize
        fd = os.open(path, os.O_RDONLY)
        self._finalizer = weakref.finalize(self, os.close, fd)
        self._fd, size, head = fd, os.fstat(fd).st_size, os.pread(fd, 16, 0)
        unit = _FLAT.get(head[:4]) if len(head) == 16 else None
        dim, n = struct.unpack("<iq", head[4:16]) if unit else (None, 0)
        self.shape, self._start = (n, d), size - n * self._row
        if dim != d or n < 0 or self._start < 24:
            raise ValueError(f"{Path(path).name} is not a flat index of {d}-dimensional {dtype} vectors")
        if os.pread(fd, 8, self._start - 8) != struct.pack("<Q", n * self._row // unit):
            raise ValueError(f"{Path(path).name}: the vectors do not end the file")

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def ndim(self) -> int:
        return 2

    def rows(self, a: int, b: int) -> np.ndarray:
        """Rows a:b (clipped like a slice) as a fresh read-only array."""
        a, b, _ = slice(a, b).indices(self.shape[0])
        n = max(0, b - a)
        out = np.empty((n, self.shape[1]), dtype=self.dtype)
        if n and _pread_into(self._fd, out, self._start + a * self._row) != n * self._row:
            raise IndexProblem(DAMAGED.format(name=self.name, hint="请运行 `rag index` 重建索引。"))
        out.flags.writeable = False
        return out

    def __getitem__(self, key):
        first, rest = (key[0], key[1:]) if isinstance(key, tuple) and key else (key, ())
        if isinstance(first, slice) and first.step in (None, 1):
            got = self.rows(first.start or 0, self.shape[0] if first.stop is None else first.stop)
        elif isinstance(first, (int, np.integer)) and not isinstance(first, bool):
            i = int(first) + (self.shape[0] if first < 0 else 0)
            if not 0 <= i < self.shape[0]:
                raise IndexError(first)
            got = self.rows(i, i + 1)[0]
        else:
            return np.asarray(self)[key]
        return got[rest] if rest else got

    def __setitem__(self, key, value):
        raise ValueError("assignment destination is read-only")

    def __array__(self, dtype=None, copy=None):
        got = self.rows(0, self.shape[0])
        return got if dtype is None else got.astype(dtype)

    def astype(self, dtype) -> np.ndarray:
        return np.asarray(self, dtype=dtype)


def _pread_into(fd: int, out: np.ndarray, offset: int) -> int:
    """Reads out.nbytes bytes at `offset` into `out`; the number read (short at the end of a truncated file)."""
    if hasattr(os, "preadv"):
        return os.preadv(fd, [memoryview(out).cast("B")], offset)
    got = os.pread(fd, out.nbytes, offset)
    out.reshape(-1).view(np.uint8)[: len(got)] = np.frombuffer(got, np.uint8)
    return len(got)
