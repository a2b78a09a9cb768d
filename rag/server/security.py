"""Abuse and injection defences shared by the API and the chat page: input cleaning, client address,
per-client rate limit. Response headers (CSP and friends) live in headers.py."""

from __future__ import annotations

import ipaddress
import re

from ..assistant import MAX_QUESTION_CHARS
from ..errors import InputError
from ..normalize import strip_invisible
from ..shared_state import RATE_LIMITED, RateLimiter  # noqa: F401  (re-exported: older imports)

# Invisible characters (zero-width, bidi controls, BOM, tag characters, variation selectors, Hangul fillers…)
# are removed by rag.normalize.strip_invisible, not rejected: pasted text often carries them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text, *, field: str = "问题", limit: int = MAX_QUESTION_CHARS) -> str:
    """The text without invisible/control characters; InputError (a Chinese sentence) when unusable."""
    if not isinstance(text, str):
        raise InputError(f"{field}必须是文字。")
    if _SURROGATE.search(text):  # lone surrogates from JSON "\ud800": not text, and unencodable
        raise InputError(f"{field}包含无法识别的字符（不成对的 Unicode 代理项），请重新输入。")
    if len(text) > 4 * limit:  # don't spend time cleaning a huge paste
        raise InputError(f"{field}太长（{len(text)} 字），请精简到 {limit} 字以内。")
    text = _CONTROL.sub("", strip_invisible(text))
    if not text.strip():
        raise InputError(f"{field}不能为空，请输入您想了解的政策问题。")
    if len(text) > limit:
        raise InputError(f"{field}太长（{len(text)} 字），请精简到 {limit} 字以内。")
    return text


def clean_history(history, max_messages: int) -> list[dict]:
    """Only well-formed user/assistant turns, newest last, capped in number and size."""
    out = []
    for m in list(history or [])[-max_messages:] if max_messages else []:
        role, content = (m.get("role"), m.get("content")) if isinstance(m, dict) else (None, None)
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            try:
                out.append({"role": role, "content": clean_text(content, field="历史消息", limit=4000)})
            except InputError:
                continue  # a bad old turn is dropped rather than failing the new question
    return out


def client_ip(peer: str | None, forwarded_for: str | None, trusted: tuple) -> str:
    """The peer address, or — only when the peer is a trusted proxy — the nearest untrusted X-Forwarded-For hop."""
    peer = peer or "unknown"
    if not trusted or not forwarded_for or not _in(peer, trusted):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a forged/garbled header: fall back to the proxy itself
        if not _in(hop, trusted):
            return hop
    return peer


def _in(addr: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in n for n in networks)
