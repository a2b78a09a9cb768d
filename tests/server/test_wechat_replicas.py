"""The WeChat channel across two `rag serve` processes sharing a real redis-server: a user's region and
follow-ups, and the reply to a retried message, are the same whichever process WeChat's request reaches; the
shared store holds no raw openid."""

from __future__ import annotations

import concurrent.futures
import sqlite3
import time
from contextlib import ExitStack

import pytest
from _live_server import rag_serve_process
from _wechat import Platform, env_for, stored

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    from _redis import redis_binary, redis_server

    if redis_binary() is None:
        pytest.fail("redis-server is not installed: run scripts/sysdeps.sh (as root)")
    with redis_server(tmp_path_factory.mktemp("redis")) as served:
        yield served


@pytest.fixture(scope="module")
def replicas(redis_url, tmp_path_factory):
    d = tmp_path_factory.mktemp("wechat-replicas")
    env = {**env_for("https://zc.example.gov.cn"), "RAG_REDIS_URL": redis_url[0],
           "RAG_DATABASE_URL": f"sqlite:///{d / 'log.sqlite'}", "RAG_RATE_LIMIT": "0"}  # fmt: skip
    with ExitStack() as stack:
        urls = [
            stack.enter_context(rag_serve_process(env, stderr=open(d / f"r{i}.log", "w")))[0] for i in (0, 1)
        ]
        yield urls, d / "log.sqlite"


def test_region_and_follow_ups_are_shared_by_the_replicas(replicas):
    (a, b), _ = replicas
    user = "oShared-User-77"
    assert "通化" in Platform(a, "work").ask("地区 通化", user=user)["Content"]
    assert "通化" in Platform(b, "work").ask("育儿假有几天？", user=user)["Content"].split("\n")[0]
    Platform(a, "mp").ask("青岛产假有多少天？", user=user)
    assert "10天" in Platform(b, "mp").ask("那育儿假呢？", user=user)["Content"]


def test_a_retry_reaching_the_other_replica_gets_the_same_reply_logged_once(replicas, redis_url):
    (a, b), db = replicas
    pa, pb = Platform(a, "mp"), Platform(b, "mp")
    inner = pa.message("text", user="oRetry-Elsewhere-5", msg_id="990001", Content="北京产假多少天？")
    first = pa.reply(pa.post(inner))
    assert pb.reply(pb.post(inner))["Content"] == first["Content"]
    racing = pa.message("text", user="oRetry-Elsewhere-5", msg_id="990002", Content="重庆育儿假有几天？")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda p: p.reply(p.post(racing)), (pa, pb)))
    assert replies[0]["Content"] == replies[1]["Content"] and "重庆" in replies[0]["Content"]
    time.sleep(1.5)
    with sqlite3.connect(db) as c:
        counts = c.execute(
            "SELECT question, count(*) FROM questions WHERE channel = 'wechat' AND question IN (?, ?) GROUP BY 1",
            (stored("北京产假多少天？"), stored("重庆育儿假有几天？")),
        ).fetchall()
    assert sorted(n for _, n in counts) == [1, 1], counts
    client = redis_url[1]
    keys = [k.decode() for k in client.scan_iter("rag:kv:wx:*")]
    assert keys and not any("oRetry" in k or "oShared" in k for k in keys)
    assert not any(b"oRetry-Elsewhere" in (client.get(k) or b"") for k in keys)
