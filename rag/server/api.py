"""JSON API: /api/ask, /api/search, /healthz, /admin/reload, plus the error handlers that turn every
bad request into a 4xx with one Chinese sentence (never a traceback, never the echoed input)."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..benefits.view import compare_dict, table_of
from ..errors import InputError, RagError
from ..ops.shared_state import seconds
from ..ops.stores import messages as store_messages
from ..question.regions import resolve_region
from ..question.validate import MAX_QUESTION_CHARS
from . import schemas
from .admin_auth import check_token
from .contract import ApiError, error_body, sentence
from .ops import status as ops_status
from .reload import index_info, served_seeds_match
from .security import clean_history, clean_text, client_ip

log = logging.getLogger("rag.server")
router = APIRouter()


MAX_HISTORY_MESSAGES = 50  # messages a request may carry (only the newest max_history are used)
MAX_HISTORY_CHARS = 20_000  # their total length
HISTORY_TOO_LONG = f"对话历史过长（合计不超过 {MAX_HISTORY_CHARS} 字），请删去较早的消息。"


CallerId = Annotated[StrictStr, Field(max_length=200)] | StrictInt | None


class Message(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: StrictStr


def check_history_size(history: list) -> list:
    if sum(len(getattr(m, "content", "") or "") for m in history) > MAX_HISTORY_CHARS:
        raise ValueError("history_too_long")
    return history


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    question: StrictStr = Field(
        description=f"用户的问题（{MAX_QUESTION_CHARS} 字以内）", examples=["青岛育儿假有几天？"]
    )
    region: StrictStr | None = Field(
        None, description="地区代码（beijing、qingdao…）；不填则自动识别", examples=[None]
    )
    region_lock: StrictBool = Field(
        False,
        description="true：只回答 region 指定地区的政策；问到其他地区时只给一句提示，不给该地区的条款",
    )
    history: list[Message] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_MESSAGES,
        description=f"之前的对话，按时间顺序（至多 {MAX_HISTORY_MESSAGES} 条、合计 {MAX_HISTORY_CHARS} 字）",
    )
    id: CallerId = Field(None, description="调用方自定义的编号，原样返回")

    _history_size = field_validator("history")(check_history_size)


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    question: StrictStr = Field(examples=["青岛育儿假有几天？"])
    region: StrictStr | None = Field(
        None, description="地区：代码、名称、简称或拼音（qingdao、青岛市、青岛）"
    )
    k: StrictInt = Field(10, ge=1, le=50)
    id: CallerId = Field(None, description="调用方自定义的编号，原样返回")


# ---- shared helpers (also used by openai_compat) -------------------------------------------------------
def rate_limit(request: Request) -> None:
    """Dependency: one question counted against the caller's address; 429 when over the limit."""
    state = request.app.state
    key = client_ip(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        state.config.networks,
    )
    wait = state.limiter.check(key)
    if wait:
        raise ApiError(429, state.limiter.message(wait), {"Retry-After": str(seconds(wait))})


def check_region(answerer, region: str | None) -> str | None:
    """A slug, region name, short name, alias or pinyin -> the slug; None for automatic detection."""
    region = (region or "").strip()
    if not region or region in ("auto", "自动识别"):
        return None
    slug = resolve_region(answerer.docs, region[:100])
    if slug is None:
        names = "、".join(f"{slug}（{d.region_name}）" for slug, d in answerer.docs.items())
        raise ApiError(422, f"未知地区，可选：{names}；不填则自动识别。")
    return slug


def prepare(request: Request, question, region, history=()):
    """(answerer, cleaned question, region, history): the answerer is read once so a reload never mixes two."""
    answerer = request.app.state.holder.current
    try:
        q = clean_text(question)
    except InputError as exc:
        raise ApiError(422, str(exc)) from None
    hist = clean_history(
        [m if isinstance(m, dict) else m.model_dump() for m in history], request.app.state.config.max_history
    )
    return answerer, q, check_region(answerer, region), hist


def run(fn, *args, **kw):
    """Calls the answerer; its user errors become 4xx."""
    try:
        return fn(*args, **kw)
    except InputError as exc:
        raise ApiError(422, str(exc)) from None
    except RagError as exc:
        raise ApiError(400, str(exc)) from None


