"""Memory (issue 16): float32 vs float16 vectors, measured on the gold set with the default embedder.

Retrieval (hybrid, region filter as the assistant applies it) is run twice over the same query vectors: with the
index's float32 clause vectors and with the same vectors rounded to float16 (what a float16 store would hold), and
sentence selection's scores are compared the same way. Prints Recall@1/@5 and the loaded bytes per choice, and
writes bench/results/vectors.md. Usage: python bench/bench_vectors.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from rag.assistant import Assistant

    asst = Assistant.load()
    gold = [
        json.loads(x) for x in (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines() if x
    ]
    gold = [g for g in gold if g.get("relevant_ids")]
    r = asst.retriever
    m32 = np.array(r.parts.matrix, dtype=np.float32)
    s32 = np.asarray(asst.index.sentence_vectors, dtype=np.float32)
    out = {}
    for name, cast in (("float32", np.float32), ("float16", np.float16)):
        r.parts.matrix = m32.astype(cast).astype(np.float32)
        sv = s32.astype(cast)
        at1 = at5 = 0
        top_sentence_same = n_sent = 0
        for g in gold:
            q = asst.question(g["question"])
            scored = r.score_all(q.query)
            hits = r.rank(scored, list(q.regions) or None, 5)
            ids = [h.chunk.id for h in hits]
            at1 += bool(ids[:1] and ids[0] in g["relevant_ids"])
            at5 += bool(set(ids) & set(g["relevant_ids"]))
            if hits and scored.query_vector is not None:
                i = asst._row[hits[0].chunk.id]
                a, b = asst.index.sentence_offsets[i], asst.index.sentence_offsets[i + 1]
                top16 = int(np.argmax(sv[a:b].astype(np.float32) @ scored.query_vector))
                top32 = int(np.argmax(s32[a:b] @ scored.query_vector))
                top_sentence_same += top16 == top32
                n_sent += 1
        out[name] = {
            "recall@1": round(at1 / len(gold), 3),
            "recall@5": round(at5 / len(gold), 3),
            "best_sentence_same_as_float32": round(top_sentence_same / max(n_sent, 1), 3),
            "vector_mb": round((m32.size + s32.size) * np.dtype(cast).itemsize / 2**20, 2),
        }
    r.parts.matrix = m32
    rows = [
        f"| {k} | {v['recall@1']} | {v['recall@5']} | {v['best_sentence_same_as_float32']} | {v['vector_mb']} |"
        for k, v in out.items()
    ]
    table = "| vectors | Recall@1 | Recall@5 | best sentence = float32's | clause + sentence vectors (MB) |\n"
    table += "|---|---|---|---|---|\n" + "\n".join(rows)
    print(table)
    (ROOT / "bench" / "results" / "vectors.md").write_text(
        f"# float32 vs float16 vectors (issue 16)\n\n`python bench/bench_vectors.py`, {time.strftime('%Y-%m-%d %H:%M')}, "
        f"gold set ({len(gold)} questions with relevant clauses), embedder {asst.settings.embedder}, hybrid retrieval."
        f"\n\n{table}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
