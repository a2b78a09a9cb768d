"""Counters shared by every request: the per-address rate limit and the failed-login throttle.

They sit behind two tiny interfaces (`check`/`message`, `blocked`/`failed`/`succeeded`) so that a deployment
with several server processes can swap these in-process versions for a shared store (Redis) without touching
the web layer: `make_limits` picks them. With a Redis URL (`RAG_REDIS_URL`) the counters live in Redis, atomic
(Lua scripts on Redis's clock) and shared by every replica, and a generation counter there tells every replica
to reload; when Redis is unreachable each counter falls back to its in-process version (the classes below
inherit from it) and /healthz says so. Memory is O(1) per client and bounded by `max_clients`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

log = logging.getLogger("rag.server")

RATE_LIMITED = "请求过于频繁：每个地址每分钟最多提问 {limit} 次，请 {wait} 秒后再试。"
TOO_MANY_FAILURES = "管理令牌错误次数过多，请 {wait} 秒后再试。"
ALREADY_RATED = "您已经评价过这条回答，谢谢。"


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


class OnceSet:
    """'Has this client already done this?' (one rating per answer and client), for `ttl` seconds, bounded to
    `max_keys` (the oldest are forgotten first)."""

    def __init__(self, ttl: float = 7 * 86_400.0, max_keys: int = 200_000):
        from collections import OrderedDict

        self.ttl, self.max_keys = ttl, max_keys
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        """True the first time `key` is seen (and records it), False after."""
        now = time.monotonic()
        with self._lock:
            t = self._seen.get(key)
            if t is not None and now - t < self.ttl:
                return False
            self._seen[key] = now
            self._seen.move_to_end(key)
            while len(self._seen) > self.max_keys:
                self._seen.popitem(last=False)
        return True


REDIS_DOWN = "共享状态服务（Redis）不可用，暂按本进程计数：%s"
REDIS_BACK = "共享状态服务（Redis）已恢复。"


class RedisLink:
    """One Redis connection pool shared by the counters and the reload signal, with a circuit breaker: after a
    failure Redis is not tried again for `retry` seconds (answers must not wait on a dead server), and the
    callers use their in-process fallback meanwhile. Short socket timeouts for the same reason."""

    def __init__(self, url: str, retry: float = 2.0, timeout: float = 0.5):
        import redis

        self.url, self.retry = url, retry
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=0
        )
        self._errors = (redis.RedisError, OSError)
        self._down_until = 0.0
        self.ok = True
        self.last_error: str | None = None
        self._lock = threading.Lock()

    def call(self, fn):
        """fn(client) -> its result, or raises `Unavailable` (Redis down now or within the retry pause)."""
        if time.monotonic() < self._down_until:
            raise Unavailable(self.last_error or "")
        try:
            result = fn(self.client)
        except self._errors as exc:
            with self._lock:
                self._down_until = time.monotonic() + self.retry
                self.last_error = f"{type(exc).__name__}: {exc}"[:200]
                if self.ok:
                    log.warning(REDIS_DOWN, self.last_error)
                self.ok = False
            raise Unavailable(self.last_error) from None
        if not self.ok:
            with self._lock:
                if not self.ok:
                    log.warning(REDIS_BACK)
                self.ok, self.last_error = True, None
        return result

    def ping(self) -> bool:
        try:
            return bool(self.call(lambda r: r.ping()))
        except Unavailable:
            return False

    def status(self) -> dict:
        return {"backend": "redis", "connected": self.ok, "error": self.last_error}


class Unavailable(Exception):
    """Redis is down: the caller falls back to its in-process counterpart."""


# Token bucket as in RateLimiter, atomic in Redis and on Redis's clock (one clock for every replica).
_BUCKET = """
local limit, per = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = limit / per
local v = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens, last = tonumber(v[1]) or limit, tonumber(v[2]) or now
tokens = math.min(limit, tokens + math.max(0, now - last) * rate)
local wait = 0
if tokens < 1 then wait = (1 - tokens) / rate else tokens = tokens - 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(per * 1000) + 1000)
return tostring(wait)
"""

# Failed attempts in a sorted set of timestamps; ARGV[3] = 1 records a failure, 0 only asks.
_FAILURES = """
local allowed, window, record = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if record then
  redis.call('ZADD', KEYS[1], now, tostring(now) .. ':' .. redis.call('INCR', KEYS[1] .. ':n'))
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -allowed - 1)
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
  redis.call('PEXPIRE', KEYS[1] .. ':n', math.ceil(window * 1000))
  return '0'