# ---- routes ------------------------------------------------------------------------------------------
@router.post(
    "/api/ask",
    dependencies=[Depends(rate_limit)],
    tags=["问答"],
    summary="提问，返回带出处的回答",
    response_model=schemas.AnswerResponse,
    responses=schemas.errors(400, 413, 422, 429),
)
def ask(body: AskRequest, request: Request) -> dict:
    answerer, q, region, hist = prepare(request, body.question, body.region, body.history)
    if body.region_lock and not region:
        raise ApiError(422, "region_lock 需要同时指定 region（地区代码）。")
    lock = {"lock_region": True} if body.region_lock else {}  # region is a default unless locked
    answer = run(answerer.ask, q, region=region, history=hist, **lock)
    answer.id = body.id
    return answer.to_dict()


@router.post(
    "/api/search",
    dependencies=[Depends(rate_limit)],
    tags=["问答"],
    summary="检索相关条款",
    response_model=schemas.SearchResponse,
    responses=schemas.errors(400, 413, 422, 429),
)
def search(body: SearchRequest, request: Request) -> dict:
    answerer, q, region, _ = prepare(request, body.question, body.region)
    detected, hits = run(answerer.search, q, region=region, k=body.k)
    return {"id": body.id, "region_detected": detected, "hits": [h.to_dict() for h in hits]}


@router.get(
    "/api/compare",
    dependencies=[Depends(rate_limit)],
    tags=["问答"],
    summary="各地同一待遇的对比",
    responses=schemas.errors(422, 429),
)
def compare(request: Request, benefit: str | None = None) -> dict:
    """One benefit (everyday words and typos are resolved: 带娃假, 育儿家) or, without `benefit`, every main one."""
    answerer = request.app.state.holder.current
    return run(lambda: compare_dict(table_of(answerer), benefit))


@router.get("/healthz", tags=["运维"], summary="服务与索引状态", response_model=schemas.HealthResponse)
def healthz(request: Request) -> dict:
    holder = request.app.state.holder
    fresh = served_seeds_match(holder)  # False: seeds/ changed since the served index was built
    inner = getattr(holder.current, "assistant", holder.current)
    damaged = getattr(getattr(getattr(inner, "index", None), "integrity", None), "fault", None)
    return {
        "status": "damaged" if damaged else "stale" if fresh is False else "ok",
        "seeds_match": fresh,
        **index_info(holder.current),
        "reloads": holder.reloads,
        "last_reload_error": holder.last_error,
        "question_log": ops_status(request.app),
        "shared_state": request.app.state.limits.status(),
    }


@router.post(
    "/admin/reload",
    tags=["运维"],
    summary="重新加载索引（需要 Authorization: Bearer 管理令牌）",
    status_code=202,
    response_model=schemas.ReloadResponse,
    responses={200: {"model": schemas.ReloadResponse, "description": "wait=1：已重新加载"}}
    | schemas.errors(403, 404, 422, 429, 500),
)
def admin_reload(
    request: Request,
    wait: bool = False,
    authorization: str = Header("", include_in_schema=False),
) -> JSONResponse:
    """Bearer only (a header a browser never adds by itself), compared in constant time; an address that keeps
    guessing (with credentials: admin_auth) is throttled (429) before its guess is even compared."""
    state = request.app.state
    token = state.config.admin_token
    if not token:
        raise ApiError(404, "未启用管理接口（未设置 RAG_ADMIN_TOKEN）。")
    scheme, _, given = authorization.strip().partition(" ")
    refuse = ApiError(403, "管理令牌不正确（需要 Authorization: Bearer <令牌>）。")
    if authorization.strip() and scheme.lower() != "bearer":
        given = "-"  # a credential in another scheme: an attempt, counted, and wrong

    check_token(request, given.strip() or None, refuse)  # admin_auth: only presented credentials count
    holder = state.holder
    state.limits.reload.publish()  # every other replica reloads too (Redis); no-op in one process
    if not wait:
        holder.reload_in_background()
        return JSONResponse({"status": "reloading"}, status_code=202)
    ok = holder.reload()
    body = {
        "status": "reloaded" if ok else "failed",
        "error": holder.last_error,
        **index_info(holder.current),
    }
    if not ok:
        body["detail"] = "重新加载索引失败，继续使用原索引。"
    return JSONResponse(body, status_code=200 if ok else 500)


