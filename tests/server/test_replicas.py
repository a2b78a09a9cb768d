"""Two `rag serve` replicas behind the real nginx of deploy/nginx.conf, sharing state in a real redis-server
(issue 15). Everything on loopback ports, started here and stopped by PID at the end; every load loop is
bounded in count and time. The replicas use the hashing embedder over an index built in a temp folder (fast,
and `rag index` can be run again to make a new build for the reload test)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests._gradio_chat import ask as chat_ask
from tests._gradio_chat import chat_fn
from tests._live_server import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TOKEN = "replicas-test-token"
QUESTION = "青岛育儿假有几天？"


def _binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.path.exists(p)), None
    )


def _wait(url: str, seconds: float = 120, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def _stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def nginx_config(text: str, listen: int, replicas: list[int]) -> str:
    """deploy/nginx.conf with the test's ports: its listen address and its two replica `server` lines."""
    text = re.sub(r"listen 127\.0\.0\.1:\d+;", f"listen 127.0.0.1:{listen};", text)
    for i, port in enumerate(replicas, 1):
        text = re.sub(
            rf"server 127\.0\.0\.1:\d+ (.*)# replica {i}\n",
            rf"server 127.0.0.1:{port} \1# replica {i}\n",
            text,
        )
    assert text.count(f"127.0.0.1:{replicas[0]}") == 2 and text.count(f"127.0.0.1:{replicas[1]}") == 2
    return text.replace("worker_processes auto;", "worker_processes 1;")  # a shared 2-core machine


