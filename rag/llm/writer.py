"""LLMAssistant: the extractive Assistant decides (region, retrieval, refusal); a chat model only rewrites the answer.

ask(): injection guard -> extractive answer (refused? return it, no model call) -> the clauses it cites, plus the
next hits of the same region(s), numbered and wrapped as data -> model reply within the budget -> checks (every
[n] is a given clause, every number occurs in the clauses it cites, at least one citation) -> the reply with its
citations renumbered 1..k, or, on any failure, the extractive answer and a logging.warning with the reason.
stream(): the same, then the checked text in pieces and the Answer. The reply is buffered and checked before
anything is released, so unverified numbers are never shown (see docs/llm.md).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from ..assistant import stream_answer
from ..config import Settings
from ..ingest.chunker import split_sentences
from ..messages import DRAFT_NOTE
from ..models import Answer, Hit
from ..question.guard import REFUSAL, injection
from ..question.record import QuestionBuilder
from ..question.validate import check_question
from .checks import Verdict, check_reply, numbers
from .client import LLMFailure, generate, make_chat
from .prompts import as_data, format_clauses, load_prompt, render

log = logging.getLogger("rag.llm")
PROMPT = "answer.v1"


class LLMAssistant:
    """Same interface as Assistant: ask, stream, search, docs; .assistant is the extractive one."""

    def __init__(
        self,
        assistant,
        settings: Settings,
        *,
        prompt: str = PROMPT,
        budget: float | None = None,
        chat=None,
        extra_per_region: int = 2,
        max_clauses: int = 8,
    ):
        self.assistant, self.settings, self.prompt = assistant, settings, prompt
        self.budget = float(budget if budget is not None else settings.llm_timeout) or 15.0
        self.system = load_prompt(f"{prompt}.system", settings.root)
        self.template = load_prompt(f"{prompt}.user", settings.root)
        self.context_template = load_prompt(f"{prompt}.context", settings.root)
        self.chat = chat if chat is not None else make_chat(settings, self.budget)
        self.extra_per_region, self.max_clauses = extra_per_region, max_clauses

    # ---- pass-through -------------------------------------------------------------------------------
    @property
    def docs(self):
        return self.assistant.docs

    @property
    def index(self):
        return self.assistant.index

    @property
    def embedder(self):
        return self.assistant.embedder

    def __getattr__(self, name):  # retriever, detector, thresholds … of the extractive assistant
        if name == "assistant":
            raise AttributeError(name)
        return getattr(self.assistant, name)

    def search(self, question: str, region: str | None = None, k: int = 10):
        return self.assistant.search(question, region=region, k=k)

    # ---- answers ------------------------------------------------------------------------------------
    def ask(self, question: str, region: str | None = None, history=(), lock_region: bool = False) -> Answer:
        base, job = self._prepare(question, region, history, lock_region)
        return base if job is None else self._write(base, *job, streaming=False)

    def stream(self, question: str, region: str | None = None, history=(), lock_region: bool = False):
        """Text pieces, then the final Answer; the pieces are released only after the reply passed the checks."""
        base, job = self._prepare(question, region, history, lock_region)
        yield from stream_answer(base if job is None else self._write(base, *job, streaming=True))

    # ---- steps --------------------------------------------------------------------------------------
    def _prepare(self, question, region, history, lock_region=False):
        """(final answer, None) when the model is not to be asked, else (extractive answer, (clauses, messages))."""
        if isinstance(question, str) and injection(question):
            log.warning("prompt injection refused: %.80r", question)
            return refused(question), None
        q = self._question(question, history)
        if q.injection:  # an attack carried over from an earlier turn
            log.warning("prompt injection (from history) refused: %.80r", q.text)
            return refused(question), None
        if hasattr(self.assistant, "ask_scored"):
            base, scored = self.assistant.ask_scored(q, region=region, lock_region=lock_region)
        else:  # any object with the Assistant's ask() (test doubles, wrappers)
            base, scored = self.assistant.ask(question, region=region, history=history), None
        if base.refused or not base.citations or base.kind == "meta":  # a plan's record needs no rewording
            return base, None
        if scored is None and self.extra_per_region > 0:
            scored = self.assistant.retriever.score_all(q.query)
        clauses = self._clauses(base, scored)
        return base, (clauses, self._messages(question, q, clauses))

    def _question(self, question, history):
        """The question record the extractive assistant builds (one normalisation for both answerers)."""
        build = getattr(self.assistant, "question", None)
        if callable(build):
            return build(question, history)

        return QuestionBuilder(self.assistant.detector, self.assistant.docs).build(
            check_question(question), history
        )

    def _clauses(self, base: Answer, scored) -> list[Hit]:
        hits = list(base.citations)
        extra = self.extra_per_region if len(base.regions) <= 1 else 1
        if extra <= 0 or len(hits) >= self.max_clauses:
            return hits
        seen = {h.chunk.id for h in hits}
        try:
            retriever = self.assistant.retriever
            for slug in base.regions:
                added = 0
                for h in retriever.rank(scored, [slug], extra + 3):
                    if added >= extra or len(hits) >= self.max_clauses:
                        break
                    if h.chunk.id not in seen:
                        seen.add(h.chunk.id)
                        hits.append(h)
                        added += 1
        except Exception as exc:  # noqa: BLE001 - extra context is optional
            log.warning("extra clauses skipped: %s", exc)
        return hits

    def _messages(self, question: str, q, clauses: list[Hit]):
        from langchain_core.messages import HumanMessage, SystemMessage

        context = ""
        if q.followup or q.fixes:
            docs = self.assistant.docs
            names = " ".join(docs[s].region_name for s in q.regions if s in docs)
            standalone = f"{names} {q.text}" if q.followup and names else q.text
            context = render(self.context_template, standalone=as_data(" ".join(standalone.split())))
        user = render(
            self.template,
            clauses=format_clauses(clauses),
            question=as_data(question.strip()),
            context=context,
        )
        return [SystemMessage(content=self.system), HumanMessage(content=user)]

    def _write(self, base: Answer, clauses: list[Hit], messages, *, streaming: bool) -> Answer:
        try:
            reply = generate(self.chat, messages, self.budget, streaming=streaming)
        except LLMFailure as exc:
            return self._fallback(base, f"model call failed: {exc}")
        try:
            texts = [f"{h.chunk.doc_title}\n{h.chunk.section}\n{h.chunk.text}" for h in clauses]
            verdict = check_reply(reply, texts, self.system)
            if not verdict.ok:
                return self._fallback(base, f"{verdict.reason}; reply: {reply[:160]!r}")
            return self._compose(base, clauses, verdict)
        except Exception as exc:  # noqa: BLE001 - a bug here must not cost the user the extractive answer
            log.exception("checking the model's reply failed")
            return self._fallback(base, f"check failed: {type(exc).__name__}: {exc}")

    def _fallback(self, base: Answer, reason: str) -> Answer:
        log.warning("LLM answer replaced by the extractive answer: %s", reason)
        return base

    def _compose(self, base: Answer, clauses: list[Hit], v: Verdict) -> Answer:
        cites = [Hit(clauses[n - 1].chunk, clauses[n - 1].score, rank=i) for i, n in enumerate(v.order, 1)]
        text = v.text
        docs = self.assistant.docs
        if "征求意见" not in text and any(docs[h.chunk.slug].is_draft for h in cites if h.chunk.slug in docs):
            text += "\n" + DRAFT_NOTE
        highlights = {}
        for n, hit in zip(v.order, cites, strict=True):
            cid = hit.chunk.id
            used = v.used.get(n, set())
            sents = [s for s in split_sentences(hit.chunk.text) if used & numbers(s)]
            highlights[cid] = sents or base.highlights.get(cid, [])
        regions = list(dict.fromkeys(h.chunk.slug for h in cites))
        region = base.region if base.region in regions else (regions[0] if len(regions) == 1 else None)
        # A copy of the extractive answer: kind, notice, ids and flags stay what the assistant decided.
        return replace(
            base,
            answer=text,
            refused=False,
            region=region,
            citations=cites,
            regions=regions,
            highlights=highlights,
        )


def refused(question: str) -> Answer:
    """The answer to a prompt-injection attempt (rag.question.guard.REFUSAL)."""
    return Answer(question=question, answer=REFUSAL, refused=True, region=None, kind="refuse")
