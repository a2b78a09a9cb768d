"""The insight report over the question log: what citizens ask, what is refused, what they found wrong.

`build_report` returns one JSON-ready dict (the contract of `rag report --json` and /admin/report.json);
`render_html` turns it into a self-contained page with PNG charts (matplotlib) inlined as data: URIs;
`write_csv` exports the rows. Questions are grouped when they differ only in wording: same region, same
plan terms (the benefits named, after everyday words are mapped to the plans' wording and terms inside a
longer matched term are dropped) and same intent (how much / how to / whether)."""

from __future__ import annotations

import base64
import csv
import html
import io
import re
import statistics
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from ..errors import RagError
from . import report_sql as Q
from .labels import CHANNELS, OUTCOMES, beijing
from .pins import verify_pins
from .stores import messages as M
from .stores.db import Store, utcnow
from .stores.querylog import topic_of

EXAMPLES_PER_GROUP = 3
TOP_GROUPS = 20


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """'7d', '12h', '30m' or an ISO date -> UTC datetime; None/'all' -> no bound."""
    now = now or utcnow()
    if value is None or str(value).strip().lower() in ("", "all"):
        return None
    value = str(value).strip().lower()
    m = re.fullmatch(r"(\d{1,5})\s*([dhm])", value)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        return now - timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: n})
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise RagError(M.BAD_SINCE.format(value=value)) from None


def parse_date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise RagError(M.BAD_DATE.format(value=value)) from None


def _groups(rows: list[dict], limit: int = TOP_GROUPS, keys: dict | None = None) -> list[dict]:
    keys = {} if keys is None else keys  # (question, region) -> group key, shared by the report's three lists
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[topic_key(r, keys)].append(r)
    out = []
    for (region, terms, want), members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        wordings = Counter(m["question"] for m in members)
        comments = Counter(m.get("comment") for m in members if m.get("comment"))
        out.append(
            {
                "region": region or None,
                "terms": list(terms),
                "intent": want,
                "count": len(members),
                "refused": sum(1 for m in members if m["refused"]),
                "examples": [q for q, _ in wordings.most_common(EXAMPLES_PER_GROUP)],
                "comments": [c for c, _ in comments.most_common(EXAMPLES_PER_GROUP)],
            }
        )
    return out[:limit]


def topic_key(row: dict, memo: dict) -> tuple:
    """The row's group: the topic its writer stored, else computed now (rows logged before topics were)."""
    import json

    if row.get("topic"):
        region, terms, want = json.loads(row["topic"])
        return (region, tuple(terms), want)
    k = (row["question"], row["region"], row.get("previous"))
    if k not in memo:
        memo[k] = topic_key({"topic": topic_of(*k) or json.dumps([row["region"] or "", [], ""])}, memo)
    return memo[k]


# ---- the report --------------------------------------------------------------------------------------
GROUP_WINDOW = 3_000  # questions grouped: the newest this many (grouping costs ~0.2 ms a distinct question)


def build_report(store: Store, since: datetime | None = None, chunks: dict | None = None) -> dict:
    """Counts, breakdowns, grouped questions and pin status for the questions asked since `since`.
    Counts are SQL aggregates over every row; the grouped lists cover the newest GROUP_WINDOW rows of each
    kind (`grouped_window`), so the report costs the same at 100,000 rows as at 3,000.
    `chunks` (clause id -> chunk of the current index): pins are re-checked against it first."""
    if chunks is not None:
        verify_pins(store, chunks)
    counts = Q.counts(store, since)
    n, refused = counts["questions"], counts["refused"]
    latencies = Q.latencies(store, since)
    keys: dict = {}
    pins = store.pins()
    return {
        "since": since.isoformat(timespec="seconds") if since else None,
        "until": utcnow().isoformat(timespec="seconds"),
        "questions": n,
        "refused": refused,
        "refusal_rate": round(refused / n, 4) if n else 0.0,
        "feedback": store.feedback_counts(since),
        "latency_ms": {
            "p50": round(_quantile(latencies, 0.50), 1) if latencies else None,
            "p95": round(_quantile(latencies, 0.95), 1) if latencies else None,
        },
        "per_day": Q.per_day(store, since),  # Beijing dates
        "per_region": {(k or "未指明"): v for k, v in Q.per_column(store, since, "region").items()},
        "region_names": {c.slug: c.region_name for c in (chunks or {}).values()},
        "per_kind": {(k or ""): v for k, v in Q.per_column(store, since, "kind").items()},
        "per_channel": Q.per_column(store, since, "channel"),
        "per_outcome": {(k or ""): v for k, v in Q.per_column(store, since, "outcome").items()},
        "grouped_window": GROUP_WINDOW,
        "top_questions": _groups(Q.newest(store, since, GROUP_WINDOW), keys=keys),
        "refused_questions": _groups(Q.newest(store, since, GROUP_WINDOW, refused=True), keys=keys),
        "disliked_questions": _groups(Q.newest(store, since, GROUP_WINDOW, rating="down"), keys=keys),
        "pins": {
            "active": sum(1 for p in pins if p.active),
            "suspended": [p.to_dict() for p in pins if not p.active],
        },
    }