class Cluster:
    def __init__(self, tmp: Path):
        self.tmp, self.procs = tmp, {}
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "RAG_EMBEDDER": "hash",
            "RAG_INDEX_DIR": str(tmp / "index"),
            "RAG_RATE_LIMIT": "10",
            "RAG_TRUSTED_PROXIES": "127.0.0.1",
            "RAG_ADMIN_TOKEN": TOKEN,
            "RAG_LOG": "off",
            "RAG_DATABASE_URL": f"sqlite:///{tmp / 'rag.sqlite'}",
        }

    def build_index(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "rag.cli", "index"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start_redis(self) -> None:
        self.redis_port = free_port()
        self.procs["redis"] = subprocess.Popen(
            [_binary("redis-server"), "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        self.redis = redis.Redis(port=self.redis_port, socket_timeout=2)
        deadline = time.monotonic() + 20
        while True:
            try:
                self.redis.ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def start_replicas(self) -> None:
        self.ports = [free_port(), free_port()]
        env = {**self.env, "RAG_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0"}
        for i, port in enumerate(self.ports):
            log = open(self.tmp / f"replica{i}.log", "wb")
            self.procs[f"replica{i}"] = subprocess.Popen(
                [sys.executable, "-m", "rag.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        for i, port in enumerate(self.ports):
            _wait(f"http://127.0.0.1:{port}/healthz", 180, self.procs[f"replica{i}"])

    def start_nginx(self) -> None:
        self.port = free_port()
        prefix = self.tmp / "nginx"
        for d in ("logs", "temp"):
            (prefix / d).mkdir(parents=True, exist_ok=True)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config((ROOT / "deploy/nginx.conf").read_text(), self.port, self.ports))
        self.procs["nginx"] = subprocess.Popen(
            [_binary("nginx"), "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=open(prefix / "stderr.log", "wb"),
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"
        _wait(self.url + "/healthz", 30, self.procs["nginx"])

    def forget_limits(self) -> None:
        """Each test starts with fresh per-address allowances (the counters live in Redis)."""
        for key in self.redis.scan_iter("rag:rate:*"):
            self.redis.delete(key)

    def upstreams(self, path: str) -> list[str]:
        log = (self.tmp / "nginx/logs/access.log").read_text()
        return re.findall(rf'"POST {re.escape(path)} [^"]*" \d+ .*upstream=(\S+)', log)

    def stop(self) -> None:
        for name in ("nginx", "replica0", "replica1", "redis"):
            if name in self.procs:
                _stop(self.procs[name], signal.SIGINT if name.startswith("replica") else signal.SIGTERM)


@pytest.fixture(scope="module")
def cluster():
    missing = [b for b in ("redis-server", "nginx") if _binary(b) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (scripts/sysdeps.sh installs them as root)")
    pytest.importorskip(
        "redis", reason="the redis Python client is not installed (pip install -e '.[serve]')"
    )
    tmp = Path(tempfile.mkdtemp(prefix="rag-replicas-"))
    os.chmod(tmp, 0o755)  # nginx workers (nobody) read nothing here, but the master logs here
    c = Cluster(tmp)
    try:
        c.build_index()
        c.start_redis()
        c.start_replicas()
        c.start_nginx()
        yield c
    finally:
        c.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def test_rate_limit_is_shared_by_the_replicas(cluster):
    cluster.forget_limits()
    statuses = []
    with httpx.Client(base_url=cluster.url, timeout=30) as client:
        for _ in range(20):
            statuses.append(client.post("/api/ask", json={"question": QUESTION}).status_code)
    served = cluster.upstreams("/api/ask")[-20:]
    assert statuses.count(200) == 10 and statuses.count(429) == 10, statuses
    # both replicas answered (nginx balances) and yet the address got exactly its 10 questions in total
    assert {f"127.0.0.1:{p}" for p in cluster.ports} <= set(served), served
    health = httpx.get(cluster.url + "/healthz", timeout=10).json()
    assert health["shared_state"] == {"backend": "redis", "connected": True, "error": None}


def test_chat_streams_through_nginx(cluster):
    cluster.forget_limits()
    with httpx.Client(timeout=60) as client:
        fn = chat_fn(cluster.url, client)
        status, done = chat_ask(client, cluster.url, fn, QUESTION)
    assert status == 200, done
    assert done.get("msg") == "process_completed" and done.get("success"), done
    assert "育儿假" in str(done["output"]["data"][0])


def _load(url: str, stop: threading.Event, results: list, worker: int, limit: int = 400) -> None:
    """Questions through nginx from many loopback addresses (127.0.1.x: one citizen each, 10 questions a
    minute apiece), so the shared rate limit never refuses them; bounded by `limit` requests and by `stop`."""
    n = 0
    while not stop.is_set() and n < limit:
        address = f"127.0.{worker + 1}.{n // 5 % 250 + 1}"
        try:
            with httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30) as client:
                r = client.post(url + "/api/ask", json={"question": QUESTION})
            results.append(r.status_code)
        except httpx.HTTPError as exc:
            results.append(type(exc).__name__)
        n += 1


def test_reload_on_one_replica_reaches_both_without_failures(cluster):
    cluster.forget_limits()
    replicas = [f"http://127.0.0.1:{p}" for p in cluster.ports]
    before = {httpx.get(u + "/healthz", timeout=10).json()["build"] for u in replicas}
    assert len(before) == 1
    stop, results = threading.Event(), []
    threads = [threading.Thread(target=_load, args=(cluster.url, stop, results, w)) for w in range(2)]
    for t in threads:
        t.start()
    try:
        cluster.build_index()  # a new build while the old one is being served
        r = httpx.post(
            replicas[0] + "/admin/reload?wait=1", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120
        )
        assert r.status_code == 200 and r.json()["status"] == "reloaded", r.text
        new = r.json()["build"]
        assert new not in before
        deadline = time.monotonic() + 60
        while httpx.get(replicas[1] + "/healthz", timeout=10).json()["build"] != new:
            assert time.monotonic() < deadline, "the other replica did not reload"
            time.sleep(0.2)
        time.sleep(1)  # a little load on the new build too
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert len(results) >= 20, results
    assert [s for s in results if s != 200] == [], results
    assert {httpx.get(u + "/healthz", timeout=10).json()["build"] for u in replicas} == {new}


def test_answers_continue_when_redis_stops(cluster):
    cluster.forget_limits()
    _stop(cluster.procs["redis"])
    with httpx.Client(base_url=cluster.url, timeout=30) as client:
        statuses = [client.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(4)]
        health = client.get("/healthz").json()
    assert statuses == [200] * 4
    assert health["shared_state"]["backend"] == "redis" and health["shared_state"]["connected"] is False
    assert health["shared_state"]["error"]


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_serve_workers_supervises_its_workers(tmp_path):
    """`rag serve --workers 2`: two worker processes answer on one port, a killed worker is replaced, Ctrl-C
    stops them all."""
    c = Cluster(tmp_path)
    c.build_index()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT, env={**c.env, "RAG_RATE_LIMIT": "0"}, stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "serve.log", "wb"),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url + "/healthz", 180, proc)
        workers = _children(proc.pid)
        assert len(workers) == 2, workers
        with httpx.Client(base_url=url, timeout=30) as client:
            assert [client.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(6)] == [
                200
            ] * 6
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 120
        while not (len(_children(proc.pid)) == 2 and workers[0] not in _children(proc.pid)):
            assert time.monotonic() < deadline, "the killed worker was not replaced"
            time.sleep(0.3)
        assert httpx.post(url + "/api/ask", json={"question": QUESTION}, timeout=30).status_code == 200
    finally:
        kids = _children(proc.pid)
        _stop(proc, signal.SIGINT)
    assert proc.returncode == 0
    assert all(
        not Path(f"/proc/{k}").exists() or "zombie" in Path(f"/proc/{k}/status").read_text() for k in kids
    )
