"""Request bounds for every route, enforced before the route reads anything (ASGI middleware `RequestGuard`).

* Bodies: `Content-Length` over the cap is refused at once; any other body (chunked, or no length) is read here,
  counting bytes as they arrive, and refused with 413 as soon as it passes the cap — a 20 MB chunked upload costs
  64 KB of memory, not 20 MB. A body that trickles in slower than `body_timeout` gets 408. The route then reads
  the buffered copy.
* Forwarded headers (`X-Forwarded-For/Host/Proto`, `Forwarded`) are removed unless the peer is a trusted proxy,
  so neither the rate limit nor Gradio's page root (built from `X-Forwarded-Host`) believes a stranger.
* Wrong methods on API routes answer 405 (the chat, mounted at `/`, would otherwise answer 404 for them).
* Gradio's queue join counts against the per-address limit like every other route that starts work, and its
  body is checked (an object, a known function, a short session id) so malformed or unknown calls get a 4xx
  instead of a traceback inside Gradio.
"""

from __future__ import annotations

import asyncio
import json

from starlette.routing import Match, Mount

from ..ops.shared_state import seconds
from .contract import error_bytes, log_client_error
from .host import canonical_host, known_hosts
from .security import client_ip, in_networks
from .sessions import SESSIONS_FULL