def _quantile(sorted_values: list[float], q: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[int(q * 100) - 1]


# ---- charts ------------------------------------------------------------------------------------------
# Where Debian/Ubuntu (fonts-noto-cjk, fonts-wqy-*), Fedora and macOS keep a CJK font. The file is added to
# matplotlib explicitly: its font cache may have been built before the font was installed (the README's own
# order), and then a family name in rcParams silently falls back to DejaVu Sans and draws every Chinese
# character as a box.
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)


def cjk_font_file() -> str | None:
    """The first CJK font found: RAG_CJK_FONT, the usual places, then fontconfig's answer."""
    import os
    import shutil
    import subprocess

    candidates = [os.environ.get("RAG_CJK_FONT", ""), *CJK_FONT_FILES]
    for path in candidates:
        if path and os.path.isfile(path):
            return path
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=5,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        if out and os.path.isfile(out) and not out.lower().endswith(("dejavusans.ttf",)):
            return out
    return None


_FONT_READY: list[str] = []


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    if not _FONT_READY:
        path = cjk_font_file()
        families = ["DejaVu Sans"]
        if path is None:
            import logging

            logging.getLogger("rag").warning(M.NO_CJK_FONT)
        else:
            font_manager.fontManager.addfont(path)  # bypasses a stale cache
            families.insert(0, font_manager.FontProperties(fname=path).get_name())
        _FONT_READY[:] = families
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = list(_FONT_READY)
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def region_label(value: str | None, names: dict) -> str:
    """A region as the operator reads it: 未指明, a name, or several names ("北京、重庆" / "北京、重庆等5地")."""
    if not value:
        return M.UNSPECIFIED_REGION
    slugs = [s for s in str(value).split(",") if s]
    shown = "、".join(names.get(s, s) for s in slugs[:2])
    return shown if len(slugs) <= 2 else M.REGIONS_MORE.format(names=shown, n=len(slugs))


def kind_label(kind: str | None) -> str:
    return M.KIND_NAMES.get(kind or "", kind or M.KIND_NAMES[""])


def charts(report: dict) -> dict[str, bytes]:
    """PNG charts: questions and refusals per day, questions per region, feedback and kinds. Chinese labels
    only (no emoji: a server has no emoji font); missing glyphs warn (matplotlib's warning is kept)."""
    plt = _plt()
    out = {}

    from matplotlib.ticker import MaxNLocator

    def save(name, fig, horizontal=False):
        for ax in fig.axes:  # counts: whole numbers on the value axis
            (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png", dpi=90)
        plt.close(fig)
        out[name] = buf.getvalue()

    days = report["per_day"]
    fig, ax = plt.subplots(figsize=(7, 3))
    x = [d["day"][5:] for d in days]
    ax.bar(x, [d["questions"] for d in days], label="提问", color="#4a7bd0")
    ax.bar(x, [d["refused"] for d in days], label="未能回答", color="#d9534f")
    ax.set_title("每日提问数（北京时间）")
    ax.legend()
    ax.tick_params(axis="x", labelrotation=45)
    save("per_day", fig)

    regions, names = report["per_region"], report.get("region_names", {})
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.barh([region_label(r, names) for r in regions][::-1], list(regions.values())[::-1], color="#5cb85c")
    ax.set_title("各地区提问数")
    save("per_region", fig, horizontal=True)

    fb, kinds = report["feedback"], report["per_kind"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7, 3))
    a1.bar(["有帮助", "没帮助"], [fb["up"], fb["down"]], color=["#5cb85c", "#d9534f"])
    a1.set_title("用户评价")
    a2.barh([kind_label(k) for k in kinds][::-1], list(kinds.values())[::-1], color="#f0ad4e")
    a2.set_title("回答类型")
    save("feedback", fig, horizontal=True)
    return out


