"""`rag report`, `rag pin …` and `rag log purge`: the operator's commands over the question-log database.

Their arguments are declared in rag/cli.py, which imports this module only when one of them runs (SQLAlchemy and
matplotlib stay off the path of `rag ask`); every user error is a RagError (one line, exit 2)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..assistant import Assistant
from ..errors import RagError
from . import coverage
from .alerts import check, load_alert_config
from .pins import add_pin, calibrate, index_chunks, verify_pins
from .report import build_report, parse_date, parse_since, region_label, render_html, write_csv
from .stores import Store, load_store_config
from .stores import messages as M


def _store(settings):
    return Store(load_store_config(settings).url)


def cmd_report(args, settings) -> int:
    if getattr(args, "alert", False):
        return _alert(args, settings)
    since = parse_since(args.since)
    store = _store(settings)
    try:
        chunks = index_chunks(settings)
    except RagError:
        chunks = None  # no index: the report still shows the log, pins are not re-checked
    report = build_report(store, since, chunks)
    if args.html:
        Path(args.html).write_text(render_html(report), encoding="utf-8")
        print(M.CLI_HTML_WRITTEN.format(path=args.html), file=sys.stderr)
    if args.csv:
        with open(args.csv, "w", encoding="utf-8-sig", newline="") as fh:
            n = write_csv(store, since, fh)
        print(M.CLI_CSV_WRITTEN.format(n=n, path=args.csv), file=sys.stderr)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    elif not args.html and not args.csv:
        _print_text(report)
    if not report["questions"]:
        print(M.NOTHING_TO_REPORT, file=sys.stderr)
    return 0


def _alert(args, settings) -> int:
    """One line; exit 1 when a share is over its limit (cron mails it, a monitor pages on it)."""
    config = load_alert_config(
        settings,
        refused_share=args.refused_share,
        down_share=args.down_share,
        min_questions=args.min_questions,
        window_minutes=args.window_minutes,
    )
    result = check(_store(settings), config)
    print(result.line)
    return 1 if result.alert else 0


def _print_text(r: dict) -> None:
    lat, fb = r["latency_ms"], r["feedback"]
    print(
        M.CLI_SUMMARY.format(
            questions=r["questions"],
            refused=r["refused"],
            rate=r["refusal_rate"],
            up=fb["up"],
            down=fb["down"],
            p50=lat["p50"],
            p95=lat["p95"],
        )
    )
    for key, title in M.CLI_GROUP_TITLES.items():
        if r[key]:
            print(f"\n{title}：")
            for g in r[key][:10]:
                region = region_label(g["region"], r.get("region_names", {}))
                line = M.CLI_GROUP_LINE.format(
                    count=g["count"],
                    region=region,
                    terms="、".join(g["terms"]),
                    intent=g["intent"],
                    example=g["examples"][0],
                )
                print(line)
    for p in r["pins"]["suspended"]:
        print("\n" + M.CLI_SUSPENDED.format(id=p["id"], question=p["question"], reason=p["reason"]))


def cmd_pin(args, settings) -> int:
    store = _store(settings)
    if args.pin_cmd == "add":
        pin_id = add_pin(store, index_chunks(settings), args.question, args.answer, args.cite)
        print(M.CLI_PINNED.format(id=pin_id), file=sys.stderr)
    elif args.pin_cmd == "rm":
        if not store.remove_pin(args.id):
            raise RagError(M.PIN_NOT_FOUND.format(id=args.id))
        print(M.CLI_PIN_REMOVED.format(id=args.id), file=sys.stderr)
    elif args.pin_cmd == "check":
        bad = verify_pins(store, index_chunks(settings))
        print(M.CLI_PINS_CHECKED.format(n=len(bad)), file=sys.stderr)
    elif args.pin_cmd == "calibrate":
        return _calibrate(args, settings)
    else:  # list
        pins = store.pins()
        if args.json:
            print(json.dumps([p.to_dict() for p in pins], ensure_ascii=False))
        elif not pins:
            print(M.CLI_NO_PINS, file=sys.stderr)
        for p in pins if not args.json else ():
            state = M.CLI_PIN_ACTIVE if p.active else M.CLI_PIN_SUSPENDED.format(reason=p.reason)
            clauses = " ".join(p.clauses)
            print(
                M.CLI_PIN_LINE.format(
                    id=p.id, state=state, question=p.question, answer=p.answer, clauses=clauses
                )
            )
    return 0


def _calibrate(args, settings) -> int:
    gold = Path(args.gold or settings.root / "eval" / "gold.jsonl")
    try:
        rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise RagError(M.CLI_GOLD_UNREADABLE.format(path=gold, error=exc)) from None
    result = calibrate(Assistant.load(settings=settings), rows)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def cmd_coverage(args, settings) -> int:
    """Which levels of each province have a plan, and which places resolve to which plan (issue 25)."""
    rows = coverage.load(settings.seeds_dir)
    if args.json:
        print(json.dumps(coverage.as_json(rows), ensure_ascii=False, indent=2))
    else:
        print("\n".join(coverage.as_text(rows)))
    return 0


def cmd_log(args, settings) -> int:
    before = parse_date(args.before)
    nq, nf = _store(settings).purge(before)
    print(M.PURGED.format(before=before.date().isoformat(), questions=nq, feedback=nf), file=sys.stderr)
    return 0


def after_index(settings) -> None:
    """Called after `rag index`: pins whose clause changed are suspended (skipped when no database exists yet)."""
    url = load_store_config(settings).url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return
    try:
        bad = verify_pins(Store(url), index_chunks(settings))
    except Exception as exc:
        print(M.CLI_PIN_CHECK_FAILED.format(error=exc), file=sys.stderr)
        return
    for pin, reason in bad:
        print(M.CLI_PIN_SUSPENDED_AFTER_INDEX.format(id=pin.id, reason=reason), file=sys.stderr)
