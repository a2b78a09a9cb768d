"""Builds the answerer the interfaces use: the extractive Assistant, wrapped by the LLM writer when one is configured."""

from __future__ import annotations

from .assistant import Assistant
from .config import Settings, load_settings


def build(settings: Settings | None = None, *, use_llm: bool | None = None, check_seeds: bool = True):
    """Everything exposes ask(question, region=None, history=()) -> Answer and stream(...) -> str pieces, then Answer.
    check_seeds=False loads an index older than seeds/ (a restarted server worker keeps serving: issue 28)."""
    settings = settings or load_settings()
    asst = Assistant.load(settings=settings, check_seeds=check_seeds)
    if use_llm is None:
        use_llm = bool(settings.llm_base_url)
    if use_llm:
        from .llm import with_llm  # lazy: langchain-openai is an optional extra

        return with_llm(asst)
    return asst