# ---- HTML and CSV ------------------------------------------------------------------------------------
_CSS = """body{font-family:'Noto Sans CJK SC',sans-serif;max-width:960px;margin:1em auto;padding:0 1em;color:#222}
nav{display:flex;flex-wrap:wrap;gap:4px 14px;padding:6px 0}table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%;
display:block;overflow-x:auto}td,th{border:1px solid #ccc;padding:4px 6px;
text-align:left;vertical-align:top}th{background:#f3f3f3}.num{text-align:right}img{max-width:100%}
.kpi{display:inline-block;margin:0 1.5em .5em 0}.kpi b{font-size:1.6em;display:block}.warn{color:#b00}"""


def _e(text) -> str:
    return html.escape(str(text if text is not None else ""))


def _group_table(title: str, groups: list[dict], empty: str, names: dict) -> str:
    if not groups:
        return f"<h2>{_e(title)}</h2><p>{_e(empty)}</p>"
    rows = "".join(
        f"<tr><td class=num>{g['count']}</td><td>{_e(region_label(g['region'], names))}</td>"
        f"<td>{_e('、'.join(g['terms']))}（{_e(g['intent'])}）</td>"
        f"<td>{'<br>'.join(_e(x) for x in g['examples'])}</td>"
        f"<td>{'<br>'.join(_e(x) for x in g['comments'])}</td></tr>"
        for g in groups
    )
    return (
        f"<h2>{_e(title)}</h2><table><tr><th>次数</th><th>地区</th><th>涉及事项（意图）</th><th>问法举例</th>"
        f"<th>用户说明</th></tr>{rows}</table>"
    )


def _apart(per_outcome: dict) -> str:
    """Lock redirects and refused injections: counted apart from the plan gaps, linked to their bucket."""
    n = {k: per_outcome.get(k, 0) for k in ("locked", "injection")}
    if not any(n.values()):
        return ""
    return (
        f"<p>另有地区锁定转介 {n['locked']} 条、拒绝的指令注入 {n['injection']} 条（不是方案空白，"
        '见<a href="/admin/gaps#other">待处理问题</a>）。</p>'
    )


def _bj(iso: str | None) -> str:
    return beijing(datetime.fromisoformat(iso)) if iso else ""


def html_charts(report: dict) -> str:
    """The same charts as HTML bars: text drawn by the browser with the page's own fonts (never tofu, nothing
    rendered on the server: /admin stays fast), readable on a phone and by a screen reader."""
    names = report.get("region_names", {})
    days = [(d["day"][5:], d["questions"], d["refused"]) for d in report["per_day"][-31:]]
    fb = report["feedback"]
    blocks = [
        ("每日提问数（北京时间；红色为未能回答）", [(d, n, r) for d, n, r in days]),
        (
            "各地区提问数",
            [(region_label(k, names), v, 0) for k, v in list(report["per_region"].items())[:15]],
        ),
        ("用户评价", [("有帮助", fb["up"], 0), ("没帮助", fb["down"], fb["down"])]),
        ("回答类型", [(kind_label(k), v, 0) for k, v in report["per_kind"].items()]),
    ]
    out = []
    for title, bars in blocks:
        top = max([b[1] for b in bars] + [1])
        rows = "".join(
            f'<div class="bar"><span class="lab">{_e(label)}</span><span class="track">'
            f'<span class="fill" style="width:{100 * n / top:.1f}%"><span class="bad" style="width:'
            f'{100 * bad / max(n, 1):.1f}%"></span></span></span><span class="n">{n}</span></div>'
            for label, n, bad in bars
        )
        out.append(f'<figure class="chart"><figcaption>{_e(title)}</figcaption>{rows or "暂无。"}</figure>')
    return "".join(out)


_CHART_CSS = """body{overflow-wrap:anywhere}input,textarea{max-width:100%;box-sizing:border-box}.chart{margin:.5em 0 1em;max-width:640px}.chart figcaption{font-weight:bold;margin-bottom:4px}
.bar{display:flex;align-items:center;gap:6px;font-size:13px;margin:2px 0}.bar .lab{flex:0 0 8.5em;text-align:right;
overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.bar .track{flex:1;background:#f1f1f1;height:14px}
.bar .fill{display:block;height:14px;background:#4a7bd0;position:relative}.bar .bad{position:absolute;right:0;top:0;
height:14px;background:#d9534f}.bar .n{flex:0 0 3.5em}"""


