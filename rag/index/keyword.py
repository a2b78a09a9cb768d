"""Okapi BM25 over pre-tokenised chunks, held as arrays rather than Python objects.

At national scale (issue 25: 3,000 plans, ~100,000 clauses) the tokens held as one list of strings per clause
cost ~25 MB per 1,000 clauses and most of the load time (a JSON parse of every token). Here the tokens are one
int32 array of term ids (clause i owns ids[offsets[i]:offsets[i + 1]], in reading order) plus the vocabulary,
stored in keyword.npz; term frequencies are (row, term, tf) triples computed with numpy, so loading 100,000
clauses creates no per-clause object at all. The file also holds each clause's embed hash, so that the next build
reuses the tokens of every unchanged clause instead of running the tokenizer over the whole corpus again.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import numpy as np


class TokenRows:
    """The token list of clause i, decoded from the id array on demand (a read-only sequence)."""

    def __init__(self, vocab: list[str], ids: np.ndarray, offsets: np.ndarray):
        self.vocab, self.ids, self.offsets = vocab, ids, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> list[str]:
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        v = self.vocab
        return [v[t] for t in self.ids[self.offsets[i] : self.offsets[i + 1]].tolist()]

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def encode(docs: list[list[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(vocabulary, ids, offsets) of token lists."""
    term_id: dict[str, int] = {}
    ids = [term_id.setdefault(t, len(term_id)) for d in docs for t in d]
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(d) for d in docs])
    return list(term_id), np.array(ids, dtype=np.int32), offsets


def term_pairs(
    n_terms: int, ids: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, terms, tfs): one triple per (clause, term) present, sorted by clause then term."""
    rows = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
    keys, tf = np.unique(rows * max(n_terms, 1) + ids, return_counts=True)
    return keys // max(n_terms, 1), keys % max(n_terms, 1), tf


class BM25:
    """Okapi BM25 with the corpus-wide IDF. `p_row`, `p_term`, `p_tf`: one triple per (clause, term) present,
    sorted by clause then term, or as stored (by region, then term) — what region-first retrieval partitions
    (rag/retrieval/retriever.py)."""

    def __init__(
        self,
        docs: list[list[str]] | None = None,
        k1: float = 1.2,
        b: float = 0.75,
        *,
        coded=None,
        pairs=None,
        groups=None,
    ):
        self.k1, self.b = k1, b
        self.groups = groups  # (region names, where each one's pairs start) as stored, or None
        vocab, ids, offsets = coded if coded is not None else encode(docs or [])
        self.tokens = TokenRows(vocab, ids, offsets)
        n = len(offsets) - 1
        self.lens = np.diff(offsets).astype(np.float32)
        self.avgdl = float(self.lens.mean()) if n else 0.0
        p_row, p_term, p_tf = pairs if pairs is not None else term_pairs(len(vocab), ids, offsets)
        # as stored (int32 rows, 8/16-bit terms and counts): no copies of ten million pairs at load; a count is
        # widened to float32 where a score is computed (tf_float), so the arithmetic is the same as before
        self.p_row = p_row.astype(np.int32, copy=False)
        self.p_term = p_term if _small_uint(p_term) else p_term.astype(np.int32, copy=False)
        self.p_tf = p_tf if _small_uint(p_tf) else p_tf.astype(np.float32, copy=False)
        df = doc_freq(self.p_term, len(vocab))
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        self.term_id = {t: i for i, t in enumerate(vocab)}
        self.idf = dict(zip(vocab, idf.tolist()))
        self._by_term = None

    def norm(self) -> np.ndarray:
        """The length normalisation of every clause (k1 · (1 − b + b · len / avgdl))."""
        return (self.k1 * (1 - self.b + self.b * self.lens / max(self.avgdl, 1e-9))).astype(np.float32)

    def scores(self, query: list[str]) -> np.ndarray:
        """Every clause's score (a full scan; retrieval scores region by region instead)."""
        out = np.zeros(len(self.lens), dtype=np.float32)
        if self._by_term is None:
            order = np.argsort(self.p_term, kind="stable")
            self._by_term = (order, np.searchsorted(self.p_term[order], np.arange(len(self.term_id) + 1)))
        order, bounds = self._by_term
        norm = self.norm()
        for term in set(query):
            tid = self.term_id.get(term)
            if tid is None:
                continue
            sel = order[bounds[tid] : bounds[tid + 1]]
            rows, tf = self.p_row[sel], tf_float(self.p_tf[sel])
            out[rows] += self.idf[term] * tf * (self.k1 + 1) / (tf + norm[rows])
        return out


