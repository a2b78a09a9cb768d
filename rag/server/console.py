"""The operator's console under /admin (issue 27): 待处理问题 (the gap queue), 检索测试, 条款使用, 提问记录 with
filters and CSV export, and the confirmation before a pin is deleted. zh-CN, Beijing time with the zone
shown, usable on a phone (viewport, tables that scroll), plain HTML forms: no script, no id typed by hand.

Every route needs the admin token (admin.require_admin); every form posts the form token derived from it, so
another site cannot act with the operator's browser. Reads are bounded SQL (rag/ops/gaps.py)."""

from __future__ import annotations

import hmac
from html import escape
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..errors import RagError
from ..ops import coverage as C
from ..ops import gaps as G
from ..ops.pins import add_pin
from ..ops.probe import probe, search_clauses
from ..ops.report import kind_label, region_label, write_rows_csv
from ..ops.stores import messages as M
from .admin import NAV, _chunks, _form_token, _ops, require_admin
from .contract import ApiError

router = APIRouter(
    prefix="/admin", tags=["运维"], include_in_schema=False, dependencies=[Depends(require_admin)]
)
NO_STORE = {"Cache-Control": "no-store"}
MAX_FORM = 64 * 1024
CSS = """body{font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;max-width:1100px;margin:0 auto;
padding:0 12px 2em;color:#222;line-height:1.5}nav{display:flex;flex-wrap:wrap;gap:4px 14px;padding:10px 0;
border-bottom:1px solid #ddd;margin-bottom:8px}nav a{text-decoration:none;color:#245}nav a.on{font-weight:bold;color:#000}
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:.5em 0 1.2em;width:100%}td,th{border:1px solid #ccc;
padding:4px 6px;text-align:left;vertical-align:top;font-size:14px}th{background:#f3f3f3}.num{text-align:right}
.card{border:1px solid #ccc;border-radius:6px;padding:8px 10px;margin:10px 0}.card h3{margin:.2em 0;font-size:16px}
.muted{color:#666;font-size:13px}.warn{color:#b00}form.inline{display:inline}button,input,select,textarea{font-size:15px;
margin:2px 0}input[type=text],textarea{max-width:100%}label{margin-right:10px;white-space:nowrap}
.clause{border-left:3px solid #9bd;padding:2px 8px;margin:4px 0;font-size:14px}body{overflow-wrap:anywhere}
input[type=text]{width:28em}input[type=text],select,textarea{max-width:calc(100vw - 40px);box-sizing:border-box}
label{white-space:normal;display:inline-block}"""


def e(text) -> str:
    return escape(str(text if text is not None else ""))


def layout(title: str, body: str, here: str) -> HTMLResponse:
    nav = "".join(f'<a href="{h}"{" class=on" if h == here else ""}>{t}</a>' for h, t in NAV)
    page = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · 生育政策问答</title><style>{CSS}</style></head>"
        f"<body><nav>{nav}</nav><h1>{e(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(page, headers=NO_STORE)


def _filters(request: Request) -> G.Filters:
    try:
        return G.Filters.from_query(request.query_params)
    except RagError as exc:
        raise ApiError(422, str(exc)) from None


def _names(request: Request) -> dict:
    return {c.slug: c.region_name for c in _chunks(request).values()}


def _filter_form(action: str, f: G.Filters, names: dict) -> str:
    def options(values: dict, chosen: str, everyone: str) -> str:
        opts = [f'<option value="">{everyone}</option>']
        opts += [
            f'<option value="{e(k)}"{" selected" if k == chosen else ""}>{e(v)}</option>'
            for k, v in values.items()
        ]
        return "".join(opts)

    ratings = {"up": "有帮助", "down": "没帮助", "none": "未评价"}
    return (
        f'<form method="get" action="{action}" class="card">'
        f'<label>从 <input type="date" name="start" value="{e(f.start)}"></label>'
        f'<label>到 <input type="date" name="end" value="{e(f.end)}"></label>'
        f'<label>地区 <select name="region">{options(names, f.region, "全部")}</select></label>'
        f'<label>渠道 <select name="channel">{options(G.CHANNELS, f.channel, "全部")}</select></label>'
        f'<label>评价 <select name="rating">{options(ratings, f.rating, "全部")}</select></label>'
        f'<label>结果 <select name="outcome">{options(G.OUTCOMES, f.outcome, "全部")}</select></label>'
        '<button>筛选</button> <span class="muted">日期按北京时间</span></form>'
    )


