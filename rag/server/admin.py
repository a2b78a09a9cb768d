"""/admin: the insight report, CSV export and pinned answers for the operator (needs RAG_ADMIN_TOKEN).

The token is accepted as `Authorization: Bearer …`, or HTTP Basic (any user name, the token as password) so
that a browser can open the page; without a configured token every /admin route answers 404, with a wrong or
missing one 401, and an address that keeps guessing is throttled (429) like /admin/reload. Forms on the page carry a token derived from the admin
token, so another site cannot make an operator's browser post to them (the browser resends Basic
credentials on its own)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
from datetime import timezone
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ..errors import RagError
from ..ops.pins import _chunks_of
from ..ops.pins import add_pin as _add
from ..ops.report import build_report, parse_since, render_html, write_csv
from ..ops.stores import messages as M
from . import schemas
from .admin_auth import check_token
from .contract import ApiError

# the console's pages (rag/server/console.py), linked from every admin page
NAV = (
    ("/admin", "概览"),
    ("/admin/gaps", "待处理问题"),
    ("/admin/probe", "检索测试"),
    ("/admin/clauses", "条款使用"),
    ("/admin/log", "提问记录"),
    ("/admin#pins", "置顶回答"),
)

router = APIRouter(prefix="/admin", tags=["运维"], include_in_schema=True)


def _given(request: Request) -> tuple[str, str | None]:
    """(the credential's name, the presented secret): a Bearer token, or Basic credentials' user name and
    password; the secret is None when nothing was sent. The name keys the failure throttle (admin_auth)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return "bearer", auth[7:].strip()
    if auth.lower().startswith("basic "):
        try:
            user, _, password = (
                base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8").partition(":")
            )
            return "basic:" + user, password
        except (ValueError, UnicodeDecodeError):
            return "basic?", ""  # garbled credentials still count as an attempt
    return "bearer", None


def require_admin(request: Request) -> None:
    if not request.app.state.config.admin_token:
        raise ApiError(404, M.ADMIN_DISABLED)
    refuse = ApiError(
        401, M.ADMIN_BAD_TOKEN, {"WWW-Authenticate": 'Basic realm="rag-admin", charset="UTF-8"'}
    )
    user, given = _given(request)
    check_token(request, given, refuse, user)


def _ops(request: Request):
    return request.app.state.ops


def _form_token(request: Request) -> str:
    return hmac.new(
        request.app.state.config.admin_token.encode(), b"rag-admin-form", hashlib.sha256
    ).hexdigest()


def _chunks(request: Request) -> dict:
    return _chunks_of(request.app.state.holder.current)


def _since(request: Request):
    raw = request.query_params.get("since", "7d")
    if len(raw) > 40:
        raise ApiError(422, "参数 since 过长：请用 7d、12h、30m、all 或日期（2024-01-01）。")
    try:
        since = parse_since(raw)
    except RagError as exc:
        raise ApiError(422, str(exc)) from None
    except (ValueError, OverflowError):  # a span reaching before year 1
        raise ApiError(422, "参数 since 超出范围：请用 7d、12h、30m、all 或日期（2024-01-01）。") from None
    if since is not None and since.tzinfo is not None:  # stored times are naive UTC
        since = since.astimezone(timezone.utc).replace(tzinfo=None)
    if since is not None and not 1900 <= since.year <= 9000:  # time-zone arithmetic downstream would overflow
        raise ApiError(422, "参数 since 超出范围：请用 7d、12h、30m、all 或日期（2024-01-01）。")
    return since


def _report(request: Request) -> dict:
    return build_report(_ops(request).store, _since(request), _chunks(request))


@router.get(
    "",
    dependencies=[Depends(require_admin)],
    include_in_schema=False,
    summary="运营报告与置顶回答（管理页面）",
)
def admin_page(request: Request) -> HTMLResponse:
    report = _report(request)
    nav = "<nav>" + "".join(f'<a href="{h}">{t}</a>' for h, t in NAV) + "</nav>"
    return HTMLResponse(
        render_html(report, extra=_pin_section(request), nav=nav, png=False),
        headers={"Cache-Control": "no-store"},
    )


@router.get(
    "/report.json",
    dependencies=[Depends(require_admin)],
    summary="运营报告（JSON）",
    responses={
        200: {"description": "运营报告", "content": {"application/json": {"schema": {"type": "object"}}}}
    },
)
def admin_report(request: Request) -> JSONResponse:
    return JSONResponse(_report(request), headers={"Cache-Control": "no-store"})


@router.get(
    "/export.csv",
    dependencies=[Depends(require_admin)],
    include_in_schema=False,
    summary="导出提问记录（CSV）",
)
def admin_csv(request: Request) -> Response:
    buf = io.StringIO()
    write_csv(_ops(request).store, _since(request), buf)
    return Response(
        "\ufeff" + buf.getvalue(),  # BOM: Excel opens UTF-8 Chinese correctly
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="questions.csv"', "Cache-Control": "no-store"},
    )


@router.get("/pins", dependencies=[Depends(require_admin)], summary="置顶回答列表")
def list_pins(request: Request) -> dict:
    return {"pins": [p.to_dict() for p in _ops(request).store.pins()]}


def _encodable(data: dict) -> bool:
    """Every string of the object (one level of lists) is valid UTF-8 text: no lone surrogate."""
    values = [v for x in data.values() for v in (x if isinstance(x, list) else [x])]
    try:
        for v in [*data, *values]:
            if isinstance(v, str):
                v.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


MAX_ID = 2**31 - 1  # the pins id column (PostgreSQL integer): a larger id names no pin


async def _fields(request: Request) -> dict:
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep
            raise ApiError(400, "请求体不是合法的 JSON，请检查引号、逗号和括号。") from None
        if not isinstance(data, dict):
            raise ApiError(
                422, '请求体必须是 JSON 对象，例如 {"question": "…", "answer": "…", "cite": ["…"]}。'
            )
        if not _encodable(data):
            raise ApiError(422, "请求体含有无法编码的字符（孤立的代理项），请检查文字。")
        return data
    form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    if not hmac.compare_digest(form.get("form_token", ""), _form_token(request)):
        raise ApiError(403, M.ADMIN_BAD_TOKEN)
    form["_form"] = True
    return form


@router.post(
    "/pins",
    dependencies=[Depends(require_admin)],
    summary="添加置顶回答",
    status_code=201,
    responses={
        201: {"description": "已添加", "content": {"application/json": {"schema": {"type": "object"}}}}
    }
    | schemas.errors(422),
)
async def add_pin(request: Request):
    data = await _fields(request)
    cite = data.get("cite", [])
    if isinstance(cite, str):
        cite = cite.replace(",", " ").replace("，", " ").split()
    if not isinstance(cite, list) or not all(isinstance(c, str) for c in cite):
        raise ApiError(422, M.PIN_NO_CITE)
    question, answer = data.get("question"), data.get("answer")
    if not isinstance(question, str) or not isinstance(answer, str):
        raise ApiError(422, M.PIN_EMPTY)
    try:
        pin_id = _add(_ops(request).store, _chunks(request), question, answer, cite)
    except RagError as exc:
        raise ApiError(422, str(exc)) from None
    if data.get("_form"):
        return RedirectResponse("/admin#pins", status_code=303)
    return JSONResponse({"id": pin_id}, status_code=201)


@router.post(
    "/pins/{pin_id}/delete",
    dependencies=[Depends(require_admin)],
    summary="删除置顶回答",
    responses={
        200: {"description": "已删除", "content": {"application/json": {"schema": {"type": "object"}}}}
    }
    | schemas.errors(422),
)
async def remove_pin(pin_id: int, request: Request):
    data = await _fields(request)
    if not 0 < pin_id <= MAX_ID or not _ops(request).store.remove_pin(pin_id):
        raise ApiError(404, M.PIN_NOT_FOUND.format(id=pin_id))
    if data.get("_form"):
        return RedirectResponse("/admin#pins", status_code=303)
    return {"status": "removed", "id": pin_id}


def _pin_section(request: Request) -> str:
    from html import escape as e

    token = _form_token(request)
    rows = "".join(
        f"<tr><td>{p.id}</td><td>{e(p.question)}</td><td>{e(p.answer)}</td><td>{e(' '.join(p.clauses))}</td>"
        f"<td>{'使用中' if p.active else '已暂停：' + e(p.reason or '')}</td>"
        f'<td><a href="/admin/pins/{p.id}/delete">删除…</a></td></tr>'
        for p in _ops(request).store.pins()
    )
    return (
        '<h2 id="pins">置顶回答</h2><table><tr><th>编号</th><th>问题</th><th>回答</th><th>引用条款</th>'
        f"<th>状态</th><th></th></tr>{rows}</table>"
        '<form method="post" action="/admin/pins"><input type="hidden" name="form_token" '
        f'value="{token}"><p><label>问题 <input name="question" size="60" maxlength="500" required></label></p>'
        '<p><label>回答 <textarea name="answer" rows="3" cols="60" maxlength="2000" required></textarea></label></p>'
        '<p><label>引用条款编号（空格分隔；也可在<a href="/admin/gaps">待处理问题</a>中按文字选条款）'
        '<input name="cite" size="40" required></label></p>'
        "<p><button>置顶</button></p></form>"
        '<p><a href="/admin/log.csv">导出全部提问记录（CSV）</a> · '
        '<a href="/admin/report.json">报告 JSON</a></p>'
    )