def _small_uint(a: np.ndarray) -> bool:
    return a.dtype.kind == "u" and a.itemsize <= 2


def tf_float(tf: np.ndarray) -> np.ndarray:
    """Term frequencies as float32, whatever their stored width: scores computed as with float32 storage."""
    return tf.astype(np.float32, copy=False)


def doc_freq(p_term: np.ndarray, n_terms: int, block: int = 1 << 20) -> np.ndarray:
    """How many clauses hold each term, counted a block of pairs at a time: np.bincount widens its input to
    int64, and one 120 MB temporary of fresh pages cost 0.8 s of a national cold start (issue 25)."""
    df = np.zeros(n_terms, dtype=np.int64)
    for a in range(0, len(p_term), block):
        df += np.bincount(p_term[a : a + block], minlength=n_terms)
    return df


def write(
    path: Path, docs: list[list[str]], hashes: list[str], tokenizer: str, groups: list[str] | None = None
) -> None:
    """keyword.npz: the tokens of every clause (ids + offsets + vocabulary) and the clause embed hashes, and
    the (clause, term, tf) pairs sorted by group (the clause's region) and term, the order region-first
    retrieval searches in: sorting ten million pairs is done once here, not at every start."""
    vocab, ids, offsets = encode(docs)
    p_row, p_term, p_tf = term_pairs(len(vocab), ids, offsets)
    seen: dict[str, int] = {}
    bounds = np.zeros(1, np.int64)
    if groups is not None and len(p_row):
        group = np.array([seen.setdefault(g, len(seen)) for g in groups], dtype=np.int64)
        order = np.lexsort((p_term, group[p_row]))
        p_row, p_term, p_tf = p_row[order], p_term[order], p_tf[order]
        bounds = np.concatenate(([0], np.cumsum(np.bincount(group[p_row], minlength=len(seen)))))
    buf = io.BytesIO()
    np.savez(
        buf,
        group_names=_json_bytes(
            list(seen)
        ),  # the groups in first-seen order, and where each one's pairs start
        group_bounds=bounds,
        ids=ids.astype(narrowest(len(vocab))),
        offsets=offsets,
        p_row=p_row.astype(np.int32),
        p_term=p_term.astype(narrowest(len(vocab))),
        p_tf=p_tf.astype(narrowest(int(p_tf.max()) + 1 if len(p_tf) else 0, np.float32)),
        vocab=_json_bytes(vocab),
        hashes=np.array(hashes, dtype="S32"),
        tokenizer=np.array(tokenizer),
    )
    path.write_bytes(buf.getvalue())


def narrowest(n_values: int, wide=np.int32) -> type:
    """The smallest unsigned type holding 0..n_values-1, else `wide`. Term ids (a few ten thousand words) and
    term frequencies fit in 16 bits: half of keyword.npz, and half the fresh memory a start must fault in (on
    this VM, first-touch pages cost more than the read itself, issue 25). Readers widen tf before arithmetic."""
    for kind in (np.uint8, np.uint16):
        if n_values <= np.iinfo(kind).max + 1:
            return kind
    return wide


def read(path: Path, with_pairs: bool = False):
    """((vocabulary, ids, offsets), clause hashes, tokenizer version, (rows, terms, tfs) or None) of a
    keyword.npz; the term pairs are read only when asked for (the next build needs only the tokens)."""
    z = _read_stored(path, () if with_pairs else ("p_row", "p_term", "p_tf"))
    hashes = [h.decode("ascii") for h in z["hashes"].tolist()]
    coded, pairs = _checked(z, len(hashes), with_pairs)
    return coded, hashes, str(z["tokenizer"]), pairs


def read_for_search(path: Path):
    """((vocabulary, ids, offsets), (rows, terms, tfs), groups) for answering: the clause hashes (a next build's
    business) are left unread; `groups` is (names, bounds) of the pairs' regions as stored, or None for files
    written before they were (then retrieval finds the bounds itself)."""
    z = _read_stored(path, ("hashes",))
    coded, pairs = _checked(z, len(z["offsets"]) - 1, True)
    groups = None
    if "group_names" in z and "group_bounds" in z:
        groups = (json.loads(z["group_names"].tobytes().decode("utf-8")), z["group_bounds"])
    return coded, pairs, groups


