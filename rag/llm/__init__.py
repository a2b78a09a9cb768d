"""Optional LLM-written answers, exactly as grounded as the extractive ones (see docs/llm.md).

with_llm(assistant) wraps an extractive Assistant; configured by RAG_LLM_BASE_URL, RAG_LLM_MODEL, RAG_LLM_API_KEY,
RAG_LLM_TIMEOUT (or rag.toml [llm] base_url, model, api_key, timeout).
"""

from __future__ import annotations

from ..config import Settings
from ..errors import RagError
from .checks import check_reply, numbers
from .client import LLMFailure, generate, make_chat
from .prompts import load_prompt
from .writer import PROMPT, LLMAssistant, refused

__all__ = [
    "LLMAssistant",
    "LLMFailure",
    "check_reply",
    "generate",
    "load_prompt",
    "make_chat",
    "numbers",
    "refused",
    "with_llm",
]


def with_llm(assistant, settings: Settings | None = None, **options) -> LLMAssistant:
    """The extractive `assistant` with answers written by the configured chat model.

    options: prompt (default "answer.v1"), budget (seconds, default settings.llm_timeout), chat (a ready chat
    model), extra_per_region, max_clauses.
    """
    if isinstance(assistant, LLMAssistant):
        assistant = assistant.assistant
    settings = settings or assistant.settings
    if not settings.llm_base_url or not settings.llm_model:
        raise RagError(
            "未配置大模型：请设置 RAG_LLM_BASE_URL 和 RAG_LLM_MODEL（或 rag.toml 的 [llm] base_url、model），"
            "参见 docs/llm.md。"
        )
    if not settings.llm_base_url.startswith(("http://", "https://")):
        raise RagError(
            f"RAG_LLM_BASE_URL 应以 http:// 或 https:// 开头（当前为 {settings.llm_base_url!r}）。"
        )
    options.setdefault("prompt", PROMPT)
    return LLMAssistant(assistant, settings, **options)
