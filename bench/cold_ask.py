"""Cold `rag ask` wall time (issue 15: target <= 1.5 s on the reference machine): a fresh interpreter per run
and question (a plain one and a typo the homophone repair fixes),
as a citizen's shell starts it, this tree and the baseline (the code before the issue: BASELINE_REF
unpacked by git archive) alternating so both see the same machine load; prints each run and the medians.

    .venv/bin/python bench/cold_ask.py --runs 7 --out bench/results/cold-ask.md
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE_REF = "9ff1fb3"  # main before issue 15
QUESTIONS = ("青岛育儿假有几天？", "通化婚家几天")  # a plain question, and a typo the homophone repair fixes
TARGET_S = 1.5


def once(tree: Path, question: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree), "RAG_HOME": str(ROOT), "RAG_INDEX_DIR": str(ROOT / "index")}
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "rag.cli", "ask", question], cwd=tree, env=env, capture_output=True,
                       text=True, timeout=120)  # fmt: skip
    wall = time.perf_counter() - t
    if r.returncode != 0 or "假" not in r.stdout:
        raise SystemExit(f"rag ask failed in {tree}: {r.stderr[-1000:]}")
    return wall


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--baseline-ref", default=BASELINE_REF)
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    runs = max(1, min(args.runs, 30))
    base = Path(tempfile.mkdtemp(prefix="rag-baseline-"))
    archive = subprocess.run(["git", "archive", args.baseline_ref], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(
        ["tar", "-x", "-C", str(base)], input=archive.stdout, check=True
    )  # the repository is untouched
    times: dict[tuple[str, str], list[float]] = {}
    loads, table = [], []
    try:
        for tree in (
            ROOT,
            base,
        ):  # fills the OS page cache and jieba's dictionary cache, as on a used machine
            once(tree, QUESTIONS[0])
        for i in range(runs):
            for q in QUESTIONS:
                row = [once(tree, q) for tree in (ROOT, base)]
                times.setdefault((q, "this tree"), []).append(row[0])
                times.setdefault((q, "baseline"), []).append(row[1])
                loads.append(os.getloadavg()[0])
                table.append(f"| {i + 1} | {q} | {row[0]:.2f} | {row[1]:.2f} | {loads[-1]:.1f} |")
                print(f"run {i + 1} {q}: this tree {row[0]:.2f} s, baseline {row[1]:.2f} s, load {loads[-1]:.1f}",
                      flush=True)  # fmt: skip
    finally:
        shutil.rmtree(base, ignore_errors=True)
    lines = []
    for q in QUESTIONS:
        mine, theirs = statistics.median(times[(q, "this tree")]), statistics.median(times[(q, "baseline")])
        verdict = "meets" if mine <= TARGET_S else "misses"
        lines.append(
            f'median cold `rag ask "{q}"`: this tree {mine:.2f} s ({verdict} the {TARGET_S} s target), '
            f"baseline {theirs:.2f} s ({theirs / mine:.2f}× faster), {runs} runs each"
        )
    lines.append(f"load average during the runs: {min(loads):.1f}–{max(loads):.1f}")
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text(
            "# Cold `rag ask` (issue 15)\n\n"
            f"Command: `python bench/cold_ask.py {' '.join(sys.argv[1:])}` — each question in a fresh interpreter "
            f"(`python -m rag.cli ask`), this tree and the baseline ({args.baseline_ref}, before the issue) "
            "alternating, so both see the same machine load.\n\n"
            f"Machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.platform()}.\n\n"
            "| run | question | this tree s | baseline s | load |\n|---|---|---|---|---|\n"
            + "\n".join(table)
            + "\n\n"
            + "\n".join(f"* **{x}**" for x in lines)
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
