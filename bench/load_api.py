"""Load benchmark: N concurrent clients POST /api/ask against a real `rag serve` on 127.0.0.1 for D seconds.

    .venv/bin/python bench/load_api.py --clients 50 --seconds 60 [--url http://127.0.0.1:PORT] [--out bench/results/load.md]

Without --url it starts `rag serve` itself (rate limit raised through RAG_RATE_LIMIT=0, as SECURITY.md
describes) and stops it afterwards. Only loopback addresses are accepted as targets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

QUESTIONS = [
    "青岛育儿假有几天？",
    "北京生育津贴怎么领取？",
    "重庆对三孩家庭有什么住房支持？",
    "贵州婚假多少天？",
    "通化市托育服务有哪些补贴？",
    "产假有多少天？",
    "北京的育儿假",
    "青岛住院分娩补贴多少钱？",
]
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env_extra: dict) -> tuple[subprocess.Popen, str]:
    """`rag serve` from this source tree (the interpreter running the benchmark, PYTHONPATH = the tree), its
    log in a file (proc.log_path) so a chatty server never blocks on a full pipe."""
    import tempfile

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env_extra}
    log = tempfile.NamedTemporaryFile("w+b", prefix="rag-serve-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    proc.log_path = log.name
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"rag serve exited: {Path(log.name).read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("rag serve did not start in 180 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def check_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit("refusing: benchmarks only target 127.0.0.1 / localhost")


async def run_load(url: str, clients: int, seconds: float) -> dict:
    lat, errors, codes = [], 0, {}
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def worker(i: int):
            nonlocal errors
            n = i
            while time.monotonic() < stop:
                q = QUESTIONS[n % len(QUESTIONS)]
                n += 1
                t = time.perf_counter()
                try:
                    r = await client.post("/api/ask", json={"question": q})
                    ok = r.status_code == 200 and r.json().get("answer")
                    codes[r.status_code] = codes.get(r.status_code, 0) + 1
                except (httpx.HTTPError, ValueError) as exc:
                    codes[type(exc).__name__] = codes.get(type(exc).__name__, 0) + 1
                    ok = False
                if ok:
                    lat.append(time.perf_counter() - t)
                else:
                    errors += 1

        t0 = time.monotonic()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        wall = time.monotonic() - t0
    lat.sort()
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [0] * 99
    return {
        "answers": len(lat),
        "errors": errors,
        "codes": codes,
        "wall": wall,
        "rate": len(lat) / wall,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "max": (lat[-1] if lat else 0) * 1000,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="an already running server (loopback only)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--out", help="write a Markdown report here")
    args = ap.parse_args(argv)
    proc = None
    url = args.url
    if url is None:
        proc, url = start_server({"RAG_RATE_LIMIT": "0"})
    check_loopback(url)
    try:
        res = asyncio.run(run_load(url, args.clients, args.seconds))
    finally:
        if proc:
            stop_server(proc)
    line = (
        f"{args.clients} clients × {args.seconds:.0f} s on /api/ask: {res['answers']} answers, {res['errors']} errors, "
        f"{res['rate']:.1f} answers/s, p50 {res['p50']:.0f} ms, p95 {res['p95']:.0f} ms, max {res['max']:.0f} ms, "
        f"status codes {res['codes']}"
    )
    print(line)
    if args.out:
        cmd = "python bench/load_api.py " + " ".join(sys.argv[1:])
        Path(args.out).write_text(
            "# Load benchmark: POST /api/ask\n\n"
            f"Command: `{cmd}` (starts `rag serve` on 127.0.0.1 with `RAG_RATE_LIMIT=0`; client and server share the machine)\n\n"
            f"Machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.platform()}\n\n"
            "| clients | seconds | answers | errors | answers/s | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|---|---|---|\n"
            f"| {args.clients} | {res['wall']:.0f} | {res['answers']} | {res['errors']} | {res['rate']:.1f} | {res['p50']:.0f} "
            f"| {res['p95']:.0f} | {res['max']:.0f} |\n\nStatus codes: {res['codes']}\n",
            encoding="utf-8",
        )
    return 0 if res["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