end
if redis.call('ZCARD', KEYS[1]) < allowed then return '0' end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(window - (now - tonumber(first[2])))
"""


class RedisRateLimiter(RateLimiter):
    """The same limit shared by every replica; while Redis is down, this process's own buckets decide."""

    def __init__(self, link: RedisLink, limit: int, per: float = 60.0, prefix: str = "rag:rate:"):
        super().__init__(limit, per)
        self.link, self.prefix = link, prefix
        self._script = link.client.register_script(_BUCKET)

    def check(self, key: str) -> float:
        if self.limit <= 0:
            return 0.0
        try:
            return float(
                self.link.call(lambda r: self._script(keys=[self.prefix + key], args=[self.limit, self.per]))
            )
        except Unavailable:
            return super().check(key)


class RedisFailureThrottle(FailureThrottle):
    """Admin-token failures counted across replicas; in-process while Redis is down."""

    def __init__(
        self, link: RedisLink, allowed: int = 5, window: float = 60.0, prefix: str = "rag:adminfail:"
    ):
        super().__init__(allowed, window)
        self.link, self.prefix = link, prefix
        self._script = link.client.register_script(_FAILURES)

    def _run(self, key: str, record: bool) -> float:
        args = [self.allowed, self.window, 1 if record else 0]
        return float(self.link.call(lambda r: self._script(keys=[self.prefix + key], args=args)))

    def blocked(self, key: str) -> float:
        try:
            return max(0.0, self._run(key, False))
        except Unavailable:
            return super().blocked(key)

    def failed(self, key: str) -> None:
        super().failed(key)  # also kept locally: a Redis outage must not reset a guesser's count
        try:
            self._run(key, True)
        except Unavailable:
            pass

    def succeeded(self, key: str) -> None:
        super().succeeded(key)
        try:
            self.link.call(lambda r: r.delete(self.prefix + key, self.prefix + key + ":n"))
        except Unavailable:
            pass


class RedisOnceSet(OnceSet):
    """OnceSet shared by every replica (SET NX with an expiry); this process's own record while Redis is down."""

    def __init__(self, link: RedisLink, ttl: float = 7 * 86_400.0, prefix: str = "rag:once:"):
        super().__init__(ttl)
        self.link, self.prefix = link, prefix

    def first(self, key: str) -> bool:
        local = super().first(key)  # also kept here: an outage must not reopen what was already done
        try:
            shared = bool(self.link.call(lambda r: r.set(self.prefix + key, 1, nx=True, ex=int(self.ttl))))
        except Unavailable:
            return local
        return shared and local


class ReloadSignal:
    """In-process: nothing to share (the replica reloads itself). See RedisReloadSignal for replicas."""

    def publish(self) -> None:
        pass

    def changed(self) -> bool:
        return False


class RedisReloadSignal(ReloadSignal):
    """A generation counter in Redis: `publish` increments it, every replica's watcher (`changed`, polled
    about once a second) sees the new value and reloads. A counter rather than pub/sub so that a replica
    that was briefly disconnected still notices a reload it missed."""

    def __init__(self, link: RedisLink, key: str = "rag:reload:generation"):
        self.link, self.key = link, key
        self._seen: int | None = None

    def _read(self) -> int:
        return int(self.link.call(lambda r: r.get(self.key)) or 0)

    def publish(self) -> None:
        """Called by the replica that reloads itself: it need not reload again for its own increment."""
        try:
            self._seen = int(self.link.call(lambda r: r.incr(self.key)))
        except Unavailable:
            log.warning("无法通知其他副本重新加载索引（Redis 不可用）。")

    def changed(self) -> bool:
        try:
            gen = self._read()
        except Unavailable:
            return False
        if self._seen is None:  # first look: remember, do not reload (the index was just loaded)
            self._seen = gen
            return False
        if gen != self._seen:
            self._seen = gen
            return True
        return False


