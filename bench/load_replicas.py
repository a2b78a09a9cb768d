"""Workers and the query caches under load (issue 15), all in ONE run on the same machine:

    .venv/bin/python bench/load_replicas.py --clients 50 --seconds 5 --rounds 4 --out bench/results/load-replicas.md

Servers, each started here on 127.0.0.1 with RAG_RATE_LIMIT=0 and stopped at the end:
  * baseline:  `rag serve` of the code before this issue (BASELINE_REF unpacked by git archive: one process, no caches),
  * 1 worker:  `rag serve` of this tree,
  * 2 workers: `rag serve --workers 2` of this tree.
All three run side by side and are loaded in turn, in short slices over several rounds, so the
changing load of other jobs on a shared machine falls on each alike. Against each, three mixes on disjoint
question pools (see MIXES): distinct questions (never repeated, so no cache can help), half-new (the 20 most
common questions make up half the traffic, the other half never repeats) and zipf (the same 20 are half the
traffic, the rest a long tail that sometimes repeats). Reports answers/s, answers per server CPU-second, p50,
p95, errors, the client's own CPU per answer, the server's memory (RSS and PSS summed over its processes: PSS
counts shared pages once) and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import httpx  # noqa: E402
from lean_http import LeanConnection  # noqa: E402
from load_api import check_loopback, free_port, stop_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BASELINE_REF = "9ff1fb3"  # main before issue 15 (one process, no query caches)

REGIONS = ["北京", "重庆", "贵州", "青岛", "通化", "北京市", "重庆市", "贵州省", "青岛市", "通化市"]
TOPICS = [
    "育儿假", "产假", "婚假", "陪产假", "生育津贴", "生育补贴", "育儿补贴", "托育补贴", "托育服务",
    "住房支持", "公积金", "个税扣除", "三孩家庭", "二孩家庭", "分娩费用", "产前检查", "辅助生殖", "护理假",
]  # fmt: skip
FORMS = ["{r}{t}有几天？", "{r}{t}怎么申请？", "{r}的{t}政策是什么？", "{r}有没有{t}？", "请问{r}{t}标准是多少？",
         "{r}{t}需要什么条件？", "在{r}，{t}怎么规定的？", "{r}{t}多少钱？"]  # fmt: skip
# what a citizen says about themselves first: it changes the question (no cache hit), unlike a greeting, which
# rag.question.record.strip_courtesy removes before anything is embedded or cached
CONTEXTS = ["", "我老婆快生了，", "家里准备要二胎，", "我在企业上班，", "孩子刚满一岁，", "我是灵活就业人员，",
            "我们是双职工，"]  # fmt: skip
COMMON = [
    "青岛育儿假有几天？", "北京生育津贴怎么领取？", "重庆对三孩家庭有什么住房支持？", "贵州婚假多少天？",
    "通化市托育服务有哪些补贴？", "产假有多少天？", "北京的育儿假", "青岛住院分娩补贴多少钱？",
    "北京产假多少天", "重庆育儿补贴多少钱", "贵州产假几天", "通化育儿假几天", "青岛婚假几天",
    "北京陪产假几天", "重庆婚假有多少天", "贵州育儿补贴怎么领", "青岛托育补贴", "通化生育补贴",
    "北京公积金生育支持", "重庆个税扣除",
]  # fmt: skip


def pools(seed: int = 15) -> tuple[list[str], list[str], list[str]]:
    """Three disjoint shuffled pools of distinct questions (one per mix), so no mix warms another's caches."""
    qs = [c + f.format(r=r, t=t) for c, r, t, f in itertools.product(CONTEXTS, REGIONS, TOPICS, FORMS)]
    qs = [q for q in dict.fromkeys(qs) if q not in COMMON]
    random.Random(seed).shuffle(qs)
    n = len(qs) // 4
    return qs[:n], qs[n : 2 * n], qs[2 * n :]


