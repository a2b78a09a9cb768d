"""Region-filtered hybrid retrieval: dense (FAISS) and keyword (BM25) scores fused.

Fusion was chosen on the gold set (eval/README.md): a weighted sum of the dense score (min-max scaled within
the candidate region) and the BM25 score (scaled by its maximum) beat reciprocal-rank fusion by ~4 points of
Recall@1 (the RRF branch was removed once that was settled).

Region first (issue 16): the index is partitioned by region at load time (each region's rows, a view of the
dense vectors, per-region keyword postings). `score_all` returns a lazy Scored; a region's clauses are scored the
first time a composer ranks that region, so a question about one region costs the same with 5 plans or 300.
Keyword scores use the corpus-wide IDF and length norm, so a region's scores are exactly those a full scan gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..index.keyword import tf_float
from ..index.store import LoadedIndex
from ..ingest.roles import section_weight
from ..models import Hit
from ..question.query import Query

MODES = ("dense", "bm25", "hybrid")


@dataclass
class Scored:
    """Per-chunk evidence kept for the answerer's relevance decision. Rows of a region hold scores once that
    region has been ranked (`regions`); Retriever.rank fills a region before reading it."""

    dense: np.ndarray
    keyword: np.ndarray
    query_vector: np.ndarray | None = None
    tokens: tuple[str, ...] = ()
    regions: set = field(default_factory=set)  # regions whose rows are scored


class Partitions:
    """Per-region rows, a zero-copy view of the dense vectors, and keyword postings sorted by (region, term):
    one flat array of (term id, row, tf) triples, so a region's postings of a term are one binary search away
    and building them is a single pass over the corpus (no per-term objects for hundreds of regions)."""

    def __init__(self, index: LoadedIndex):
        region_of: dict[str, int] = {}
        row_region = np.array([region_of.setdefault(c.slug, len(region_of)) for c in index.chunks], np.int32)
        order = np.argsort(row_region, kind="stable")
        cuts = np.searchsorted(row_region[order], np.arange(len(region_of) + 1))
        self.rows = {s: order[cuts[i] : cuts[i + 1]] for s, i in region_of.items()}
        self.matrix = _matrix(index.vectors) if len(row_region) else None
        bm25 = index.bm25
        self.norm = bm25.norm() if len(row_region) else np.zeros(0, dtype=np.float32)
        self.term_id = bm25.term_id
        self.p_term, self.p_row, self.p_tf = bm25.p_term, bm25.p_row, bm25.p_tf
        bounds = _as_stored(getattr(bm25, "groups", None), region_of, len(self.p_row))
        if bounds is None:  # a build before the bounds were stored: found in one pass over the pairs
            bounds = stored_bounds(row_region, self.p_row, self.p_term, len(region_of))
        if bounds is None:  # not stored sorted by (region, term), as builds before issue 25: sorted here
            bounds = self._sort(row_region, len(region_of))
        self.span = {s: (int(bounds[i]), int(bounds[i + 1])) for s, i in region_of.items()}

    def _sort(self, row_region: np.ndarray, n_regions: int) -> np.ndarray:
        """Sorts the pairs by (region, term) and returns where each region's pairs start."""
        reg = row_region.astype(np.int64)[self.p_row]
        order = np.argsort(reg * max(len(self.term_id), 1) + self.p_term, kind="stable")
        reg, self.p_term, self.p_row, self.p_tf = (
            reg[order],
            self.p_term[order],
            self.p_row[order],
            self.p_tf[order],
        )
        return np.searchsorted(reg, np.arange(n_regions + 1))

    def postings(self, region: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, term frequencies) of `term` in `region`'s clauses, None when none has it."""
        tid = self.term_id.get(term)
        if tid is None or region not in self.span:
            return None
        a, b = self.span[region]
        lo = a + int(np.searchsorted(self.p_term[a:b], tid, "left"))
        hi = a + int(np.searchsorted(self.p_term[a:b], tid, "right"))
        return (self.p_row[lo:hi], self.p_tf[lo:hi]) if hi > lo else None


def _as_stored(groups, region_of: dict[str, int], n_pairs: int) -> np.ndarray | None:
    """The region bounds keyword.npz stores (keyword.write), when they are for these regions in this order."""
    if groups is None:
        return None
    names, bounds = groups
    if names != list(region_of) or len(bounds) != len(names) + 1 or (len(bounds) and bounds[-1] != n_pairs):
        return None
    return bounds if not len(bounds) or (bounds[0] == 0 and np.all(np.diff(bounds) >= 0)) else None


