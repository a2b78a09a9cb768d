"""Before/after answers of every kept question set (issue 21: behaviour frozen through the package move).

    python bench/house/compare_answers.py BEFORE_DIR AFTER_DIR

Each DIR holds `rag ask --batch … --json` output per set (gold, citizen, citizen-dev, examples). Prints, per set, how
many answers are byte-identical and, for the rest, which fields differ. Retrieval scores are also compared rounded to
5 decimals: FAISS inner products on a busy machine can differ in the 6th decimal from run to run (seen between two
runs of the same code), which changes no rank and no answer.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _rounded(row: dict) -> dict:
    out = dict(row)
    out["citations"] = [{**c, "score": round(c["score"], 5)} for c in row.get("citations", [])]
    return out


def compare(before: Path, after: Path) -> list[str]:
    lines = []
    for path in sorted(before.glob("*.jsonl")):
        a = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        b = [json.loads(x) for x in (after / path.name).read_text(encoding="utf-8").splitlines()]
        same = sum(x == y for x, y in zip(a, b))
        noise = sum(x != y and _rounded(x) == _rounded(y) for x, y in zip(a, b))
        changed = [(x["id"], sorted(k for k in x if x[k] != y.get(k))) for x, y in zip(a, b) if _rounded(x) != _rounded(y)]
        lines.append(
            f"{path.stem}: {len(a)} answers, {same} byte-identical, {noise} differ only in a score's 6th decimal, "
            f"{len(changed)} changed" + (f" {changed}" if changed else "")
        )
    return lines


if __name__ == "__main__":
    print("\n".join(compare(Path(sys.argv[1]), Path(sys.argv[2]))))
