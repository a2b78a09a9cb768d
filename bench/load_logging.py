"""Question log overhead: answers/s of `rag serve` with the log on (SQLite, the default) versus off, in one run.

    python bench/load_logging.py --clients 50 --seconds 60 [--rounds 6] [--out bench/results/load-logging.md]

Both servers run side by side on 127.0.0.1 (rate limit raised with RAG_RATE_LIMIT=0); the load alternates
between them in short rounds (off, on, off, on, …) so that drift in the machine's load hits both alike. After
the run, the 'on' server's /healthz must show every answer written and none lost."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_api import check_loopback, free_port, run_load  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def start(env_extra: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "RAG_RATE_LIMIT": "0", **env_extra},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"rag serve exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                check_loopback(url)
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("rag serve did not start in 180 s")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60, help="per mode, split into --rounds rounds")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="rag-bench-log-")
    db = f"sqlite:///{tmp}/rag.sqlite"
    servers = {
        "off": start({"RAG_LOG": "off"}),
        "on": start({"RAG_LOG": "on", "RAG_DATABASE_URL": db, "RAG_LOG_SALT": "bench"}),
    }
    totals = {m: {"answers": 0, "errors": 0, "wall": 0.0, "p50": [], "p95": []} for m in servers}
    try:
        for _ in range(args.rounds):
            for mode in ("off", "on"):
                res = asyncio.run(run_load(servers[mode][1], args.clients, args.seconds / args.rounds))
                t = totals[mode]
                t["answers"] += res["answers"]
                t["errors"] += res["errors"]
                t["wall"] += res["wall"]
                t["p50"].append(res["p50"])
                t["p95"].append(res["p95"])
        time.sleep(2)  # the writer's last batch
        health = httpx.get(servers["on"][1] + "/healthz", timeout=10).json()["question_log"]
    finally:
        for proc, _ in servers.values():
            stop(proc)
    rate = {m: t["answers"] / t["wall"] for m, t in totals.items()}
    ratio = rate["on"] / rate["off"]
    lines = [
        f"| {m} | {t['answers']} | {t['errors']} | {rate[m]:.1f} | {sorted(t['p50'])[len(t['p50']) // 2]:.0f} "
        f"| {sorted(t['p95'])[len(t['p95']) // 2]:.0f} |"
        for m, t in totals.items()
    ]
    summary = (
        f"logging on / off = {ratio:.3f} ({(ratio - 1) * 100:+.1f} %); question log: written {health['written']}, "
        f"lost {health['lost']}, queued {health['queued']} (answers with logging on: {totals['on']['answers']})"
    )
    print("\n".join(lines))
    print(summary)
    if args.out:
        cmd = "python bench/load_logging.py " + " ".join(sys.argv[1:])
        Path(args.out).write_text(
            "# Question log overhead: POST /api/ask with the log on versus off\n\n"
            f"Command: `{cmd}` (two `rag serve` on 127.0.0.1, `RAG_RATE_LIMIT=0`; the log on a SQLite file; "
            f"{args.rounds} alternating rounds per mode; client and servers share the machine)\n\n"
            f"Machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.platform()}\n\n"
            "| log | answers | errors | answers/s | p50 ms (median round) | p95 ms (median round) |\n"
            "|---|---|---|---|---|---|\n" + "\n".join(lines) + f"\n\n{summary}\n",
            encoding="utf-8",
        )
    ok = ratio >= 0.9 and health["lost"] == 0 and health["written"] == totals["on"]["answers"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
