"""Abuse and injection defences shared by the API and the chat page: input cleaning, client address,
per-client rate limit. Response headers (CSP and friends) live in headers.py."""

from __future__ import annotations

import ipaddress
import threading
import time

from ..errors import InputError
from ..validate import MAX_QUESTION_CHARS, check_question

RATE_LIMITED = "请求过于频繁：每个地址每分钟最多提问 {limit} 次，请 {wait} 秒后再试。"


def clean_text(text, *, field: str = "问题", limit: int = MAX_QUESTION_CHARS) -> str:
    """The shared validator (rag.validate.check_question): cleaned text, or InputError with one Chinese sentence."""
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


class RateLimiter:
    """Token bucket per client: `limit` questions a minute, bursts up to `limit`. O(1) memory per client."""

    def __init__(self, limit: int, per: float = 60.0, max_clients: int = 100_000):
        self.limit, self.per, self.max_clients = limit, per, max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> float:
        """0 when allowed (and counted), else the seconds to wait."""
        if self.limit <= 0:
            return 0.0
        now, rate = time.monotonic(), self.limit / self.per
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.limit), now))
            tokens = min(float(self.limit), tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > self.max_clients:
                self._prune(now, rate)
        return 0.0

    def message(self, wait: float) -> str:
        return RATE_LIMITED.format(limit=self.limit, wait=max(1, int(wait + 0.999)))

    def _prune(self, now: float, rate: float) -> None:
        """Drops clients whose bucket has refilled: forgetting them changes nothing."""
        full = [k for k, (t, last) in self._buckets.items() if t + (now - last) * rate >= self.limit]
        for k in full:
            del self._buckets[k]