def render_html(
    report: dict, extra: str = "", title: str = "生育政策问答 · 运营报告", nav: str = "", png: bool = True
) -> str:
    """A self-contained page; `extra` and `nav` are trusted HTML the admin page adds. png: charts drawn by
    matplotlib and inlined (a file read offline, `rag report --html`), else HTML bars (/admin)."""
    imgs = (
        "".join(
            f'<img alt="{_e(name)}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'
            for name, data in charts(report).items()
        )
        if png
        else html_charts(report)
    )
    lat = report["latency_ms"]
    kpis = [
        ("提问", report["questions"]),
        ("未能回答", report["refused"]),
        ("拒答率", f"{report['refusal_rate']:.1%}"),
        ("有帮助", report["feedback"]["up"]),
        ("没帮助", report["feedback"]["down"]),
        ("响应 p50 / p95（毫秒）", f"{lat['p50'] or '-'} / {lat['p95'] or '-'}"),
    ]
    suspended, names = report["pins"]["suspended"], report.get("region_names", {})
    pins = (
        "<h2>已暂停的置顶回答</h2><table><tr><th>编号</th><th>问题</th><th>原因</th></tr>"
        + "".join(
            f"<tr><td>{p['id']}</td><td>{_e(p['question'])}</td><td class=warn>{_e(p['reason'])}</td></tr>"
            for p in suspended
        )
        + "</table>"
        if suspended
        else ""
    )
    since = report["since"] or "全部"
    empty = "" if report["questions"] else f"<p>{_e(M.NOTHING_TO_REPORT)}</p>"
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}{_CHART_CSS}</style></head><body>{nav}<h1>{_e(title)}</h1>"
        f"<p>时间范围：{_e(_bj(report['since']) or since)} 至 {_e(_bj(report['until']))}</p>{empty}"
        + "".join(f'<span class="kpi"><b>{_e(v)}</b>{_e(k)}</span>' for k, v in kpis)
        + f"<div>{imgs}</div>"
        + _group_table("问得最多的问题", report["top_questions"], "暂无。", names)
        + _group_table("未能回答的问题（方案或助手的空白）", report["refused_questions"], "暂无。", names)
        + _apart(report.get("per_outcome", {}))
        + _group_table("用户评价“没帮助”的问题", report["disliked_questions"], "暂无。", names)
        + pins
        + extra
        + "</body></html>"
    )


CSV_FIELDS = (
    "ts",
    "channel",
    "question",
    "region",
    "kind",
    "refused",
    "clauses",
    "latency_ms",
    "rating",
    "comment",
)


# A leading = + - @ (or their full-width forms, which Excel and WPS also read as a formula) or a control
# character starts a formula in a spreadsheet: such a cell is prefixed with ' (shown as text, never run).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _cell(value) -> str:
    text = ";".join(value) if isinstance(value, list) else "" if value is None else str(value)
    return "'" + text if text.lstrip(" \u3000")[:1] in FORMULA_STARTS else text  # no formulas in Excel


CSV_HEADERS = {
    "ts": "时间（北京时间）",
    "channel": "渠道",
    "question": "问题",
    "previous": "上一问",
    "region": "地区",
    "outcome": "结果",
    "kind": "回答类型",
    "refused": "未能回答",
    "answer": "回答",
    "clauses": "引用条款",
    "latency_ms": "耗时（毫秒）",
    "rating": "评价",
    "comment": "用户说明",
}


def write_rows_csv(rows, names: dict) -> str:
    """The console's export of a filtered view: Chinese headers and values, Beijing time, a BOM so Excel
    opens UTF-8 Chinese correctly, every cell formula-safe. The client hash is never exported."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_HEADERS.values())
    shown = {
        "ts": lambda r: beijing(r["ts"]).removesuffix("（北京时间）"),
        "channel": lambda r: CHANNELS.get(r["channel"], r["channel"]),
        "region": lambda r: region_label(r["region"], names),
        "outcome": lambda r: OUTCOMES.get(r.get("outcome") or "", ""),
        "kind": lambda r: kind_label(r["kind"]),
        "refused": lambda r: "是" if r["refused"] else "否",
        "rating": lambda r: {"up": "有帮助", "down": "没帮助"}.get(r.get("rating") or "", ""),
    }
    for r in rows:
        w.writerow([_cell(shown[k](r) if k in shown else r.get(k)) for k in CSV_HEADERS])
    return "\ufeff" + buf.getvalue()


def write_csv(store: Store, since: datetime | None, fh) -> int:
    """Question rows with their latest rating; the client hash is not exported. Returns the row count."""
    w = csv.writer(fh)
    w.writerow(CSV_FIELDS)
    n = 0
    for r in store.question_rows(since):
        w.writerow(
            [_cell(r["ts"].isoformat(timespec="seconds") if k == "ts" else r.get(k)) for k in CSV_FIELDS]
        )
        n += 1
    return n
