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
from .pins import verify_pins
from .stores import messages as M
from .stores.db import Store, utcnow
from .wording import group_key

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


def _groups(rows: list[dict], limit: int = TOP_GROUPS) -> list[dict]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[group_key(r["question"], r["region"])].append(r)
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


# ---- the report --------------------------------------------------------------------------------------
def build_report(store: Store, since: datetime | None = None, chunks: dict | None = None) -> dict:
    """Counts, breakdowns, grouped questions and pin status for the questions asked since `since`.
    `chunks` (clause id -> chunk of the current index): pins are re-checked against it first."""
    if chunks is not None:
        verify_pins(store, chunks)
    rows = store.question_rows(since)
    n = len(rows)
    refused = sum(1 for r in rows if r["refused"])
    latencies = sorted(r["latency_ms"] for r in rows if r["latency_ms"] is not None)
    per_day: dict[str, dict] = {}
    for r in rows:
        d = per_day.setdefault(
            r["ts"].strftime("%Y-%m-%d"), {"questions": 0, "refused": 0, "visitors": set()}
        )
        d["questions"] += 1
        d["refused"] += bool(r["refused"])
        if r["client"]:
            d["visitors"].add(r["client"])
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
        "per_day": [
            {"day": day, "questions": d["questions"], "refused": d["refused"], "visitors": len(d["visitors"])}
            for day, d in sorted(per_day.items())
        ],
        "per_region": dict(Counter(r["region"] or "未指明" for r in rows).most_common()),
        "region_names": {c.slug: c.region_name for c in (chunks or {}).values()},
        "per_kind": dict(Counter(r["kind"] or "" for r in rows).most_common()),
        "per_channel": dict(Counter(r["channel"] for r in rows).most_common()),
        "top_questions": _groups(rows),
        "refused_questions": _groups([r for r in rows if r["refused"]]),
        "disliked_questions": _groups([r for r in rows if r.get("rating") == "down"]),
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
def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = [
        "Noto Sans CJK SC",
        "Noto Sans CJK JP",
        "WenQuanYi Zen Hei",
        "DejaVu Sans",
    ]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def charts(report: dict) -> dict[str, bytes]:
    """PNG charts: questions and refusals per day, questions per region, feedback and kinds."""
    import logging

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # no CJK font: boxes, not noise
    plt = _plt()
    out = {}

    from matplotlib.ticker import MaxNLocator

    def save(name, fig):
        for ax in fig.axes:  # counts: whole numbers on the value axis
            (ax.xaxis if name == "per_region" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
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
    ax.set_title("每日提问数")
    ax.legend()
    ax.tick_params(axis="x", labelrotation=45)
    save("per_day", fig)

    regions, names = report["per_region"], report.get("region_names", {})
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.barh([names.get(r, r) for r in regions][::-1], list(regions.values())[::-1], color="#5cb85c")
    ax.set_title("各地区提问数")
    save("per_region", fig)

    fb, kinds = report["feedback"], report["per_kind"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7, 3))
    a1.bar(["有帮助", "没帮助"], [fb["up"], fb["down"]], color=["#5cb85c", "#d9534f"])
    a1.set_title("用户评价")
    a2.bar(list(kinds), list(kinds.values()), color="#f0ad4e")
    a2.set_title("回答类型")
    save("feedback", fig)
    return out


# ---- HTML and CSV ------------------------------------------------------------------------------------
_CSS = """body{font-family:'Noto Sans CJK SC',sans-serif;max-width:960px;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;
text-align:left;vertical-align:top}th{background:#f3f3f3}.num{text-align:right}img{max-width:100%}
.kpi{display:inline-block;margin:0 1.5em .5em 0}.kpi b{font-size:1.6em;display:block}.warn{color:#b00}"""


def _e(text) -> str:
    return html.escape(str(text if text is not None else ""))


def _group_table(title: str, groups: list[dict], empty: str, names: dict) -> str:
    if not groups:
        return f"<h2>{_e(title)}</h2><p>{_e(empty)}</p>"
    rows = "".join(
        f"<tr><td class=num>{g['count']}</td><td>{_e(names.get(g['region'], g['region']) or '未指明')}</td>"
        f"<td>{_e('、'.join(g['terms']))}（{_e(g['intent'])}）</td>"
        f"<td>{'<br>'.join(_e(x) for x in g['examples'])}</td>"
        f"<td>{'<br>'.join(_e(x) for x in g['comments'])}</td></tr>"
        for g in groups
    )
    return (
        f"<h2>{_e(title)}</h2><table><tr><th>次数</th><th>地区</th><th>涉及事项（意图）</th><th>问法举例</th>"
        f"<th>用户说明</th></tr>{rows}</table>"
    )


def render_html(report: dict, extra: str = "", title: str = "生育政策问答 · 运营报告") -> str:
    """A self-contained page (charts inlined); `extra` is trusted HTML the admin page adds (pin forms)."""
    imgs = "".join(
        f'<img alt="{_e(name)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        for name, png in charts(report).items()
    )
    lat = report["latency_ms"]
    kpis = [
        ("提问", report["questions"]),
        ("未能回答", report["refused"]),
        ("拒答率", f"{report['refusal_rate']:.1%}"),
        ("👍", report["feedback"]["up"]),
        ("👎", report["feedback"]["down"]),
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
        f"<style>{_CSS}</style></head><body><h1>{_e(title)}</h1>"
        f"<p>时间范围：{_e(since)} 至 {_e(report['until'])}（UTC）</p>{empty}"
        + "".join(f'<span class="kpi"><b>{_e(v)}</b>{_e(k)}</span>' for k, v in kpis)
        + f"<div>{imgs}</div>"
        + _group_table("问得最多的问题", report["top_questions"], "暂无。", names)
        + _group_table("未能回答的问题（方案或助手的空白）", report["refused_questions"], "暂无。", names)
        + _group_table("用户点了👎的问题", report["disliked_questions"], "暂无。", names)
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


def _cell(value) -> str:
    text = ";".join(value) if isinstance(value, list) else "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text  # no formulas in Excel


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
