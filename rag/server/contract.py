"""The one error contract of the site: every 4xx/5xx is JSON with one Chinese sentence — `{"detail": "…"}`,
or the OpenAI error object `{"error": {"message", "type", "code"}}` under /v1 — whoever produced it (our routes,
FastAPI's validation, Starlette's CORS, Gradio's own routes, an unexpected exception).

Our routes already answer in that shape; `ErrorContractMiddleware` (outermost) rewrites everything else, so a
Gradio "Queue is full", a CORS "Disallowed CORS origin" or a bare 500 never reaches a citizen in English, and an
exception escaping an inner app is answered and logged here (a traceback at most once a minute per kind) instead
of by uvicorn with 14 KB of traceback per request.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time

from ..text.normalize import CJK

log = logging.getLogger("rag.server")

# One sentence per status, used when the producer gave no Chinese sentence of its own.
SENTENCES = {
    400: "请求无法解析：请发送 UTF-8 编码的合法 JSON。",
    401: "需要身份验证。",
    403: "没有权限访问该地址。",
    404: "未找到该地址。",
    405: "不支持该请求方法。",
    408: "请求发送太慢，连接已超时，请重试。",
    409: "请求与当前状态冲突，请刷新页面后重试。",
    411: "请求缺少长度信息。",
    413: "请求体过大。",
    414: "请求地址过长。",
    415: "不支持的请求格式，请发送 JSON（Content-Type: application/json）。",
    422: "请求内容不合法，请检查字段和取值。",
    429: "请求过于频繁，请稍后再试。",
    431: "请求头过大。",
    500: "服务器内部错误，请稍后再试。",
    502: "上游服务出错，请稍后再试。",
    503: "服务繁忙，请稍后再试。",
    504: "服务响应超时，请稍后再试。",
}
# English details of the libraries below us that deserve their own sentence rather than the status's.
KNOWN = {
    "Disallowed CORS origin": "该网站未获准跨域调用本接口。",
    "Queue is full": "当前排队提问的人数已满，请稍后再试。",
    "Session hash not found.": "无效的调用。",
}
_CJK = re.compile(f"[{CJK}]")
_MAX_ERROR_BODY = 64 * 1024  # error bodies are short; anything longer is replaced without being kept


def sentence(status: int, detail=None) -> str:
    """`detail` when it already is a Chinese sentence, else the sentence for the status."""
    if isinstance(detail, str) and _CJK.search(detail):
        return detail
    if isinstance(detail, str):
        known = next((v for k, v in KNOWN.items() if detail.startswith(k)), None)
        if known:
            return known
    return SENTENCES.get(status) or SENTENCES[500 if status >= 500 else 400]


def openai_type(status: int) -> str:
    return {
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        429: "rate_limit_error",
    }.get(status, "server_error" if status >= 500 else "invalid_request_error")


def is_openai(path: str) -> bool:
    """/v1, and OpenAI endpoint names under any prefix (a client whose base URL is mistyped still reads the
    error as one of its own)."""
    p = path.rstrip("/")
    return (
        p == "/v1"
        or path.startswith("/v1/")
        or p.endswith(("/chat/completions", "/completions", "/embeddings"))
    )


def error_body(path: str, status: int, message: str) -> dict:
    """The JSON body for an error on `path` (OpenAI clients expect their own shape)."""
    if is_openai(path):
        return {"error": {"message": message, "type": openai_type(status), "code": status}}
    return {"detail": message}


def error_bytes(path: str, status: int, message: str) -> bytes:
    return json.dumps(error_body(path, status, message), ensure_ascii=False).encode()


def _conforms(path: str, body: bytes) -> bool:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    if not isinstance(data, dict):
        return False
    if is_openai(path):
        err = data.get("error")
        return isinstance(err, dict) and bool(_CJK.search(str(err.get("message", ""))))
    return isinstance(data.get("detail"), str) and bool(_CJK.search(data["detail"]))


def _detail_of(body: bytes):
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return body[:200].decode("utf-8", "replace").strip() or None  # a plain-text error
    if isinstance(data, dict):
        if isinstance(data.get("error"), dict):
            return data["error"].get("message")
        return data.get("detail")
    return None


class LogLimiter:
    """At most one full log record per key and interval; the rest are counted and reported with the next one."""

    def __init__(self, interval: float = 60.0, max_keys: int = 1000):
        self.interval, self.max_keys = interval, max_keys
        self._last: dict[str, float] = {}
        self._muted: dict[str, int] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> tuple[bool, int]:
        """(log now?, how many were muted since the last record)."""
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(key, -1e9) < self.interval:
                self._muted[key] = self._muted.get(key, 0) + 1
                return False, 0
            if len(self._last) >= self.max_keys:
                self._last.clear()
            self._last[key] = now
            return True, self._muted.pop(key, 0)


LOGS = LogLimiter()


def log_client_error(kind: str, message: str, *args) -> None:
    """One warning per kind a minute: a client repeating a bad request cannot flood the log."""
    ok, muted = LOGS.allow("client:" + kind)
    if ok:
        log.warning(
            message + ("（此前 %d 条同类记录已省略）" if muted else ""), *args, *((muted,) if muted else ())
        )


class ErrorContractMiddleware:
    """Outermost layer: rewrites non-conforming error responses and answers escaped exceptions."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        state: dict = {"started": False, "done": False}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                state["started"] = True
                if message["status"] >= 400 and not _is_stream(message):
                    state["error"], state["chunks"], state["size"] = message, [], 0
                    return
                return await send(message)
            if message["type"] == "http.response.body" and "error" in state:
                if state["done"]:
                    return
                if state["size"] <= _MAX_ERROR_BODY:
                    chunk = message.get("body", b"")
                    state["size"] += len(chunk)
                    state["chunks"].append(chunk)
                if message.get("more_body"):
                    return
                state["done"] = True
                return await self._finish(send, path, state["error"], b"".join(state["chunks"]))
            if message["type"] == "http.response.body" and not message.get("more_body"):
                state["done"] = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:  # noqa: BLE001 - the contract: a Chinese 500, never a traceback to the client
            _log_crash(scope, exc)
            if not state["started"]:
                await self._reply(send, path, 500, SENTENCES[500], [])
            elif "error" in state and not state["done"]:
                state["done"] = True
                await self._finish(send, path, state["error"], b"")

    async def _finish(self, send, path: str, start: dict, body: bytes):
        status = start["status"]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in _BODY_HEADERS]
        ctype = next((v for k, v in start.get("headers", []) if k.lower() == b"content-type"), b"")
        if ctype.startswith(b"application/json") and _conforms(path, body):
            headers += [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
            await send(dict(start, headers=headers))
            return await send({"type": "http.response.body", "body": body})
        detail = _detail_of(body) if len(body) <= _MAX_ERROR_BODY else None
        await self._reply(send, path, status, sentence(status, detail), headers)

    @staticmethod
    async def _reply(send, path: str, status: int, message: str, headers: list):
        body = error_bytes(path, status, message)
        headers = [
            *headers,
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


_BODY_HEADERS = (b"content-type", b"content-length", b"content-encoding", b"transfer-encoding")


def _is_stream(start: dict) -> bool:
    return any(
        k.lower() == b"content-type" and v.startswith(b"text/event-stream") for k, v in start["headers"]
    )


def _log_crash(scope, exc: Exception) -> None:
    kind = f"{scope.get('method')} {_route_kind(scope.get('path', ''))} {type(exc).__name__}"
    ok, muted = LOGS.allow("crash:" + kind)
    if ok:
        more = f"（此前 {muted} 次同类错误已省略）" if muted else ""
        log.error(
            "未处理的错误：%s %s%s", scope.get("method"), scope.get("path", "")[:200], more, exc_info=exc
        )


def _route_kind(path: str) -> str:
    """The path without ids, so /gradio_api/heartbeat/<hash> variants share one log budget."""
    return "/".join(p for p in path.split("/")[:3])


class ApiError(Exception):
    """An HTTP error with one Chinese sentence; raised by the routes, rendered by the contract's handlers."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}
