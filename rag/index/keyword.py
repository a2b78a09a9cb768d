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
        self, docs: list[list[str]] | None = None, k1: float = 1.2, b: float = 0.75, *, coded=None, pairs=None
    ):
        self.k1, self.b = k1, b
        vocab, ids, offsets = coded if coded is not None else encode(docs or [])
        self.tokens = TokenRows(vocab, ids, offsets)
        n = len(offsets) - 1
        self.lens = np.diff(offsets).astype(np.float32)
        self.avgdl = float(self.lens.mean()) if n else 0.0
        p_row, p_term, p_tf = pairs if pairs is not None else term_pairs(len(vocab), ids, offsets)
        # int32 as stored: no copies of ten million pairs at load (numpy indexes with int32 as well)
        self.p_row, self.p_term = p_row.astype(np.int32, copy=False), p_term.astype(np.int32, copy=False)
        self.p_tf = p_tf.astype(np.float32, copy=False)
        df = np.bincount(self.p_term, minlength=len(vocab))
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
            rows, tf = self.p_row[sel], self.p_tf[sel]
            out[rows] += self.idf[term] * tf * (self.k1 + 1) / (tf + norm[rows])
        return out


def write(
    path: Path, docs: list[list[str]], hashes: list[str], tokenizer: str, groups: list[str] | None = None
) -> None:
    """keyword.npz: the tokens of every clause (ids + offsets + vocabulary) and the clause embed hashes, and
    the (clause, term, tf) pairs sorted by group (the clause's region) and term, the order region-first
    retrieval searches in: sorting ten million pairs is done once here, not at every start."""
    vocab, ids, offsets = encode(docs)
    p_row, p_term, p_tf = term_pairs(len(vocab), ids, offsets)
    if groups is not None and len(p_row):
        seen: dict[str, int] = {}
        group = np.array([seen.setdefault(g, len(seen)) for g in groups], dtype=np.int64)
        order = np.lexsort((p_term, group[p_row]))
        p_row, p_term, p_tf = p_row[order], p_term[order], p_tf[order]
    buf = io.BytesIO()
    np.savez(
        buf,
        ids=ids,
        offsets=offsets,
        p_row=p_row.astype(np.int32),
        p_term=p_term.astype(np.int32),
        p_tf=p_tf.astype(np.float32),
        vocab=np.frombuffer(json.dumps(vocab, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
        hashes=np.array(hashes, dtype="S32"),
        tokenizer=np.array(tokenizer),
    )
    path.write_bytes(buf.getvalue())


def read(path: Path, with_pairs: bool = False):
    """((vocabulary, ids, offsets), clause hashes, tokenizer version, (rows, terms, tfs) or None) of a
    keyword.npz; the term pairs are read only when asked for (the next build needs only the tokens)."""
    with np.load(path, allow_pickle=False) as z:
        vocab = json.loads(z["vocab"].tobytes().decode("utf-8"))
        ids, offsets = z["ids"], z["offsets"]
        hashes = [h.decode("ascii") for h in z["hashes"].tolist()]
        tokenizer = str(z["tokenizer"])
        pairs = (z["p_row"], z["p_term"], z["p_tf"]) if with_pairs else None
    if len(offsets) != len(hashes) + 1 or (len(ids) and (ids.min() < 0 or ids.max() >= len(vocab))):
        raise ValueError("keyword.npz is inconsistent")
    if pairs is not None and (
        len(pairs[0]) != len(pairs[1])
        or len(pairs[1]) != len(pairs[2])
        or (len(pairs[0]) and (pairs[0].max() >= len(hashes) or pairs[1].max() >= len(vocab)))
    ):
        raise ValueError("keyword.npz term pairs are inconsistent")
    if len(offsets) and (offsets[0] != 0 or offsets[-1] != len(ids) or np.any(np.diff(offsets) < 0)):
        raise ValueError("keyword.npz offsets are inconsistent")
    return (vocab, ids, offsets), hashes, tokenizer, pairs


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
