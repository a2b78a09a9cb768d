"""LangChain adapter: PolicyRetriever is a BaseRetriever, so integrators can put it inside their own chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from .assistant import Assistant


class PolicyRetriever(BaseRetriever):
    """Region-aware hybrid retrieval over the plans; each Document carries the clause's citation metadata."""

    assistant: Any  # rag.Assistant (or anything with .search(question, region=None, k=...))
    k: int = 5
    region: str | None = None

    @classmethod
    def load(cls, index_dir=None, **kw) -> PolicyRetriever:
        return cls(assistant=Assistant.load(index_dir), **kw)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        _, hits = self.assistant.search(query, region=self.region, k=self.k)
        docs = []
        for h in hits:
            meta = h.to_dict()
            text = meta.pop("text")
            docs.append(LCDocument(page_content=text, metadata=meta, id=meta["clause_id"]))
        return docs
