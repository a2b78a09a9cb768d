"""Cold `rag ask` wall time (issue 15: target <= 1.5 s on the reference machine): a fresh interpreter per run,
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
QUESTION = "青岛育儿假有几天？"


def once(tree: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree), "RAG_HOME": str(ROOT), "RAG_INDEX_DIR": str(ROOT / "index")}
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "rag.cli", "ask", QUESTION], cwd=tree, env=env, capture_output=True,
                       text=True, timeout=120)  # fmt: skip
    wall = time.perf_counter() - t
    if r.returncode != 0 or "育儿假" not in r.stdout:
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
    times: dict[str, list[float]] = {"this tree": [], "baseline": []}
    loads = []
    try:
        once(ROOT)  # fills the OS page cache and jieba's dictionary cache for both, as on a used machine
        once(base)
        for i in range(runs):
            for name, tree in (("this tree", ROOT), ("baseline", base)):
                times[name].append(once(tree))
            loads.append(os.getloadavg()[0])
            print(f"run {i + 1}: this tree {times['this tree'][-1]:.2f} s, baseline {times['baseline'][-1]:.2f} s, "
                  f"load {loads[-1]:.1f}", flush=True)  # fmt: skip
    finally:
        shutil.rmtree(base, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["baseline"] / med["this tree"]
    line = (
        f"median cold `rag ask`: this tree {med['this tree']:.2f} s, baseline {med['baseline']:.2f} s "
        f"({ratio:.2f}× faster), {runs} runs each, load average {min(loads):.1f}–{max(loads):.1f}"
    )
    print(line)
    if args.out:
        rows = "\n".join(
            f"| {i + 1} | {a:.2f} | {b:.2f} | {lo:.1f} |"
            for i, (a, b, lo) in enumerate(zip(times["this tree"], times["baseline"], loads, strict=True))
        )
        Path(args.out).write_text(
            "# Cold `rag ask` (issue 15)\n\n"
            f'Command: `python bench/cold_ask.py {" ".join(sys.argv[1:])}` — `rag ask "{QUESTION}"` in a fresh '
            f"interpreter, this tree and the baseline ({args.baseline_ref}, before the issue) alternating.\n\n"
            f"Machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.platform()}; "
            "shared with other jobs (1-min load average per run below).\n\n"
            f"| run | this tree s | baseline s | load |\n|---|---|---|---|\n{rows}\n\n**{line}**\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
