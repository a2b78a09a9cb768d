"""Abuse and injection defences shared by the API and the chat page: input cleaning, client address,
per-client rate limit. Response headers (CSP and friends) live in headers.py."""

from __future__ import annotations

import ipaddress

from ..errors import InputError
from ..ops.shared_state import RATE_LIMITED, RateLimiter  # noqa: F401  (re-exported: older imports)
from ..question.validate import MAX_QUESTION_CHARS, check_question


def clean_text(text, *, field: str = "问题", limit: int = MAX_QUESTION_CHARS) -> str:
    """The shared validator (rag.question.validate.check_question): cleaned text, or InputError with one Chinese sentence."""
    return check_question(text, field=field, limit=limit)


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
    if not trusted or not forwarded_for or not in_networks(peer, trusted):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a forged/garbled header: fall back to the proxy itself
        if not in_networks(hop, trusted):
            return hop
    return peer


def in_networks(addr: str, networks) -> bool:
    """True when `addr` is an IP address inside one of `networks` (a garbled address is inside none)."""
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in n for n in networks)
