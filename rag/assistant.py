"""The Python API: Assistant.load(...).ask(question, region=None, history=(), lock_region=False) -> Answer,
.search(...) -> [Hit].

Orchestration only: input check -> question record (rag.question.record) -> region rule -> retrieval (once) -> the
composer of the question's kind (rag.answers.*) -> Answer.
"""

from __future__ import annotations

from pathlib import Path

from . import messages as M
from .answers import compare, fact, layered, listing, meta, national, premise, refuse, yesno
from .answers.common import Context
from .answers.gate import DENSE_GATE, Thresholds  # noqa: F401 - re-exported for calibration and tests
from .config import Settings, load_settings
from .eligibility import chat as eligibility_chat
from .embedders import get_embedder
from .errors import IndexProblem, RagError
from .index.store import LoadedIndex, load_index
from .ingest.seeds import load_documents
from .models import Answer, Document, Hit
from .question.lexicon import load_lexicon
from .question.record import Question, QuestionBuilder
from .question.regions import RegionDetector
from .question.validate import MAX_QUESTION_CHARS, check_question  # noqa: F401 - MAX_QUESTION_CHARS re-exported
from .retrieval.retriever import Retriever


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
        self.lexicon = load_lexicon(settings.seeds_dir)  # the one this assistant answers with
        self.lexicon.use_vocabulary(lambda: index.bm25.idf)  # the plans' words, for typos the lexicon lacks
        self.questions = QuestionBuilder(self.detector, self.docs, self.lexicon)
        self.retriever = Retriever(index, embedder, mode=mode)
        self.thresholds = thresholds or Thresholds.for_embedder(settings.embedder)
        self.idf = index.bm25.idf
        self._row = {c.id: i for i, c in enumerate(index.chunks)}
        self.table = getattr(index, "benefits", None)
        self.titles = tuple(d.title for d in self.docs.values())

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
        settings = settings or load_settings()
        if embedder:
            settings = settings.with_(embedder=embedder)
        if index_dir is not None:
            settings = settings.with_(index_root=Path(index_dir))
        emb = get_embedder(settings.embedder)
        index = load_index(settings, embedder_id=emb.id, dim=emb.dim, check_seeds=check_seeds)
        return cls(settings, index, emb, load_documents(settings.seeds_dir), mode=mode)

    # ---- the question record ------------------------------------------------------------------------
    def question(self, question: str, history=()) -> Question:
        """The checked question as one record (what the LLM writer and the evaluation read too)."""
        return self.questions.build(check_question(question), history)

    # ---- search -------------------------------------------------------------------------------------
    def search(self, question: str, region: str | None = None, k: int = 10) -> tuple[str | None, list[Hit]]:
        """(detected region slug or None, hits). A region named in the question is a hard filter."""
        q = self.question(question)
        regions = [self._check_region(region)] if region else list(q.regions) or None
        if not region and q.uncovered and not q.regions:
            return None, []
        hits = self.retriever.search(q.query, regions, k)
        return (regions[0] if regions and len(regions) == 1 else None), hits

    # ---- ask ----------------------------------------------------------------------------------------
    def ask(self, question: str, region: str | None = None, history=(), lock_region: bool = False) -> Answer:
        return self.ask_scored(self.question(question, history), region=region, lock_region=lock_region)[0]

    def ask_scored(self, q: Question, region: str | None = None, lock_region: bool = False):
        """(Answer, retrieval scores or None): the LLM writer reads the scores instead of retrieving again."""
        fault = getattr(getattr(self.index, "integrity", None), "fault", None)
        if (
            fault
        ):  # the full checksum after load found a damaged file: never answer from it (index/integrity.py)
            raise IndexProblem(fault)
        preset = self._check_region(region) if region else None
        if q.injection:
            return refuse.injection(q.raw), None
        if q.courtesy:
            return refuse.courtesy(q.raw, q.courtesy, self.docs), None
        if q.ambiguous and not national.preset_resolves(q, self.docs.get(preset)):  # 朝阳区: which one?
            return national.which_place(q), None
        slugs, notice = self._regions(q, preset, lock_region)
        if isinstance(slugs, Answer):
            return slugs, None
        if q.topic_empty:
            return refuse.which_topic(q.raw, slugs, self.docs), None
        if q.off_topic:
            return refuse.off_topic(q.raw, self.docs), None
        if not slugs and national.too_many(self.docs, self.settings):  # issue 16: never every region at scale
            scored = self.retriever.score_all(q.query)  # lazy: nothing is scored unless a region is ranked
            return national.without_place(self._context(q, scored)), scored
        scored = self.retriever.score_all(q.query)
        answer = self.compose(q, slugs or list(self.docs), scored)
        if notice and not answer.refused:
            answer.notice = notice
            answer.answer = notice + "\n" + answer.answer
        return answer, scored

    def _regions(self, q: Question, preset: str | None, lock: bool):
        """The region rule: a preset region is a default; a covered place named in the question wins (with a
        one-line notice); with the lock, a question about another place gets the lock notice and no answer."""
        named = [] if q.inherited_region else list(q.regions)
        if preset is None:
            if q.uncovered and not q.regions:
                return refuse.not_covered(q.raw, q.uncovered, self.docs), ""
            return list(q.regions), ""
        others = [s for s in named if s != preset]
        if lock:
            asked = [self.docs[s].name for s in others] + ([] if named else list(q.uncovered))
            if asked and preset not in named:
                return refuse.locked(q.raw, self.docs[preset], asked), ""
            return [preset], ""
        if others and preset not in named:
            names = "、".join(self.docs[s].name for s in named)
            return named, M.REGION_SWITCHED.format(region=names)
        if q.uncovered and not named and not q.inherited_region:
            return refuse.not_covered(q.raw, q.uncovered, self.docs), ""
        return (named or [preset]), ""

    def _context(self, q: Question, scored) -> Context:
        return Context(
            q,
            self.docs,
            self.retriever,
            scored,
            self.index,
            self.idf,
            self.thresholds,
            self._row,
            self.questions.lexicon,
            self.table,
        )

    def compose(self, q: Question, slugs: list[str], scored) -> Answer:
        """The composer of the question's form over the retrieval scores."""
        # a question about the plan itself (its date, issuer, number) is answered from documents.toml
        fields = meta.asked(q.said, self.titles) or meta.asked(q.topic, self.titles)
        if fields:
            return meta.compose(q.raw, fields, slugs, self.docs)
        many = len(slugs) > 1
        if not many and not q.benefits and eligibility_chat.asks_everything(q.topic):
            # 我在青岛二胎刚生，我们都上班，能享受哪些: the family's items (rag/eligibility/chat.py)
            routed = eligibility_chat.compose(self, q.raw, q.topic, slugs[0])
            if routed is not None:
                return routed
        ctx = self._context(q, scored)
        if q.form != "list" and layered.is_chain(slugs, self.detector.ancestors):  # one place, several levels
            answer = layered.compose(ctx, slugs)
            if answer is not None:
                return answer
        trap = None if many else yesno.misused(ctx)  # 我是男的…我能休几天产假: the benefit meant instead
        if trap is not None and premise.asserted(ctx.q.topic) is not None:
            # 我是孩子他爸…我也能休180天产假吗: the figure is the mother's, never confirmed for the father
            misused = yesno.compose_misused(ctx, slugs[0], trap)
            if misused is not None:
                return misused
        checked = None if many else premise.compose(ctx, slugs[0])  # 是不是20天: the figure checked first
        if checked is not None:
            return checked
        if q.form == "compare" and many:
            return compare.compose(ctx, slugs)
        if q.form == "list":
            return listing.compose_many(ctx, slugs) if many else listing.compose(ctx, slugs[0])
        if q.form == "yesno":
            return yesno.compose_many(ctx, slugs) if many else yesno.compose(ctx, slugs[0])
        # only where another benefit is meant (产假 -> 陪产假): a 几天 question is still owed a figure
        misused = yesno.compose_misused(ctx, slugs[0], trap) if trap is not None and trap[2] else None
        if misused is not None:
            return misused
        return fact.multi(ctx, slugs) if many else fact.single(ctx, slugs[0])

    def _check_region(self, region: str) -> str:
        if region not in self.docs:
            raise RagError(M.UNKNOWN_REGION.format(region=region, choices=", ".join(self.docs)))
        return region

    def stream(self, question: str, region: str | None = None, history=(), lock_region: bool = False):
        """Text pieces (str) as they are ready, then the final Answer. Extractive answers are ready at once."""
        yield from stream_answer(self.ask(question, region=region, history=history, lock_region=lock_region))


def stream_answer(answer: Answer, piece: int = 12):
    """Yields the answer text in small pieces, then the Answer itself: the streaming protocol of every answerer."""
    for i in range(0, len(answer.answer), piece):
        yield answer.answer[i : i + piece]
    yield answer