async def _form(request: Request) -> dict[str, list[str]]:
    """The posted form (bounded), checked against the form token."""
    body = await request.body()
    if len(body) > MAX_FORM:
        raise ApiError(413, M.CONSOLE_FORM_TOO_BIG)
    form = parse_qs(body.decode("utf-8", "replace"), max_num_fields=200)
    if not hmac.compare_digest((form.get("form_token") or [""])[-1], _form_token(request)):
        raise ApiError(403, M.ADMIN_BAD_TOKEN)
    return form


def _token_field(request: Request) -> str:
    return f'<input type="hidden" name="form_token" value="{_form_token(request)}">'


# ---- 待处理问题 ------------------------------------------------------------------------------------------
def _group_card(g: G.GapGroup, names: dict, chunks: dict, token: str) -> str:
    title = f"{region_label(g.region, names)} · {'、'.join(g.terms) or '（未识别事项）'}（{g.intent}）"
    outcomes = "，".join(f"{G.OUTCOMES.get(k, k)} {n}" for k, n in g.outcomes().items())
    prev = "".join(f"<li>{e(p)}</li>" for p in g.previous())
    answers = "".join(f'<div class="clause">{e(a[:400])}</div>' for a in g.answers())
    clauses = "".join(
        f'<div class="clause"><b>{e(chunks[c].region_name)} {e(chunks[c].section)}</b> {e(chunks[c].text[:200])}</div>'
        if c in chunks
        else f'<div class="clause muted">{e(c)}（已不在当前索引中）</div>'
        for c in g.clauses()
    )
    comments = "、".join(e(c) for c in g.comments())
    label = e(f"{title}：{g.examples(1)[0] if g.rows else ''}")
    actions = (
        f'<a href="/admin/gaps/{g.key}/pin"><button type="button">置顶回答</button></a> '
        f'<form class="inline" method="post" action="/admin/gaps/{g.key}">{token}'
        f'<input type="hidden" name="label" value="{label}"><button name="action" value="gap">标记为方案空白</button>'
        f' <button name="action" value="ignore">忽略</button></form>'
        if g.bucket != "other"
        else ""
    )
    return (
        f'<div class="card" data-key="{g.key}"><h3>{e(title)} <span class="muted">×{g.count}</span></h3>'
        f'<div class="muted">{e(outcomes)}</div>'
        f"<div>问法：{'；'.join(e(x) for x in g.examples())}</div>"
        + (f"<div>追问的上一问：<ul>{prev}</ul></div>" if prev else "")
        + (f"<div>当时的回答：{answers}</div>" if answers else "")
        + (f"<div>引用的条款：{clauses}</div>" if clauses else "")
        + (f"<div>用户说明：{comments}</div>" if comments else "")
        + f"<div>{actions}</div></div>"
    )


@router.get("/gaps")
def gap_queue(request: Request) -> HTMLResponse:
    f, names, chunks = _filters(request), _names(request), _chunks(request)
    store, token = _ops(request).store, _token_field(request)
    groups = G.gap_groups(store, f)
    sections = []
    for bucket, title, empty in (
        ("gap", "未能回答（方案未规定、未收录、无关）", "没有待处理的未能回答问题。"),
        ("down", "用户评价“没帮助”的回答", "没有待处理的“没帮助”评价。"),
        ("other", "地区锁定转介与拒绝的指令注入（不是方案空白，仅供了解）", "没有。"),
    ):
        cards = "".join(_group_card(g, names, chunks, token) for g in groups if g.bucket == bucket)
        n = sum(g.count for g in groups if g.bucket == bucket)
        sections.append(f'<h2 id="{bucket}">{e(title)}（{n} 条）</h2>' + (cards or f"<p>{e(empty)}</p>"))
    marked = "".join(
        f"<tr><td>{e(G.beijing(a['ts']))}</td><td>{e(a['label'])}</td></tr>" for a in G.plan_gaps(store)
    )
    gaps_table = '<h2 id="plan-gaps">已标记的方案空白（供方案起草部门参考）</h2>' + (
        f'<div class="scroll"><table><tr><th>标记时间</th><th>问题组</th></tr>{marked}</table></div>'
        if marked
        else "<p>暂无。</p>"
    )
    intro = f'<p class="muted">按地区和事项归组；处理后（置顶、标记或忽略）该组离开队列。只统计最近 {G.GAP_WINDOW} 条未能回答或被评价没帮助的提问。</p>'
    return layout(
        "待处理问题",
        intro + _filter_form("/admin/gaps", f, names) + "".join(sections) + gaps_table,
        "/admin/gaps",
    )


