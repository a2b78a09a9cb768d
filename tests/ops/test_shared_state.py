"""Shared state (issue 15): the Redis-backed limiter, throttle and reload signal, their fallback when Redis is
unreachable, and the query caches. Fast tests use an address where nothing listens (Redis "gone"); the
tests against a real redis-server are marked slow."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

from rag.ops.shared_state import (
    FailureThrottle,
    RateLimiter,
    RedisFailureThrottle,
    RedisRateLimiter,
    RedisReloadSignal,
    ReloadSignal,
    make_limits,
    redact_url,
)
from rag.server.caches import LRU, CachedAnswerer, CachedEmbedder, with_caches
from tests._live_server import free_port

redis = pytest.importorskip(
    "redis", reason="the redis Python client is not installed (pip install -e '.[serve]')"
)


def dead_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


# ---- without Redis -----------------------------------------------------------------------------------------
def test_without_url_counters_are_in_process():
    limits = make_limits(3)
    assert type(limits.questions) is RateLimiter and type(limits.admin_failures) is FailureThrottle
    assert type(limits.reload) is ReloadSignal and limits.status()["backend"] == "memory"


def test_redis_gone_falls_back_to_the_same_limit_in_process():
    limits = make_limits(3, dead_url())
    assert isinstance(limits.questions, RedisRateLimiter)
    t = time.monotonic()
    waits = [limits.questions.check("1.2.3.4") for _ in range(5)]
    assert time.monotonic() - t < 3  # one failed connection, then the circuit stays open: no waiting
    assert waits[:3] == [0.0] * 3 and all(w > 0 for w in waits[3:])
    assert limits.questions.check("5.6.7.8") == 0.0  # another address has its own allowance
    status = limits.status()
    assert status["backend"] == "redis" and status["connected"] is False and status["error"]


def test_redis_gone_throttle_still_blocks_a_guesser():
    throttle = make_limits(3, dead_url()).admin_failures
    assert isinstance(throttle, RedisFailureThrottle)
    for _ in range(5):
        throttle.failed("9.9.9.9")
    assert throttle.blocked("9.9.9.9") > 0
    throttle.succeeded("9.9.9.9")
    assert throttle.blocked("9.9.9.9") == 0


def test_redis_gone_reload_signal_is_quiet():
    signal = make_limits(3, dead_url()).reload
    assert isinstance(signal, RedisReloadSignal)
    signal.publish()  # logs a warning, raises nothing
    assert signal.changed() is False


def test_password_is_not_shown():
    assert redact_url("redis://:s3cret@10.0.0.5:6379/0") == "redis://:***@10.0.0.5:6379/0"
    assert redact_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


# ---- query caches ------------------------------------------------------------------------------------------
class CountingEmbedder:
    id, dim = "count", 4

    def __init__(self):
        self.calls = []

    def encode_query(self, texts):
        self.calls.append(list(texts))
        return np.array([[len(t), 1, 2, 3] for t in texts], dtype=np.float32)


def test_embedding_cache_embeds_each_text_once():
    inner = CountingEmbedder()
    emb = CachedEmbedder(inner, size=10)
    a = emb.encode_query(["青岛育儿假", "婚假"])
    b = emb.encode_query(["婚假", "产假", "婚假"])
    assert inner.calls == [["青岛育儿假", "婚假"], ["产假"]]
    assert a.shape == (2, 4) and b.shape == (3, 4)
    assert np.array_equal(a[1], b[0]) and np.array_equal(b[0], b[2])
    assert emb.id == "count"  # everything else is the wrapped embedder's


def test_lru_forgets_the_least_recently_used():
    lru = LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1
    lru.put("c", 3)
    assert lru.get("b") is None and lru.get("a") == 1 and lru.get("c") == 3 and len(lru) == 2


@pytest.fixture(scope="module")
def hash_assistant(tmp_path_factory):
    """The real Assistant over a hashing-embedder index built in a temp folder (seconds, no model)."""
    from rag.assistant import Assistant
    from rag.config import load_settings
    from rag.index.store import build_index

    settings = load_settings().with_(index_root=tmp_path_factory.mktemp("index"), embedder="hash")
    build_index(settings)
    return Assistant.load(settings=settings)


def test_answer_cache_serves_copies_and_skips_follow_ups(hash_assistant):
    calls = []

    class Counting:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def ask(self, question, region=None, history=(), **kw):
            calls.append(question)
            return self.inner.ask(question, region=region, history=history, **kw)

    cached = with_caches(Counting(hash_assistant))
    assert isinstance(cached, CachedAnswerer) and cached.build_id
    first = cached.ask("青岛育儿假有几天？")
    first.id = "caller-1"
    second = cached.ask("青岛育儿假有几天？")
    assert calls == ["青岛育儿假有几天？"]
    assert second.answer == first.answer and second.id is None  # a copy: the first caller's id stayed there
    cached.ask("青岛育儿假有几天？", region="beijing")
    cached.ask("青岛育儿假有几天？", lock_region=True)
    cached.ask("那北京呢？", history=[{"role": "user", "content": "青岛育儿假有几天？"}])
    cached.ask("那北京呢？", history=[{"role": "user", "content": "青岛育儿假有几天？"}])
    assert len(calls) == 5  # other region, the lock, and both follow-ups were answered afresh
    pieces = list(cached.stream("青岛育儿假有几天？"))
    assert pieces[-1].answer == first.answer and len(calls) == 5


# ---- against a real redis-server ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    from _redis import redis_binary, redis_server

    if redis_binary() is None:
        pytest.skip("redis-server not installed (scripts/sysdeps.sh installs it as root)")
    with redis_server(tmp_path_factory.mktemp("redis")) as (url, _):
        yield url


@pytest.mark.slow
def test_redis_limit_is_atomic_across_threads_and_instances(redis_url):
    """Two 'replicas' (two Limits on one Redis), 8 threads, 40 attempts: exactly the limit passes."""
    a, b = make_limits(10, redis_url), make_limits(10, redis_url)
    key = f"atomic-{os.getpid()}-{time.time_ns()}"
    allowed = []

    def hammer(limits):
        for _ in range(5):
            allowed.append(limits.questions.check(key) == 0.0)

    threads = [threading.Thread(target=hammer, args=(x,)) for x in (a, b) * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 10 and len(allowed) == 40
    wait = a.questions.check(key)
    assert 0 < wait <= 6.1  # 10 a minute: one more in at most 6 s
    assert a.status() == {"backend": "redis", "connected": True, "error": None}


@pytest.mark.slow
def test_redis_throttle_and_reload_signal_are_shared(redis_url):
    a, b = make_limits(10, redis_url), make_limits(10, redis_url)
    key = f"guesser-{time.time_ns()}"
    for _ in range(5):
        a.admin_failures.failed(key)
    assert b.admin_failures.blocked(key) > 50  # the other replica knows: ~60 s left
    b.admin_failures.succeeded(key)
    assert a.admin_failures.blocked(key) == 0
    assert a.reload.changed() is False and b.reload.changed() is False  # first look only remembers
    a.reload.publish()
    assert b.reload.changed() is True and b.reload.changed() is False
    assert a.reload.changed() is False  # the publisher reloaded itself already


@pytest.mark.slow
def test_redis_values_are_shared_expire_and_claim_once(redis_url):
    a, b = make_limits(0, redis_url).values, make_limits(0, redis_url).values
    key = f"kv-{os.getpid()}-{time.time_ns()}"
    a.set(key, "区域", 0.5)
    assert b.get(key) == "区域"
    assert b.add(key + ":claim", "1", 5) and not a.add(key + ":claim", "1", 5)
    b.delete(key + ":claim")
    assert a.add(key + ":claim", "1", 5)
    time.sleep(0.6)
    assert a.get(key) is None and b.get(key) is None