MAX_BODY = 64 * 1024  # far above any valid request (500-char question + 20 history turns)
TOO_LARGE = "请求体过大（上限 {kb} KB）。"
TOO_SLOW = "请求体发送太慢，连接已超时，请重试。"
QUEUE_FULL = "当前排队提问的人数已满，请 {wait} 秒后再试。"
BAD_CALL = "无效的调用。"
NOT_A_CHOICE = "所选的值不在可选列表中，请从列表中选择。"
FORWARDED = (b"x-forwarded-for", b"x-forwarded-host", b"x-forwarded-proto", b"x-forwarded-port", b"forwarded")
QUEUE_JOIN = "/gradio_api/queue/join"
QUEUE_DATA = "/gradio_api/queue/data"
_BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class Reject(Exception):
    def __init__(self, status: int, message: str, headers: list | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or []


class RequestGuard:
    """See the module docstring. `state` is the FastAPI app.state (config, limits, the Gradio blocks)."""

    def __init__(self, app, state, max_body: int = MAX_BODY):
        self.app, self.state, self.max_body = app, state, max_body
        self._hosts: tuple = (None, frozenset())

    def _known_hosts(self, config) -> frozenset[str]:
        if self._hosts[0] is not config:
            self._hosts = (config, known_hosts(config))
        return self._hosts[1]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        config = self.state.config
        headers = scope.get("headers") or []
        peer = (scope.get("client") or ("unknown", 0))[0]
        if not in_networks(peer, config.networks) and any(k in FORWARDED for k, _ in headers):
            headers = [(k, v) for k, v in headers if k not in FORWARDED]
            scope = dict(scope, headers=headers)
        safe = canonical_host(scope, headers, config, self._known_hosts(config))
        if safe is not headers:  # Host is never believed (host.py)
            headers = safe
            scope = dict(scope, headers=headers)
        path, method = scope.get("path", ""), scope.get("method", "GET")
        try:
            allowed = _wrong_method(scope)
            if allowed:
                raise Reject(405, "不支持该请求方法。", [(b"allow", ", ".join(allowed).encode())])
            body = await self._read_body(scope, receive, headers)
            janitor = getattr(self.state, "janitor", None)  # sessions.SessionJanitor
            if method == "POST" and path.rstrip("/") == QUEUE_JOIN:
                if janitor is not None:
                    await janitor.sweep()
                session, client = self._check_queue_join(scope, body, headers)
                if janitor is not None:
                    if not await janitor.admit(session, client):
                        raise Reject(429, SESSIONS_FULL, [(b"retry-after", b"30")])
                    janitor.joined(session)
            elif path.rstrip("/") == QUEUE_DATA:
                session = self._check_queue_data(scope)
                if janitor is not None:
                    janitor.streamed(session)
        except Reject as r:
            return await _reply(send, path, r.status, r.message, r.headers)
        if body is None:
            return await self.app(scope, receive, send)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: waits for the disconnect, as the server would

        await self.app(scope, replay, send)

    async def _read_body(self, scope, receive, headers) -> bytes | None:
        """The whole body (at most max_body bytes), or None when the request has none to read."""
        length = next((v for k, v in headers if k == b"content-length"), None)
        chunked = any(k == b"transfer-encoding" for k, _ in headers)
        if length is not None:
            if not length.strip().isdigit():
                raise Reject(400, "请求头 Content-Length 不合法。", [(b"connection", b"close")])
            if int(length) > self.max_body:
                raise Reject(413, TOO_LARGE.format(kb=self.max_body // 1024), [(b"connection", b"close")])
        if scope.get("method") not in _BODY_METHODS and not chunked and not int(length or 0):
            return None
        chunks, size = [], 0
        deadline = asyncio.get_running_loop().time() + self.state.config.body_timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(receive(), timeout=max(0.01, remaining))
            except asyncio.TimeoutError:
                log_client_error("slow-body", "请求体超时：%s", scope.get("path", "")[:200])
                raise Reject(408, TOO_SLOW, [(b"connection", b"close")]) from None
            if message["type"] == "http.disconnect":
                raise Reject(400, "连接已断开。", [(b"connection", b"close")])
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                log_client_error("body-too-large", "请求体超过上限，已拒绝：%s", scope.get("path", "")[:200])
                raise Reject(413, TOO_LARGE.format(kb=self.max_body // 1024), [(b"connection", b"close")])
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    def _check_queue_data(self, scope) -> str:
        """The event stream of a session that has no event would fail inside Gradio's stream (a traceback)."""
        from urllib.parse import parse_qs

        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        session = (query.get("session_hash") or [""])[0]
        queue = getattr(getattr(self.state, "blocks", None), "_queue", None)
        pending = getattr(queue, "pending_messages_per_session", None)
        if not session or (pending is not None and session not in pending):
            log_client_error("queue-data", "无效的 Gradio 事件流请求：%s", scope.get("path", ""))
            raise Reject(404, "没有正在进行的提问。")
        return session

    def _check_queue_join(self, scope, body: bytes | None, headers) -> tuple[str, str]:
        """A chat event starts work: counted per address, and refused unless it is a well-formed known call."""
        try:
            data = json.loads(body or b"")
        except (ValueError, UnicodeDecodeError, RecursionError):
            data = None
        blocks = getattr(self.state, "blocks", None)
        known = set(getattr(blocks, "fns", {}) or {})
        session = data.get("session_hash") if isinstance(data, dict) else None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("data"), list)
            or type(data.get("fn_index")) is not int
            or data["fn_index"] not in known
            or len(data["data"]) != len(getattr(blocks.fns[data["fn_index"]], "inputs", data["data"]))
            or not isinstance(session, str)
            or not 0 < len(session) <= 64
            or not isinstance(data.get("event_data"), dict | type(None))
            or not isinstance(data.get("trigger_id"), int | type(None))
        ):
            log_client_error("queue-join", "无效的 Gradio 调用：%s", scope.get("path", ""))
            raise Reject(422, BAD_CALL)
        if not _choices_ok(blocks.fns[data["fn_index"]], data["data"], _field_choices(self.state)):
            log_client_error("queue-choice", "Gradio 调用中的选项不在列表中：%s", scope.get("path", ""))
            raise Reject(422, NOT_A_CHOICE)
        limiter = self.state.limits.questions
        key = client_ip(
            (scope.get("client") or ("unknown", 0))[0],
            next((v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"), None),
            self.state.config.networks,
        )
        wait = limiter.check(key)
        if wait:
            raise Reject(429, limiter.message(wait), [(b"retry-after", str(seconds(wait)).encode())])
        queue = getattr(blocks, "_queue", None)
        if queue is not None and queue.max_size is not None and _queued(queue) >= queue.max_size:
            raise Reject(429, QUEUE_FULL.format(wait=5), [(b"retry-after", b"5")])
        return session, key


REGION_FIELD = (
    "rag-region"  # ui.py's hidden region Textbox: chat.js's <select> writes a region slug or "auto"
)
LOCK_FIELD = "rag-lock"  # ui.py's hidden lock Textbox: "1" in a widget locked to its region, else ""
AUTO = "auto"


def _field_choices(state) -> dict[str, set]:
    """Free-text components that nevertheless hold a choice (elem_id -> allowed values), read per request so a
    reload that adds a plan adds its slug."""
    docs = getattr(getattr(getattr(state, "holder", None), "current", None), "docs", None) or {}
    return {REGION_FIELD: {AUTO, *docs}, LOCK_FIELD: {"", "1", None}}


def _choices_ok(fn, values: list, fields: dict[str, set] | None = None) -> bool:
    """Single-choice dropdown inputs must hold one of their choices (Gradio's own check would answer in English
    and echo the value); the hidden region Textbox must hold a known slug or "auto"; a State input is null (the
    server keeps its value) or of its default's type; the hidden lock Textbox holds "1", "" or null."""
    fields = fields or {}
    for comp, value in zip(getattr(fn, "inputs", ()), values):
        kind = type(comp).__name__
        if kind == "State":
            default = getattr(comp, "value", None)
            if value is not None and default is not None and type(value) is not type(default):
                return False
            continue
        if kind == "Textbox" and getattr(comp, "elem_id", None) in fields:
            if not isinstance(value, str | None) or value not in fields[comp.elem_id]:
                return False
            continue
        if kind != "Dropdown" or getattr(comp, "allow_custom_value", True):
            continue
        if getattr(comp, "multiselect", False) or value is None:
            continue
        allowed = [c[1] if isinstance(c, tuple | list) else c for c in getattr(comp, "choices", ()) or ()]
        if value not in allowed:
            return False
    return True


def _queued(queue) -> int:
    try:
        return len(queue)
    except TypeError:  # Gradio internals changed: let Gradio's own bound (503, rewritten in Chinese) decide
        return 0


def _wrong_method(scope) -> list[str]:
    """The methods the path allows when it names one of our routes but not with this method; else []."""
    app = scope.get("app")
    if scope.get("method") == "OPTIONS" or app is None:
        return []
    if scope.get("method") == "HEAD":  # page.PageMiddleware (inside) runs HEAD as GET wherever GET is
        scope = dict(scope, method="GET")
    routes = [r for r in getattr(getattr(app, "router", None), "routes", ()) if not isinstance(r, Mount)]
    partial = []
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return []
        if match == Match.PARTIAL:
            partial.append(route)
    # included routers do not list their methods: ask each which standard method it would take
    return [m for m in _METHODS if any(r.matches(dict(scope, method=m))[0] == Match.FULL for r in partial)]


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


async def _reply(send, path: str, status: int, message: str, headers: list) -> None:
    body = error_bytes(path, status, message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                *headers,
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