def _group(request: Request, key: str) -> G.GapGroup:
    if not (len(key) == 24 and all(ch in "0123456789abcdef" for ch in key)):
        raise ApiError(404, M.CONSOLE_NO_GROUP)
    for g in G.gap_groups(_ops(request).store, include_done=True):
        if g.key == key:
            return g
    raise ApiError(404, M.CONSOLE_NO_GROUP)


@router.post("/gaps/{key}")
async def gap_action(key: str, request: Request):
    form = await _form(request)
    action = (form.get("action") or [""])[-1]
    if action not in ("gap", "ignore"):
        raise ApiError(422, M.CONSOLE_BAD_FILTER.format(name="action"))
    g = _group(request, key)
    label = (form.get("label") or [""])[-1][:500] or g.examples(1)[0]
    G.act(_ops(request).store, g.key, action, label)
    return RedirectResponse("/admin/gaps", status_code=303)


def _picker(
    request: Request, g: G.GapGroup, text: str, chosen: list[str], answer: str, error: str = ""
) -> HTMLResponse:
    chunks = _chunks(request)
    found = search_clauses(chunks, text, limit=200) if text else []
    found = sorted(found, key=lambda c: c.slug != g.region)[:30]  # the group's own plan first
    found += [chunks[c] for c in g.clauses() if c in chunks and chunks[c] not in found]  # what was cited
    boxes = "".join(
        f'<div class="clause"><label style="white-space:normal"><input type="checkbox" name="cite" value="{e(c.id)}"'
        f"{' checked' if c.id in chosen else ''}> <b>{e(c.region_name)} {e(c.section)}</b> {e(c.text[:300])}</label></div>"
        for c in found
    )
    question = g.examples(1)[0] if g.rows else ""
    body = (
        f"<p>问题组：{e(region_label(g.region, _names(request)))} · {e('、'.join(g.terms))}（{g.count} 条）</p>"
        + (f'<p class="warn">{e(error)}</p>' if error else "")
        + f'<form method="get" action="/admin/gaps/{g.key}/pin" class="card"><label>按文字查找条款 '
        f'<input type="text" name="q" value="{e(text)}" placeholder="例如：育儿假 10天" size="30"></label>'
        f'<input type="hidden" name="answer" value="{e(answer)}"><button>查找</button></form>'
        f'<form method="post" action="/admin/gaps/{g.key}/pin">{_token_field(request)}'
        f'<p><label>问题 <input type="text" name="question" value="{e(question)}" size="50" maxlength="500" required></label></p>'
        f'<p><label style="white-space:normal">回答（数字须与所选条款原文一致）<br><textarea name="answer" rows="4" cols="60" maxlength="2000" required>{e(answer)}</textarea></label></p>'
        f"<p>引用条款（勾选）：</p>{boxes or '<p class=muted>先按文字查找条款。</p>'}"
        "<p><button>置顶</button></p></form>"
    )
    return layout("置顶回答", body, "/admin/gaps")


@router.get("/gaps/{key}/pin")
def pin_form(key: str, request: Request) -> HTMLResponse:
    text = str(request.query_params.get("q", ""))[:100]
    return _picker(
        request, _group(request, key), text, [], str(request.query_params.get("answer", ""))[:2000]
    )


@router.post("/gaps/{key}/pin")
async def pin_from_group(key: str, request: Request):
    form = await _form(request)
    g = _group(request, key)
    cites = [c[:200] for c in form.get("cite", [])][:20]
    question, answer = (form.get("question") or [""])[-1], (form.get("answer") or [""])[-1]
    try:
        pin_id = add_pin(_ops(request).store, _chunks(request), question, answer, cites)
    except RagError as exc:
        return _picker(request, g, "", cites, answer, str(exc))
    G.act(_ops(request).store, g.key, "pin", f"{question} → #{pin_id}", pin_id)
    return RedirectResponse("/admin/gaps", status_code=303)