def stored_bounds(
    row_region: np.ndarray, p_row: np.ndarray, p_term: np.ndarray, n_regions: int, block: int = 1 << 20
) -> np.ndarray | None:
    """Where each region's pairs start (n_regions + 1 offsets) when the pairs are sorted by (region, term), as
    builds store them; None otherwise. Checked a block at a time: the region of every pair as one array
    (int64, 120 MB at 15 million pairs) plus the sort key cost ~0.6-2.5 s of fresh memory at each start."""
    counts = np.zeros(n_regions, dtype=np.int64)
    last_region, last_term = -1, -1
    for a in range(0, len(p_row), block):
        reg = row_region[p_row[a : a + block]]
        term = p_term[a : a + block].astype(np.int32)
        step = np.diff(reg, prepend=np.int32(last_region))
        if np.any(step < 0) or np.any(np.diff(term, prepend=np.int32(last_term))[step == 0] < 0):
            return None
        counts += np.bincount(reg, minlength=n_regions)
        last_region, last_term = int(reg[-1]), int(term[-1])
    return np.concatenate(([0], np.cumsum(counts)))


def _matrix(vectors) -> np.ndarray:
    """The flat index's vectors as an (n, d) float32 array: a view of FAISS's own buffer when it allows, so the
    dense scores of one region are one small matrix product and nothing is copied."""
    try:
        import faiss

        return faiss.rev_swig_ptr(vectors.get_xb(), vectors.ntotal * vectors.d).reshape(
            vectors.ntotal, vectors.d
        )
    except Exception:  # another index type: one copy
        return vectors.reconstruct_n(0, vectors.ntotal)


class Retriever:
    def __init__(
        self,
        index: LoadedIndex,
        embedder,
        mode: str = "hybrid",
        alpha: float = 0.6,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.index, self.embedder, self.mode = index, embedder, mode
        self.alpha = alpha
        self.slugs = np.array([c.slug for c in index.chunks])
        self.parts = Partitions(index)
        # 附则 / 保障措施 clauses rank below the items that grant what is asked (rag/data/sections.toml)
        sections = [c.section for c in index.chunks]
        memo = {x: section_weight(x) for x in set(sections)}  # a few hundred headings for 100,000 clauses
        self.weight = np.array([memo[x] for x in sections], dtype=np.float32)

    def score_all(self, query: Query) -> Scored:
        """The question's scores, lazily: the query is embedded once here; each region is scored when ranked."""
        n = len(self.index.chunks)
        qv = self.embedder.encode_query([query.text]) if n else None
        z = np.zeros(n, dtype=np.float32)
        return Scored(z, z.copy(), qv[0] if qv is not None else None, tuple(query.tokens))

    def fill(self, scored: Scored, regions) -> None:
        """Scores the rows of `regions` not scored yet: cost proportional to those regions' clauses only."""
        todo = [r for r in regions if r not in scored.regions and r in self.parts.rows]
        if not todo:
            return
        parts = self.parts
        if self.mode != "bm25" and scored.query_vector is not None:
            for r in todo:
                rows = parts.rows[r]
                scored.dense[rows] = parts.matrix[rows] @ scored.query_vector
        idf = self.index.bm25.idf
        k1 = self.index.bm25.k1
        for term in set(scored.tokens):
            w = idf.get(term)
            if w is None:
                continue
            for r in todo:
                p = parts.postings(r, term)
                if p is not None:
                    rows, tf = p[0], tf_float(p[1])
                    scored.keyword[rows] += w * tf * (k1 + 1) / (tf + parts.norm[rows])
        scored.regions.update(todo)

    def search(self, query: Query, regions: list[str] | None = None, k: int = 10) -> list[Hit]:
        scored = self.score_all(query)
        return self.rank(scored, regions, k)

    def rank(self, scored: Scored, regions: list[str] | None, k: int) -> list[Hit]:
        wanted = (
            [r for r in dict.fromkeys(regions) if r in self.parts.rows] if regions else list(self.parts.rows)
        )
        self.fill(scored, wanted)
        cand = np.sort(np.concatenate([self.parts.rows[r] for r in wanted])) if wanted else np.zeros(0, int)
        if not len(cand):
            return []
        if self.mode == "dense":
            fused = scored.dense[cand]
        elif self.mode == "bm25":
            fused = scored.keyword[cand]
        else:
            d, kw = scored.dense[cand], scored.keyword[cand]
            span = float(d.max() - d.min())
            dn = (d - d.min()) / span if span > 1e-9 else np.zeros_like(d)
            fused = self.alpha * dn + (1 - self.alpha) * kw / max(float(kw.max()), 1e-9)
        if len(self.weight):
            fused = np.where(fused > 0, fused * self.weight[cand], fused)
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(self.index.chunks[cand[i]], float(fused[i]), rank=r + 1) for r, i in enumerate(order)]