# ---- error handlers ----------------------------------------------------------------------------------
def error_response(request: Request, status: int, message: str, headers: dict | None = None) -> JSONResponse:
    """`{"detail": …}`, or the OpenAI error object under /v1 (contract.py)."""
    message = message.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate echoed from input: "?"
    return JSONResponse(error_body(request.url.path, status, message), status_code=status, headers=headers)


_FIELDS = {
    "question": "question（问题）",
    "region": "region（地区）",
    "history": "history（对话历史）",
    "k": "k（返回条数）",
    "region_lock": "region_lock（锁定地区）",
    "messages": "messages（消息列表）",
    "role": "role（角色）",
    "content": "content（内容）",
    "id": "id（编号）",
    "model": "model（模型名）",
    "max_tokens": "max_tokens（最大长度）",
    "max_completion_tokens": "max_completion_tokens（最大长度）",
    "n": "n（候选数）",
    "stream": "stream（流式输出）",
    "stop": "stop（停止词）",
    "stream_options": "stream_options（流式选项）",
}


def _explain(err: dict) -> tuple[int, str]:
    kind = err.get("type", "")
    loc = [str(p) for p in err.get("loc", ()) if p != "body"]
    # the innermost known field: internal union/type names (id.str, id.int) never reach the caller
    name = next((_FIELDS[p] for p in reversed(loc) if p in _FIELDS), loc[0] if loc else "请求体")
    if loc and loc[0] == "id" and kind != "missing":
        return 422, "字段 id（编号）必须是不超过 200 字的字符串或整数。"
    if kind == "family_input":  # the eligibility family's own sentence (eligibility_api.py)
        return 422, str(err.get("msg", ""))
    if kind == "json_invalid":
        return 400, "请求体不是合法的 JSON，请检查引号、逗号和括号。"
    if not loc or kind in ("model_attributes_type", "dict_type"):
        return 422, '请求体必须是 JSON 对象，例如 {"question": "青岛育儿假有几天？"}。'
    if kind == "missing":
        return 422, f"缺少字段 {name}。"
    if kind == "string_too_long":
        return 422, f"字段 {name} 太长。"
    if kind.startswith("string"):
        return 422, f"字段 {name} 必须是字符串。"
    if kind.startswith(("int", "greater_than", "less_than")):
        return 422, f"字段 {name} 必须是 1 到 50 之间的整数。"
    if "history_too_long" in str(err.get("msg", "")):
        return 422, HISTORY_TOO_LONG
    if kind.startswith(("list", "too_long")):
        return 422, f"字段 {name} 必须是不超过 {MAX_HISTORY_MESSAGES} 条的消息列表。"
    if kind.startswith(("literal", "enum")):
        return 422, f"字段 {name} 只能是 user、assistant 或 system。"
    if kind.startswith("bool"):
        return 422, f"字段 {name} 必须是 true 或 false。"
    return 422, f"字段 {name} 的值不合法。"


def install_error_handlers(app) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_response(request, exc.status, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        status, message = _explain((exc.errors() or [{}])[0])  # the input itself is never echoed
        return error_response(request, status, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        message = sentence(exc.status_code, exc.detail)
        return error_response(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(InterfaceError)
    @app.exception_handler(OperationalError)
    async def _store_down(request: Request, exc: OperationalError):
        # the database stopped, restarting or locked: what an admin read (or a rating's lookup) meets is an
        # outage to retry, told in one sentence and one log line, not a 500 with a traceback (issue 28's soak)
        log.warning(
            "数据库暂时不可用：%s %s：%s", request.method, request.url.path, str(exc).splitlines()[0][:200]
        )
        return error_response(request, 503, store_messages.STORE_UNAVAILABLE, {"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("未处理的错误：%s %s", request.method, request.url.path)
        return error_response(request, 500, "服务器内部错误，请稍后再试。")