# ---- 检索测试 --------------------------------------------------------------------------------------------
@router.get("/probe")
def probe_page(request: Request) -> HTMLResponse:
    names = _names(request)
    question = str(request.query_params.get("q", ""))[:500]
    region = str(request.query_params.get("region", ""))[:40]
    opts = '<option value="">按问题判断</option>' + "".join(
        f'<option value="{e(k)}"{" selected" if k == region else ""}>{e(v)}</option>'
        for k, v in names.items()
    )
    form = (
        '<form method="get" action="/admin/probe" class="card"><label>问题 <input type="text" name="q" size="40" '
        f'maxlength="500" value="{e(question)}" required></label><label>地区 <select name="region">{opts}</select></label>'
        "<button>测试</button></form>"
    )
    if not question:
        return layout("检索测试", form, "/admin/probe")
    try:
        p = probe(request.app.state.holder.current, question, region or None)
    except RagError as exc:
        return layout("检索测试", form + f'<p class="warn">{e(exc)}</p>', "/admin/probe")
    rows = "".join(
        f"<tr><td class=num>{h.rank}</td><td>{e(h.region)}<br><span class=muted>{e(h.section)}</span></td>"
        f"<td>{e(h.text[:240])}</td><td class=num>{h.dense:.4f}</td><td class=num>{h.keyword:.4f}</td>"
        f"<td class=num>{h.fused:.4f}</td><td>{'是' if h.cited else ''}</td></tr>"
        for h in p.hits
    )
    result = (
        f"<p>检索范围：{e(region_label(p.region, names) if p.region else '按问题判断的地区或全部地区')}；"
        f"回答类型：{e(kind_label(p.kind))}；结果：{e(G.OUTCOMES.get(p.outcome, p.outcome))}</p>"
        f'<div class="card"><b>回答</b><div>{e(p.answer)}</div></div>'
        '<div class="scroll"><table><tr><th>名次</th><th>条款</th><th>原文</th><th>向量分</th><th>关键词分</th>'
        f"<th>融合分</th><th>被引用</th></tr>{rows}</table></div>"
    )
    return layout("检索测试", form + result, "/admin/probe")


# ---- 条款使用 --------------------------------------------------------------------------------------------
@router.get("/clauses")
def clauses_page(request: Request) -> HTMLResponse:
    f, names, chunks = _filters(request), _names(request), _chunks(request)
    usage = G.clause_usage(_ops(request).store, chunks, f)
    rows = "".join(
        f"<tr><td>{e(chunks[u['clause_id']].region_name if u['known'] else '')} "
        f"{e(chunks[u['clause_id']].section if u['known'] else u['clause_id'])}<br><span class=muted>"
        f"{e(chunks[u['clause_id']].text[:120] if u['known'] else '（已不在当前索引中）')}</span></td>"
        f"<td class=num>{u['cited']}</td><td class=num>{u['up']}</td><td class=num>{u['down']}</td></tr>"
        for u in usage["clauses"][:300]
    )
    never = "".join(
        f"<li>{e(chunks[c].region_name)} {e(chunks[c].section)}：{e(chunks[c].text[:80])}</li>"
        for c in usage["never_cited"][:500]
    )
    plan = "".join(
        f"<tr><td>{e(region_label(p['region'], names))}</td><td>{e(p['day'])}</td><td class=num>{p['questions']}</td>"
        f"<td class=num>{p['refused']}</td></tr>"
        for p in usage["per_plan"][-400:]
    )
    body = (
        _filter_form("/admin/clauses", f, names)
        + f'<h2>被引用的条款（{len(usage["clauses"])} 条）</h2><div class="scroll"><table><tr><th>条款</th><th>被引用</th>'
        f"<th>有帮助</th><th>没帮助</th></tr>{rows}</table></div>"
        + f'<h2 id="never">从未被引用的条款（{len(usage["never_cited"])} 条）</h2><ul>{never}</ul>'
        + '<h2 id="plans">各方案每日提问与未能回答（北京时间）</h2><div class="scroll"><table><tr><th>地区</th>'
        f"<th>日期</th><th>提问</th><th>未能回答</th></tr>{plan}</table></div>" + _coverage_section(request)
    )
    return layout("条款使用", body, "/admin/clauses")