def _checked(z: dict, n_rows: int, with_pairs: bool):
    """(coded tokens, pairs or None) once their shapes agree with each other and with the `n_rows` clauses."""
    vocab = json.loads(z["vocab"].tobytes().decode("utf-8"))
    ids, offsets = z["ids"], z["offsets"]
    pairs = (z["p_row"], z["p_term"], z["p_tf"]) if with_pairs else None
    if len(offsets) != n_rows + 1 or (len(ids) and (ids.min() < 0 or ids.max() >= len(vocab))):
        raise ValueError("keyword.npz is inconsistent")
    if pairs is not None and (
        len(pairs[0]) != len(pairs[1])
        or len(pairs[1]) != len(pairs[2])
        or (len(pairs[0]) and (pairs[0].max() >= n_rows or pairs[1].max() >= len(vocab)))
    ):
        raise ValueError("keyword.npz term pairs are inconsistent")
    if len(offsets) and (offsets[0] != 0 or offsets[-1] != len(ids) or np.any(np.diff(offsets) < 0)):
        raise ValueError("keyword.npz offsets are inconsistent")
    return (vocab, ids, offsets), pairs


def _json_bytes(value) -> np.ndarray:
    return np.frombuffer(json.dumps(value, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)


def _read_stored(path: Path, skip=()) -> dict[str, np.ndarray]:
    """The arrays of an .npz, each read straight into its own buffer (np.fromfile at the member's offset).

    np.load copies every member through zipfile in 256 KB pieces and computes its CRC: 0.4-1 s for the 290 MB of
    a national index. The build writes the members uncompressed (np.savez), so each one is a plain .npy at a known
    offset. A compressed member (a file written otherwise) is read through np.load. Integrity is the manifest's
    business (sampled stamp on load, full SHA-256 in the background: integrity.py), not the zip CRC's."""
    out = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        for info in zf.infolist():
            name = info.filename.removesuffix(".npy")
            if name in skip:
                continue
            if info.compress_type != zipfile.ZIP_STORED:
                with np.load(path, allow_pickle=False) as z:
                    return {k: z[k] for k in z.files if k not in skip}
            out[name] = _read_member(fh, info)
    return out


def _read_member(fh, info: zipfile.ZipInfo) -> np.ndarray:
    """One uncompressed .npy member: its local header skipped, its array header parsed, its data read whole."""
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise ValueError(f"keyword.npz: bad zip entry {info.filename}")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    start = info.header_offset + 30 + name_len + extra_len
    fh.seek(start)
    version = np.lib.format.read_magic(fh)
    header = np.lib.format.read_array_header_2_0 if version >= (2, 0) else np.lib.format.read_array_header_1_0
    shape, fortran, dtype = header(fh)
    if dtype.hasobject:
        raise ValueError(f"keyword.npz: {info.filename} holds objects")
    count = int(np.prod(shape, dtype=np.int64))
    if fh.tell() - start + count * dtype.itemsize != info.file_size:
        raise ValueError(f"keyword.npz: {info.filename} has the wrong size")
    data = np.fromfile(fh, dtype=dtype, count=count)
    if data.size != count:
        raise ValueError(f"keyword.npz: {info.filename} is truncated")
    return data.reshape(shape, order="F" if fortran else "C")


class ReusableTokens:
    """Tokens of a finished build by clause hash, for the next build to reuse: empty when the file is missing,
    unreadable or made by another tokenizer (then everything is tokenized again, which is only slower)."""

    def __init__(self, path: Path | None, tokenizer: str):
        self.row: dict[str, int] = {}
        self.rows = TokenRows([], np.zeros(0, np.int32), np.zeros(1, np.int64))
        try:
            coded, hashes, made_by, _ = read(path) if path is not None else (None, [], "", None)
        except Exception:  # a missing, damaged or older file: nothing to reuse
            return
        if made_by == tokenizer:
            self.rows, self.row = TokenRows(*coded), {h: i for i, h in enumerate(hashes)}

    def get(self, text_hash: str) -> list[str] | None:
        i = self.row.get(text_hash)
        return None if i is None else self.rows[i]
