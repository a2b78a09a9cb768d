"""Counters shared by every request: the per-address rate limit and the failed-login throttle.

They sit behind two tiny interfaces (`check`/`message`, `blocked`/`failed`/`succeeded`) so that a deployment
with several server processes can swap these in-process versions for a shared store (Redis) without touching
the web layer: only `make_limits` would change. Memory is O(1) per client and bounded by `max_clients`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

RATE_LIMITED = "请求过于频繁：每个地址每分钟最多提问 {limit} 次，请 {wait} 秒后再试。"
TOO_MANY_FAILURES = "管理令牌错误次数过多，请 {wait} 秒后再试。"


def seconds(wait: float) -> int:
    """A wait as the whole seconds a client is told (Retry-After and the Chinese sentence agree)."""
    return max(1, int(wait + 0.999))


class RateLimiter:
    """Token bucket per client: `limit` events a minute, bursts up to `limit`."""

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
        return RATE_LIMITED.format(limit=self.limit, wait=seconds(wait))

    def _prune(self, now: float, rate: float) -> None:
        """Drops clients whose bucket has refilled: forgetting them changes nothing."""
        full = [k for k, (t, last) in self._buckets.items() if t + (now - last) * rate >= self.limit]
        for k in full:
            del self._buckets[k]
        while len(self._buckets) > self.max_clients:  # still too many: forget the oldest
            del self._buckets[next(iter(self._buckets))]


class FailureThrottle:
    """Failed attempts per client (admin token guesses): after `allowed` failures within `window` seconds the
    client must wait until the window has passed; a success clears its record."""

    def __init__(self, allowed: int = 5, window: float = 60.0, max_clients: int = 10_000):
        self.allowed, self.window, self.max_clients = allowed, window, max_clients
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> float:
        """Seconds this client must still wait (0 = may try)."""
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._fails.get(key, ()) if now - t < self.window]
            if recent:
                self._fails[key] = recent
            else:
                self._fails.pop(key, None)
            return self.window - (now - recent[0]) if len(recent) >= self.allowed else 0.0

    def failed(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._fails.get(key, ()) if now - t < self.window][-self.allowed :]
            self._fails[key] = [*recent, now]
            while len(self._fails) > self.max_clients:
                del self._fails[next(iter(self._fails))]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)

    def message(self, wait: float) -> str:
        return TOO_MANY_FAILURES.format(wait=seconds(wait))


@dataclass
class Limits:
    """Every counter the server keeps, in one place."""

    questions: RateLimiter
    admin_failures: FailureThrottle


def make_limits(rate_limit: int) -> Limits:
    """In-process counters (one server process). A shared store would be chosen here."""
    return Limits(questions=RateLimiter(rate_limit), admin_failures=FailureThrottle())