def _coverage_section(request: Request) -> str:
    """Issue 25: per province, the levels with a plan and where places resolve (as `rag coverage`)."""
    settings = getattr(request.app.state.holder, "settings", None)
    head = '<h2 id="coverage">各省方案覆盖（省 / 市 / 县各级）</h2>'
    try:
        rows = C.load_cached(settings.seeds_dir) if settings is not None else []
    except (RagError, OSError) as exc:
        return head + f"<p class=warn>无法读取方案清单：{e(exc)}</p>"
    if not rows:
        return head + "<p>未找到方案清单。</p>"
    items = "".join(
        f"<li><b>{e(line)}</b></li>"
        if not line.startswith(" ")
        else f"<li class=muted>{e(line.strip())}</li>"
        for line in C.as_text(rows)
    )
    return head + f"<ul>{items}</ul>"


# ---- 提问记录 --------------------------------------------------------------------------------------------
def _pages(f: G.Filters, number: int, total: int) -> str:
    last = max(1, (total + G.PAGE - 1) // G.PAGE)
    link = lambda n, t: f'<a href="/admin/log?{urlencode({**f.query(), "page": n})}">{t}</a>'  # noqa: E731
    parts = [f"第 {number} / {last} 页，共 {total} 条"]
    if number > 1:
        parts.insert(0, link(number - 1, "上一页"))
    if number < last:
        parts.append(link(number + 1, "下一页"))
    return "<p>" + " · ".join(parts) + "</p>"


@router.get("/log")
def log_page(request: Request) -> HTMLResponse:
    f, names = _filters(request), _names(request)
    try:
        number = max(1, min(int(request.query_params.get("page", "1")), G.MAX_PAGE))
    except ValueError:
        raise ApiError(422, M.CONSOLE_BAD_FILTER.format(name="page")) from None
    rows, total = G.page(_ops(request).store, f, number)
    ratings = {"up": "有帮助", "down": "没帮助"}
    body = "".join(
        f"<tr><td>{e(G.beijing(r['ts']))}</td><td>{e(G.CHANNELS.get(r['channel'], r['channel']))}</td>"
        f"<td>{e(r['question'])}"
        + (f"<br><span class=muted>上一问：{e(r['previous'])}</span>" if r.get("previous") else "")
        + f"</td><td>{e(region_label(r['region'], names))}</td>"
        f"<td>{e(G.OUTCOMES.get(r.get('outcome') or '', kind_label(r['kind'])))}</td>"
        f"<td>{e(ratings.get(r['rating'] or '', ''))}{('：' + e(r['comment'])) if r.get('comment') else ''}</td></tr>"
        for r in rows
    )
    export = (
        f'<p><a href="/admin/log.csv?{urlencode(f.query())}">导出筛选结果（CSV，Excel 可直接打开）</a></p>'
    )
    table = (
        '<div class="scroll"><table><tr><th>时间</th><th>渠道</th><th>问题</th><th>地区</th><th>结果</th><th>评价</th>'
        f"</tr>{body}</table></div>"
        if rows
        else f"<p>{e(M.NOTHING_TO_REPORT)}</p>"
    )
    return layout(
        "提问记录",
        _filter_form("/admin/log", f, names) + export + _pages(f, number, total) + table,
        "/admin/log",
    )


@router.get("/log.csv")
def log_csv(request: Request) -> Response:
    f, names = _filters(request), _names(request)
    return Response(
        write_rows_csv(G.filtered_rows(_ops(request).store, f), names),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="questions.csv"', **NO_STORE},
    )


# ---- 删除前确认 ------------------------------------------------------------------------------------------
@router.get("/pins/{pin_id}/delete")
def confirm_delete(pin_id: int, request: Request) -> HTMLResponse:
    pin = next((p for p in _ops(request).store.pins() if p.id == pin_id), None)
    if pin is None:
        raise ApiError(404, M.PIN_NOT_FOUND.format(id=pin_id))
    body = (
        f'<div class="card"><p>问题：{e(pin.question)}</p><p>回答：{e(pin.answer)}</p></div>'
        f"<p>删除后，这个问题将按方案原文正常回答。确定删除吗？</p>"
        f'<form method="post" action="/admin/pins/{pin.id}/delete">{_token_field(request)}'
        '<button>确定删除</button> <a href="/admin#pins">取消</a></form>'
    )
    return layout("删除置顶回答", body, "/admin#pins")
