"""The chat model (LangChain ChatOpenAI against any OpenAI-compatible endpoint) and a call with a wall-clock budget.

The client's own timeout is per network operation (connect, each read), so a server that trickles bytes, or a
stream that never ends, could outlive it; the call therefore runs in a worker thread and the caller stops waiting
when the budget is spent, whatever the client does. max_retries=0: a retry would only spend the budget again.
No max_tokens is sent (langchain-openai sends it as max_completion_tokens, which some compatible servers ignore or
reject); the budget bounds the reply instead.
"""

from __future__ import annotations

import queue
import threading
import time

from ..config import Settings
from ..errors import RagError


class LLMFailure(Exception):
    """The model gave no usable reply (error, timeout): the caller falls back to the extractive answer."""


def make_chat(settings: Settings, budget: float):
    """A ChatOpenAI for settings.llm_base_url / llm_model / llm_api_key, with timeout=budget and no retries."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:  # pragma: no cover - depends on the install
        raise RagError("大模型回答需要 langchain-openai：请运行 pip install -e '.[llm]'。") from None
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "EMPTY",  # local servers (vLLM, Ollama) accept any key
        timeout=budget,
        max_retries=0,
        temperature=0,
        use_responses_api=False,  # OpenAI-compatible servers speak chat completions only
    )


def _text(content) -> str:
    """Message content as text: a string, or a list of content blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            b if isinstance(b, str) else str(b.get("text", "")) for b in content if isinstance(b, (str, dict))
        )
    return ""


def generate(chat, messages, budget: float, *, streaming: bool = False) -> str:
    """The whole reply text, or LLMFailure when the model errs or the reply is not complete within `budget` seconds."""
    q: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            if streaming:
                for chunk in chat.stream(messages):
                    q.put(("piece", _text(chunk.content)))
            else:
                q.put(("piece", _text(chat.invoke(messages).content)))
            q.put(("done", None))
        except BaseException as exc:  # noqa: BLE001 - every failure means "use the extractive answer"
            q.put(("error", exc))

    threading.Thread(target=work, name="rag-llm-call", daemon=True).start()
    deadline = time.monotonic() + budget
    parts: list[str] = []
    while True:
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise queue.Empty
            kind, value = q.get(timeout=remaining)
        except queue.Empty:
            raise LLMFailure(f"no complete reply within the {budget:g} s budget") from None
        if kind == "piece":
            parts.append(value)
        elif kind == "done":
            return "".join(parts)
        else:
            raise LLMFailure(f"{type(value).__name__}: {str(value)[:200]}") from value
