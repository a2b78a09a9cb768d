"""Soak with injected faults (issue 28): the real `rag serve --workers 2` on 127.0.0.1 with a real store (SQLite,
or a real PostgreSQL) and optionally a real Redis, a client sending a realistic mix (questions, ratings of the
answers it got, admin reads, /healthz) while a fault is injected every few seconds, in turn:

  kill -9 a worker · SIGHUP (reload) · lock the database for a while · stop Redis, start it again ·
  stop PostgreSQL, start it again; once, a third of the way in, an orderly stop (SIGTERM) and a start of the
  whole server

then a final orderly stop. It reports and checks:
* unexpected 5xx: must be 0 (a refused connection while the server is being restarted, or a request cut when its
  worker is killed, is a transport error, counted apart; an admin read or a rating answering 503 while the
  database itself is stopped or locked is the documented "store unavailable" and counted apart too);
* rows lost: every answered question (its answer id) must be in the question log after the final stop, except
  those answered by a worker within one batch window before it was killed with SIGKILL (a crash, not an orderly
  stop: at most `flush_seconds` of rows, see rag/ops/stores/querylog.py) — reported, never hidden;
* RSS growth of the server (parent + workers) from a baseline taken after the warm-up that follows the mid-run
  restart to the end (every later kill and HUP included): < 50 MB.

    .venv/bin/python bench/soak_faults.py --minutes 6 --store postgresql --redis \
        --out bench/results/soak-faults.md
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_api import QUESTIONS, ROOT, free_port  # noqa: E402

TOKEN = "soak-faults-admin-token"
ADMIN_READS = ["/admin/report.json", "/admin/pins", "/admin/log", "/admin?since=2020-01-01", "/admin/gaps"]
KILL_WINDOW = 2.0  # seconds before a SIGKILL in which an answer may still sit in the killed worker's batch


# ---- services -----------------------------------------------------------------------------------------------------
class Postgres:
    """A throwaway cluster on a loopback port (run as `postgres` when we are root); stop()/start() keep its data."""

    def __init__(self, root: Path):
        self.bindir = os.path.dirname(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1])
        self.root, self.port = root, free_port()
        self.data = root / "data"
        root.mkdir(parents=True, exist_ok=True)
        root.parent.chmod(0o755)  # the postgres user must reach its folder
        if os.geteuid() == 0:
            import pwd

            pw = pwd.getpwnam("postgres")
            os.chown(root, pw.pw_uid, pw.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        cmd = [f"{self.bindir}/{tool}", *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120, cwd=self.root)

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


class Redis:
    def __init__(self, root: Path):
        self.root, self.port, self.proc = root, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


# ---- the server ---------------------------------------------------------------------------------------------------
class Server:
    """`rag serve --workers 2` from this tree, always on the same port (the client keeps its URL across restarts)."""

    def __init__(self, env: dict, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **env}
        self.log = log_path.open("ab")
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 300) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rag.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "2"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log,
        )  # fmt: skip
        deadline, ready = time.monotonic() + timeout, 0
        while ready < 4:  # several answers in a row: both workers have loaded
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"rag serve did not start (exit {self.proc.returncode})")
            try:
                ready = ready + 1 if httpx.get(self.url + "/healthz", timeout=5).status_code == 200 else 0
            except httpx.HTTPError:
                ready = 0
                time.sleep(0.5)

    def stop(self) -> float:
        """SIGTERM (as systemd and docker stop it); the seconds it took to exit."""
        t = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise SystemExit("rag serve did not stop within 90 s") from None
        return time.monotonic() - t

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def rss_mb(self) -> float:
        total = 0
        for pid in [self.proc.pid, *self.workers()]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024


# ---- the client ---------------------------------------------------------------------------------------------------
@dataclass
class Stats:
    answered: dict = field(default_factory=dict)  # answer id -> (monotonic time, question)
    codes: dict = field(default_factory=dict)  # "path-kind status" -> count
    server_errors: list = field(default_factory=list)  # (t, path, status, body head)
    transport: list = field(default_factory=list)  # (t, path, error)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, kind: str, status) -> None:
        with self.lock:
            key = f"{kind} {status}"
            self.codes[key] = self.codes.get(key, 0) + 1


def one_request(c: httpx.Client, rng: random.Random, stats: Stats) -> None:
    roll = rng.random()
    with stats.lock:
        ids = list(stats.answered)[-200:]
    if roll < 0.55 or not ids:
        q = rng.choice(QUESTIONS)
        kind, r = "ask", c.post("/api/ask", json={"question": q})
        if r.status_code == 200:
            with stats.lock:
                stats.answered[r.json()["answer_id"]] = (time.monotonic(), q)
    elif roll < 0.75:
        body = {"answer_id": rng.choice(ids), "rating": rng.choice(["up", "down"])}
        if rng.random() < 0.3:
            body["comment"] = "看不懂，电话 138-0013-8000"
        kind, r = "feedback", c.post("/api/feedback", json=body)
    elif roll < 0.93:
        path = rng.choice(ADMIN_READS)
        kind = "admin"
        r = c.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    else:
        kind, r = "healthz", c.get("/healthz")
    stats.count(kind, r.status_code)
    if r.status_code >= 500:
        with stats.lock:
            stats.server_errors.append(
                (time.monotonic(), str(r.request.url.path), r.status_code, r.text[:160])
            )


def client_loop(url: str, seed: int, stop_at: float, stats: Stats, paused: threading.Event) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=60) as c:
        while time.monotonic() < stop_at:
            if paused.is_set():
                time.sleep(0.2)
                continue
            try:
                one_request(c, rng, stats)
            except httpx.HTTPError as exc:
                with stats.lock:
                    stats.transport.append((time.monotonic(), type(exc).__name__))
                time.sleep(0.2)
            time.sleep(rng.uniform(0.0, 0.3))


# ---- faults -------------------------------------------------------------------------------------------------------
@dataclass
class Faults:
    server: Server
    db_url: str
    pg: Postgres | None
    redis: Redis | None
    hold: float
    kills: list = field(default_factory=list)  # monotonic times of SIGKILLs
    store_down: list = field(default_factory=list)  # (start, end) of the database stopped or locked
    log: list = field(default_factory=list)  # (seconds since start, what)
    stops: list = field(default_factory=list)  # seconds each orderly stop took

    def names(self) -> list[str]:
        names = ["kill_worker", "hup", "lock_db"]
        names += ["redis"] if self.redis else []
        return names + (["pg"] if self.pg else [])

    def kill_worker(self) -> str:
        workers = self.server.workers()
        if not workers:
            return "no worker to kill"
        self.kills.append(time.monotonic())
        os.kill(workers[0], signal.SIGKILL)
        return f"SIGKILL worker {workers[0]}"

    def hup(self) -> str:
        self.server.proc.send_signal(signal.SIGHUP)
        return "SIGHUP"

    def lock_db(self) -> str:
        t = time.monotonic()
        if self.db_url.startswith("sqlite"):
            conn = sqlite3.connect(self.db_url.removeprefix("sqlite:///"), timeout=30)
            conn.execute("BEGIN EXCLUSIVE")
            time.sleep(self.hold)
            conn.rollback()
            conn.close()
        else:
            import psycopg

            with psycopg.connect(f"host=127.0.0.1 port={self.pg.port} user=postgres dbname=postgres") as conn:
                conn.execute("LOCK TABLE questions, feedback IN ACCESS EXCLUSIVE MODE")
                time.sleep(self.hold)
                conn.rollback()
        self.store_down.append((t, time.monotonic()))
        return f"database locked {self.hold:.0f} s"

    def redis_fault(self) -> str:
        self.redis.stop()
        time.sleep(self.hold)
        self.redis.start()
        return f"Redis stopped {self.hold:.0f} s"

    def pg_fault(self) -> str:
        t = time.monotonic()
        self.pg.stop()
        time.sleep(self.hold)
        self.pg.start()
        self.store_down.append((t, time.monotonic()))
        return f"PostgreSQL stopped {self.hold:.0f} s"

    def restart(self, paused: threading.Event) -> str:
        took = self.server.stop()
        self.stops.append(took)
        self.server.start()
        return f"orderly stop (SIGTERM, {took:.1f} s) and start"

    def inject(self, name: str, paused: threading.Event) -> str:
        if name == "restart":
            return self.restart(paused)
        return {"redis": self.redis_fault, "pg": self.pg_fault}.get(name, getattr(self, name, None))()


# ---- the run ------------------------------------------------------------------------------------------------------
def logged_ids(db_url: str) -> set[str]:
    sys.path.insert(0, str(ROOT))
    from rag.ops.stores import Store

    store = Store(db_url)
    try:
        return {r["answer_id"] for r in store.question_rows()}
    finally:
        store.dispose()


def classify(stats: Stats, faults: Faults, logged: set[str]) -> dict:
    """Splits the 5xx and the missing rows into expected (explained by an injected fault) and unexpected."""
    in_outage = [
        e for e in stats.server_errors
        if (e[1].startswith("/admin") or e[1] == "/api/feedback") and e[2] == 503
        and any(a - 1 <= e[0] <= b + 5 for a, b in faults.store_down)
    ]  # fmt: skip
    missing = {i: v for i, v in stats.answered.items() if i not in logged}
    crash = {i for i, (t, _) in missing.items() if any(k - KILL_WINDOW <= t <= k + 0.5 for k in faults.kills)}
    return {
        "unexpected_5xx": [e for e in stats.server_errors if e not in in_outage],
        "admin_503_in_outage": len(in_outage),
        "lost_on_crash": len(crash),
        "lost_unexpected": [missing[i][1] for i in missing if i not in crash],
    }


def run(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="rag-soak-faults-"))
    pg = Postgres(work / "pg") if args.store == "postgresql" else None
    redis = Redis(work) if args.redis else None
    db_url = pg.url if pg else f"sqlite:///{work / 'rag.sqlite'}"
    env = {
        "RAG_DATABASE_URL": db_url,
        "RAG_ADMIN_TOKEN": TOKEN,
        "RAG_RATE_LIMIT": "0",
        "RAG_LOG_SALT": "soak",
    }
    if redis:
        env["RAG_REDIS_URL"] = redis.url
    server = Server(env, work / "serve.log")
    faults = Faults(server, db_url, pg, redis, hold=args.hold)
    stats, paused = Stats(), threading.Event()
    try:
        server.start()
        result = drive(args, server, faults, stats, paused)
        faults.stops.append(server.stop())  # the final orderly stop
        verdict = classify(stats, faults, logged_ids(db_url))
    finally:
        if server.proc and server.proc.poll() is None:
            server.proc.kill()
        for svc in (redis, pg):
            try:
                svc and svc.stop()
            except Exception:
                pass
    log_text = (work / "serve.log").read_text(encoding="utf-8", errors="replace")
    shutil.rmtree(work, ignore_errors=True) if not args.keep else print("kept", work)
    tracebacks = log_text.count("Traceback")
    return {**result, **verdict, "faults": faults.log, "stops": faults.stops, "codes": stats.codes,
            "answered": len(stats.answered), "transport_errors": len(stats.transport),
            "tracebacks": tracebacks, "log_tail": log_text[-3000:] if tracebacks else "",
            "store": args.store, "redis": bool(redis)}  # fmt: skip


def drive(args, server: Server, faults: Faults, stats: Stats, paused: threading.Event) -> dict:
    start = time.monotonic()
    stop_at = start + args.minutes * 60
    threads = [
        threading.Thread(target=client_loop, args=(server.url, i, stop_at, stats, paused), daemon=True)
        for i in range(args.clients)
    ]
    for t in threads:
        t.start()
    time.sleep(args.warmup)
    baseline, samples = server.rss_mb(), []
    names, n, restarted = faults.names(), 0, False
    while time.monotonic() < stop_at - args.every - 10:
        time.sleep(args.every)
        if not restarted and time.monotonic() > start + args.minutes * 20:  # once, a third of the way
            name, restarted = "restart", True
        else:
            name, n = names[n % len(names)], n + 1
        what = faults.inject(name, paused)
        if name == "restart":
            baseline = None  # a new process: the baseline is taken again after its warm-up
        faults.log.append((round(time.monotonic() - start, 1), what))
        print(f"[{time.monotonic() - start:6.1f}s] {what}", flush=True)
        samples.append(round(server.rss_mb(), 1))
        if baseline is None:
            time.sleep(args.warmup / 2)
            baseline = server.rss_mb()
    for t in threads:
        t.join(timeout=90)
    time.sleep(5)  # the last reload settled
    final = server.rss_mb()
    return {"seconds": round(time.monotonic() - start), "rss_baseline": round(baseline, 1),
            "rss_final": round(final, 1), "rss_growth": round(final - baseline, 1), "rss_samples": samples}  # fmt: skip


def report(res: dict, cmd: str) -> str:
    ok = (
        not res["unexpected_5xx"] and not res["lost_unexpected"] and res["rss_growth"] < 50
        and res["tracebacks"] == 0
    )  # fmt: skip
    lines = [
        "# Soak with injected faults (issue 28)",
        "",
        f"Command: `{cmd}` (2 CPU cores shared with other work; `rag serve --workers 2` on 127.0.0.1, store "
        f"{res['store']}{' + Redis' if res['redis'] else ''})",
        "",
        f"Result: **{'PASS' if ok else 'FAIL'}** — {res['seconds']} s, {res['answered']} questions answered, "
        f"{len(res['faults'])} faults injected; unexpected 5xx: **{len(res['unexpected_5xx'])}**; rows lost "
        f"on orderly stops: **{len(res['lost_unexpected'])}**; RSS {res['rss_baseline']} → {res['rss_final']} MB "
        f"(growth **{res['rss_growth']:+.1f} MB**, limit 50); tracebacks in the server log: {res['tracebacks']}",
        "",
        f"Explained by a fault, counted apart: {res['transport_errors']} transport errors (requests in flight on a "
        f"killed worker, or sent while the server restarted), {res['admin_503_in_outage']} admin reads or ratings "
        f"answered 503 while the database was stopped or locked, {res['lost_on_crash']} answers not logged because their "
        f"worker was killed with SIGKILL within {KILL_WINDOW:.0f} s of answering (a crash, not an orderly stop).",
        "",
        f"Orderly stops (SIGTERM) took: {[round(s, 1) for s in res['stops']]} s",
        "",
        f"Status codes: `{json.dumps(res['codes'], ensure_ascii=False, sort_keys=True)}`",
        "",
        f"RSS samples after each fault (MB): {res['rss_samples']}",
        "",
        "Faults (seconds since start):",
        "",
        *[f"- {t} s: {what}" for t, what in res["faults"]],
    ]
    if res["unexpected_5xx"]:
        lines += ["", "Unexpected 5xx:", "", *[f"- `{e[1:]}`" for e in res["unexpected_5xx"][:20]]]
    if res["lost_unexpected"]:
        lines += ["", f"Rows lost: {res['lost_unexpected'][:20]}"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=6)
    p.add_argument("--clients", type=int, default=3)
    p.add_argument("--every", type=float, default=6.0, help="seconds between faults")
    p.add_argument("--hold", type=float, default=5.0, help="seconds a lock or outage lasts")
    p.add_argument("--warmup", type=float, default=20.0)
    p.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--redis", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the work folder (logs, database)")
    p.add_argument("--out")
    args = p.parse_args(argv)
    res = run(args)
    text = report(res, "python bench/soak_faults.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    print(text)
    if res["log_tail"]:
        print(res["log_tail"])
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0 if "**PASS**" in text else 1


if __name__ == "__main__":
    sys.exit(main())