class KeyValue:
    """Small expiring values (chat-channel conversations, reply caches), in this process: bounded by `max_items`
    (the least recently written go first) and by each value's time to live."""

    def __init__(self, max_items: int = 20_000):
        from collections import OrderedDict

        self.max_items = max_items
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= time.monotonic():
                del self._items[key]
                return None
            return item[1]

    def set(self, key: str, value: str, ttl: float) -> None:
        with self._lock:
            self._put(key, value, ttl)

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Sets the value only when the key holds none (a claim): True when this caller set it."""
        with self._lock:
            item = self._items.get(key)
            if item is not None and item[0] > time.monotonic():
                return False
            self._put(key, value, ttl)
            return True

    def _put(self, key: str, value: str, ttl: float) -> None:
        self._items.pop(key, None)
        self._items[key] = (time.monotonic() + ttl, value)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


class RedisKeyValue(KeyValue):
    """The same values in Redis (every replica sees them, Redis expires them); this process's own copy while
    Redis is down."""

    def __init__(self, link: RedisLink, prefix: str = "rag:kv:"):
        super().__init__()
        self.link, self.prefix = link, prefix

    def get(self, key: str) -> str | None:
        try:
            value = self.link.call(lambda r: r.get(self.prefix + key))
        except Unavailable:
            return super().get(key)
        return value.decode("utf-8") if isinstance(value, bytes) else value

    def set(self, key: str, value: str, ttl: float) -> None:
        try:
            self.link.call(lambda r: r.set(self.prefix + key, value, px=max(1, int(ttl * 1000))))
        except Unavailable:
            super().set(key, value, ttl)

    def add(self, key: str, value: str, ttl: float) -> bool:
        try:
            return bool(
                self.link.call(lambda r: r.set(self.prefix + key, value, px=max(1, int(ttl * 1000)), nx=True))
            )
        except Unavailable:
            return super().add(key, value, ttl)

    def delete(self, key: str) -> None:
        super().delete(key)
        try:
            self.link.call(lambda r: r.delete(self.prefix + key))
        except Unavailable:
            pass


@dataclass
class Limits:
    """Every counter the server keeps, in one place, and the signal that reloads every replica."""

    questions: RateLimiter
    admin_failures: FailureThrottle  # per (user name, address) pair: admin_auth
    # per address, all user names together: a ceiling for a guesser rotating names (admin_auth)
    address_failures: FailureThrottle = field(default_factory=lambda: FailureThrottle(allowed=20))
    reload: ReloadSignal = field(default_factory=ReloadSignal)
    feedback: RateLimiter | None = None  # ratings per client a minute (shared by replicas with Redis)
    rated: OnceSet = field(default_factory=OnceSet)  # one rating per answer and client
    link: RedisLink | None = None
    values: KeyValue = field(default_factory=KeyValue)  # chat-channel conversations and reply caches

    def status(self) -> dict:
        """What /healthz reports: in-process, or Redis and whether it answers right now."""
        if self.link is None:
            return {"backend": "memory", "connected": None, "error": None}
        self.link.ping()
        return self.link.status()


def make_limits(rate_limit: int, redis_url: str | None = None) -> Limits:
    """In-process counters, or (with a Redis URL) counters and reload signal shared by every replica."""
    if not redis_url:
        return Limits(
            questions=RateLimiter(rate_limit),
            admin_failures=FailureThrottle(),
            feedback=RateLimiter(rate_limit),
        )
    link = RedisLink(redis_url)
    if not link.ping():
        log.warning(
            "启动时无法连接 Redis（%s），先按本进程计数，恢复后自动改用共享计数。", redact_url(redis_url)
        )
    return Limits(
        questions=RedisRateLimiter(link, rate_limit),
        admin_failures=RedisFailureThrottle(link),
        address_failures=RedisFailureThrottle(link, allowed=20, prefix="rag:adminfail-address:"),
        reload=RedisReloadSignal(link),
        link=link,
        values=RedisKeyValue(link),
        feedback=RedisRateLimiter(link, rate_limit, prefix="rag:feedback:"),
        rated=RedisOnceSet(link, prefix="rag:rated:"),
    )


def redact_url(url: str) -> str:
    """The URL without its password (for logs and /healthz)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
