"""`rag report`, `rag pin …` and `rag log purge`: the operator's commands over the question-log database.

Registered by rag/cli.py with one call (`register(sub)`); every user error is a RagError (one line, exit 2)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .errors import RagError
from .stores import messages as M


def _store(settings):
    from .stores import Store, load_store_config

    return Store(load_store_config(settings).url)


def cmd_report(args, settings) -> int:
    from .pins import index_chunks
    from .report import build_report, parse_since, render_html, write_csv

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
    from .alerts import check, load_alert_config

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
    from .report import region_label

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
    from .pins import add_pin, index_chunks, verify_pins

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
    from .assistant import Assistant
    from .pins import calibrate

    gold = Path(args.gold or settings.root / "eval" / "gold.jsonl")
    try:
        rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise RagError(M.CLI_GOLD_UNREADABLE.format(path=gold, error=exc)) from None
    result = calibrate(Assistant.load(settings=settings), rows)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def cmd_log(args, settings) -> int:
    from .report import parse_date

    before = parse_date(args.before)
    nq, nf = _store(settings).purge(before)
    print(M.PURGED.format(before=before.date().isoformat(), questions=nq, feedback=nf), file=sys.stderr)
    return 0


def after_index(settings) -> None:
    """Called after `rag index`: pins whose clause changed are suspended (skipped when no database exists yet)."""
    from .pins import index_chunks, verify_pins
    from .stores import load_store_config

    url = load_store_config(settings).url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return
    try:
        from .stores import Store

        bad = verify_pins(Store(url), index_chunks(settings))
    except Exception as exc:
        print(M.CLI_PIN_CHECK_FAILED.format(error=exc), file=sys.stderr)
        return
    for pin, reason in bad:
        print(M.CLI_PIN_SUSPENDED_AFTER_INDEX.format(id=pin.id, reason=reason), file=sys.stderr)


def register(sub, settings_of) -> None:
    """Adds the subcommands; `settings_of(args)` is the CLI's settings loader."""

    def run(fn):
        return lambda args: fn(args, settings_of(args))

    sp = sub.add_parser("report", help="question-log report: counts, groups, feedback, latency")
    sp.add_argument("--since", default="7d", help="7d, 12h, a date (2026-11-01) or all (default 7d)")
    sp.add_argument("--json", action="store_true", help="print the report as one JSON object")
    sp.add_argument("--html", metavar="FILE", help="write an HTML report with charts")
    sp.add_argument("--csv", metavar="FILE", help="export the question rows as CSV")
    sp.add_argument(
        "--alert",
        action="store_true",
        help="one line; exit 1 when refusals or 👎 in the last hour exceed their share ([alert] in rag.toml)",
    )
    sp.add_argument("--refused-share", type=float, default=None, help="with --alert: limit (default 0.30)")
    sp.add_argument("--down-share", type=float, default=None, help="with --alert: limit (default 0.20)")
    sp.add_argument("--min-questions", type=int, default=None, help="with --alert: fewer = no verdict (10)")
    sp.add_argument("--window-minutes", type=int, default=None, help="with --alert: window (default 60)")
    sp.set_defaults(func=run(cmd_report))

    sp = sub.add_parser("pin", help="pinned (operator-checked) answers")
    psub = sp.add_subparsers(dest="pin_cmd", required=True)
    pa = psub.add_parser("add", help="pin an answer to a question")
    pa.add_argument("--question", required=True)
    pa.add_argument("--answer", required=True)
    pa.add_argument("--cite", nargs="+", required=True, metavar="CLAUSE_ID")
    pl = psub.add_parser("list", help="list pins")
    pl.add_argument("--json", action="store_true")
    pr = psub.add_parser("rm", help="remove a pin")
    pr.add_argument("id", type=int)
    psub.add_parser("check", help="re-check every pin against the current index")
    pc = psub.add_parser("calibrate", help="similarity of gold questions (for the pin threshold)")
    pc.add_argument("--gold", default=None)
    sp.set_defaults(func=run(cmd_pin), json=False)

    sp = sub.add_parser("log", help="question log maintenance")
    lsub = sp.add_subparsers(dest="log_cmd", required=True)
    lp = lsub.add_parser("purge", help="delete question and feedback rows before a date")
    lp.add_argument("--before", required=True, metavar="DATE", help="e.g. 2026-06-01")
    sp.set_defaults(func=run(cmd_log))