def start(tree: Path, workers: int, env_extra: dict) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="rag-bench-serve-", suffix=".log")[1])
    cmd = [sys.executable, "-m", "rag.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": str(tree), "RAG_HOME": str(ROOT), "RAG_INDEX_DIR": str(ROOT / "index"),
           "RAG_RATE_LIMIT": "0", "RAG_LOG": "off", **env_extra}  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    ready = 0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"rag serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            # every worker must be up: ask until `workers` different processes have answered /healthz
            if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                ready += 1
                if ready >= 1 and _workers_up(proc) >= workers:
                    time.sleep(1)
                    return proc, url, log
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("rag serve did not start in 300 s")


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _workers_up(proc: subprocess.Popen) -> int:
    """Processes that have loaded the model (the supervisor's children, or the single server itself)."""
    kids = _children(proc.pid)
    return len(kids) if kids else 1


def memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MB summed over the process and its children."""
    rss = pss = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) / 1024
        except OSError:
            pass
    return rss, pss


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server and its workers so far (a shared machine's fair measure of cost:
    it does not depend on how much of the CPU other jobs took meanwhile)."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


async def run(url: str, clients: int, seconds: float, questions) -> dict:
    """`questions`: an iterator shared by the clients (each request takes the next question). Each client keeps
    one connection (bench/lean_http.py, so the client's own CPU stays small); the client's CPU is reported."""
    lat, codes = [], {}
    stop = time.monotonic() + seconds
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)

    async def worker():
        conn = LeanConnection(url)
        try:
            while time.monotonic() < stop:
                q = next(questions)
                t = time.perf_counter()
                try:
                    status, body = await conn.post_json("/api/ask", {"question": q})
                    key = status if status != 200 or (body or {}).get("answer") else "empty"
                except (OSError, asyncio.TimeoutError) as exc:
                    key = type(exc).__name__
                codes[key] = codes.get(key, 0) + 1
                if key == 200:
                    lat.append(time.perf_counter() - t)
        finally:
            await conn.close()

    t0 = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(clients)))
    wall = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    lat.sort()

    def pct(p):
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else 0.0

    return {
        "answers": len(lat),
        "errors": sum(v for k, v in codes.items() if k != 200),
        "codes": codes,
        "rate": len(lat) / wall,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "lat": lat,
        "wall": wall,
        "client_cpu": client_cpu,
    }


def merge(parts: list[dict]) -> dict:
    """One result from several slices of the same (server, mix)."""
    lat = sorted(x for p in parts for x in p["lat"])
    codes: dict = {}
    for p in parts:
        for k, v in p["codes"].items():
            codes[k] = codes.get(k, 0) + v
    wall = sum(p["wall"] for p in parts)

    def pct(q):
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0.0

    errors = sum(p["errors"] for p in parts)
    cpu = sum(p.get("cpu", 0.0) for p in parts)
    client = sum(p.get("client_cpu", 0.0) for p in parts)
    return {"answers": len(lat), "errors": errors, "codes": codes, "rate": len(lat) / wall, "p50": pct(0.5),
            "p95": pct(0.95), "per_cpu": len(lat) / cpu if cpu else 0.0,
            "client_ms": client / len(lat) * 1000 if lat else 0.0}  # fmt: skip


MIXES = ("distinct", "half-new", "zipf")


def distinct(pool: list[str]):
    seen = 0
    for q in pool:
        seen += 1
        yield q
    raise SystemExit(f"the distinct pool ({seen} questions) ran out: lower --seconds or --clients")


def half_new(pool: list[str], seed: int = 15):
    """Half the traffic from the 20 common questions (Zipf-like weights), the other half never repeated: the
    worst case of "the 20 most common questions make up half the traffic"."""
    rng = random.Random(seed)
    weights = [1 / (i + 1) for i in range(len(COMMON))]
    rest = iter(pool)
    while True:
        if rng.random() < 0.5:
            yield rng.choices(COMMON, weights)[0]
        else:
            q = next(rest, None)
            if q is None:
                raise SystemExit("the half-new pool ran out: lower --seconds or --clients")
            yield q


def zipf_exponent(n: int, top: int = 20, share: float = 0.5) -> float:
    """The exponent s for which the `top` most common of `n` questions (weights 1/k^s) get `share` of traffic."""
    lo, hi = 0.5, 3.0
    for _ in range(60):
        s = (lo + hi) / 2
        w = [k**-s for k in range(1, n + 1)]
        lo, hi = (s, hi) if sum(w[:top]) / sum(w) < share else (lo, s)
    return (lo + hi) / 2


def zipf(pool: list[str], seed: int = 15):
    """Question popularity as it is observed in search and help-desk logs (Zipf): the 20 common questions are the
    top ranks and make up half the traffic; the rest is a long tail over the pool (more questions than the
    caches hold), where a question may come back, rarely."""
    ranked = COMMON + pool
    s = zipf_exponent(len(ranked))
    cum = list(itertools.accumulate(k**-s for k in range(1, len(ranked) + 1)))
    rng = random.Random(seed)
    while True:
        yield rng.choices(ranked, cum_weights=cum)[0]


def baseline_tree(ref: str) -> Path:
    """The source of `ref` in a temp folder (git archive: the repository and its worktrees are untouched)."""
    path = Path(tempfile.mkdtemp(prefix="rag-baseline-"))
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(path)], input=archive, check=True)
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=5, help="seconds per slice")
    ap.add_argument("--rounds", type=int, default=4, help="slices per server and mix, taken in turn")
    ap.add_argument("--baseline-ref", default=BASELINE_REF)
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    if args.seconds > 60 or args.clients > 200 or args.rounds > 20:
        raise SystemExit("bounded benchmark: at most 60 s slices, 20 rounds and 200 clients")
    pool_a, pool_b, pool_c = pools()
    base = baseline_tree(args.baseline_ref)
    configs = [("baseline (before issue 15)", base, 1), ("1 worker", ROOT, 1), ("2 workers", ROOT, 2)]
    rows, loads = [], []
    servers = []
    try:
        # all servers up at once, then short slices in turn (round robin), so that the other jobs' changing load
        # on this shared machine falls on every configuration alike instead of on whichever ran last
        for name, tree, workers in configs:
            proc, url, log = start(tree, workers, {})
            check_loopback(url)
            servers.append((name, proc, url, log))
        mixes = {
            name: {"distinct": distinct(pool_a), "half-new": half_new(pool_b), "zipf": zipf(pool_c)}
            for name, *_ in configs
        }
        parts: dict = {}
        for r in range(args.rounds):
            for name, _proc, url, _ in servers:
                for mix, questions in mixes[name].items():
                    cpu = cpu_seconds(_proc.pid)
                    res = asyncio.run(run(url, args.clients, args.seconds, questions))
                    res["cpu"] = cpu_seconds(_proc.pid) - cpu
                    loads.append(os.getloadavg()[0])
                    parts.setdefault((name, mix), []).append(res)
                    print(f"round {r + 1} {name:28s} {mix:9s} {res['rate']:6.1f} answers/s  "
                          f"{res['answers'] / max(res['cpu'], 1e-9):6.1f} answers/CPU-s  "
                          f"client {res['client_cpu'] / max(res['answers'], 1) * 1000:.2f} ms/answer  errors {res['errors']}  "
                          f"load {loads[-1]:.1f}", flush=True)  # fmt: skip
        for name, proc, _, _ in servers:
            rss, pss = memory(proc.pid)
            for mix in MIXES:
                res = merge(parts[(name, mix)])
                rows.append((name, mix, res, rss, pss))
                print(f"{name:28s} {mix:9s} {res['rate']:6.1f} answers/s  {res['per_cpu']:6.1f} answers/CPU-s  p50 {res['p50']:5.0f} ms  "
                      f"p95 {res['p95']:5.0f} ms  errors {res['errors']}  RSS {rss:.0f} MB  PSS {pss:.0f} MB",
                      flush=True)  # fmt: skip
    finally:
        for _, proc, _, log in servers:
            stop_server(proc)
            log.unlink(missing_ok=True)
        shutil.rmtree(base, ignore_errors=True)
    rate = {(n, m): r["rate"] for n, m, r, *_ in rows}
    per_cpu = {(n, m): r["per_cpu"] for n, m, r, *_ in rows}
    b = configs[0][0]
    summary = []
    for n, *_ in configs[1:]:
        parts_ = [
            f"{m} **{rate[(n, m)] / rate[(b, m)]:.2f}×** (per CPU-second {per_cpu[(n, m)] / per_cpu[(b, m)]:.2f}×)"
            for m in MIXES
        ]
        summary.append(f"* {n} / baseline, answers/s: " + "; ".join(parts_))
    # the ceiling of the half-new mix: even if a cached answer cost nothing, every new question costs what a
    # distinct one costs here, so answers per CPU-second can at most double over this tree's distinct rate
    for n, *_ in configs[1:]:
        ceiling = 2 * per_cpu[(n, "distinct")] / per_cpu[(b, "half-new")]
        summary.append(
            f"* half-new ceiling for {n}: with free cache hits, {ceiling:.2f}× the baseline's answers per CPU-second"
            " (every never-seen question still pays one query embedding)"
        )
    client = max(r["client_ms"] for _, _, r, *_ in rows)
    errors = sum(r["errors"] for _, _, r, *_ in rows)
    print("\n".join(summary), f"\nclient CPU at most {client:.2f} ms per answer; errors in total: {errors}")
    if args.out:
        table = "\n".join(
            f"| {n} | {m} | {r['answers']} | {r['errors']} | {r['rate']:.1f} | {r['per_cpu']:.1f} | {r['p50']:.0f} "
            f"| {r['p95']:.0f} | {r['client_ms']:.2f} | {rss:.0f} | {pss:.0f} |"
            for n, m, r, rss, pss in rows
        )
        Path(args.out).write_text(
            "# Load benchmark: workers and query caches (issue 15)\n\n"
            f"Command: `python bench/load_replicas.py {' '.join(sys.argv[1:])}` — {args.clients} clients, each with"
            f" one keep-alive connection (bench/lean_http.py); the three servers run side by side and take "
            f"{args.rounds} slices of {args.seconds:.0f} s per mix in turn, POST /api/ask on 127.0.0.1, "
            "`RAG_RATE_LIMIT=0`; client and servers share the machine. "
            f"Baseline = `rag serve` at {args.baseline_ref} (before this issue), same run.\n\n"
            f"Machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.platform()}; "
            f"1-min load average {min(loads):.1f}–{max(loads):.1f} during the runs (it counts the servers' waiting "
            "threads too).\n\n"
            "Mixes (disjoint question pools): **distinct** never repeats a question; **half-new**: the 20 common "
            "questions are half the traffic, the other half never repeats; **zipf**: the 20 common questions are "
            f"the top ranks of a Zipf popularity over {len(COMMON) + len(pool_c)} questions (exponent "
            f"{zipf_exponent(len(COMMON) + len(pool_c)):.2f}, chosen so that they are half the traffic), more "
            "questions than the caches hold.\n\n"
            "| server | questions | answers | errors | answers/s | answers/CPU-s | p50 ms | p95 ms | client CPU ms/answer "
            "| RSS MB | PSS MB |\n"
            f"|---|---|---|---|---|---|---|---|---|---|---|\n{table}\n\n"
            "answers/CPU-s: answers per second of CPU time used by the server's processes (user + system), "
            "which other jobs on the machine do not change.\n\n"
            + "\n".join(summary)
            + f"\n\nErrors in total: {errors}. Status codes per run: "
            + "; ".join(f"{n}/{m}: {r['codes']}" for n, m, r, *_ in rows)
            + "\n",
            encoding="utf-8",
        )
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
