"""One ASGI middleware for the whole site: refuses Gradio routes the chat does not need and puts a strict Content-Security-Policy (a per-response script nonce) on every HTML page.

Why a nonce: Gradio's page boots from inline <script> tags whose text differs per request, so neither
'self' alone nor hashes work; tagging each of them with a fresh nonce keeps `'unsafe-inline'` out of
script-src, so an injected <script> or onerror= handler cannot run even if sanitising ever failed.
"""

from __future__ import annotations

import json
import posixpath
import re
import secrets

from .config import ServerConfig


async def send_whole(send, start: dict, body: bytes) -> None:
    """Sends a buffered response whose body was rewritten: its start with the new Content-Length, then the body."""
    start["headers"] = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
    start["headers"].append((b"content-length", str(len(body)).encode()))
    await send(start)
    await send({"type": "http.response.body", "body": body})


# Gradio routes the chat page never calls: file serving (local files and a server-side URL fetcher),
# uploads, the client-library call API and REST run route (every event of the page is queued: it joins the queue),
# component server functions (none of the page's components has one; each anonymous call made a session that
# evicted real chats), monitoring, MCP, run history, dev tools.
BLOCKED_PREFIXES = (
    "/gradio_api/file",
    "/file=",
    "/file/",
    "/gradio_api/proxy=",
    "/proxy=",
    "/gradio_api/upload",
    "/upload",
    "/gradio_api/api/",
    "/gradio_api/call/",
    "/run/",
    "/gradio_api/run/",
    "/gradio_api/component_server",
    "/component_server",
    "/call/",
    "/gradio_api/mcp",
    "/gradio_api/runs",
    "/gradio_api/run-history",
    "/gradio_api/vibe",
    "/gradio_api/undo-vibe",
    "/monitoring",
    "/gradio_api/monitoring",
    "/gradio_api/dev",
    "/dev/",
    "/gradio_api/process_recording",
    "/gradio_api/stream/",
    "/gradio_api/custom_component",
    "/gradio_api/openapi.json",
    "/login",
    "/logout",
    "/gradio_api/deep_link",  # writes the caller's chat to disk and links to it: a phishing tool on an official page
    "/deep_link",
)
_SCRIPT = re.compile(rb"<script(?=[\s>])", re.I)


def _json(status: int, message: str) -> tuple[dict, bytes]:
    body = json.dumps({"detail": message}, ensure_ascii=False).encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    return start, body


def is_blocked(path: str) -> bool:
    """Case-folded, slash-collapsed and dot-resolved, so /GRADIO_API//file=, /x/../file= … are caught too."""
    p = re.sub(r"/+", "/", path.lower())
    p = posixpath.normpath(p) + ("/" if p.endswith("/") else "")
    return any(p.startswith(b) or p.rstrip("/") == b.rstrip("/=") for b in BLOCKED_PREFIXES)


def page_csp(nonce: str | None, ancestors: str) -> str:
    script = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return (
        "default-src 'self'; "
        f"script-src {script}; "
        "style-src 'self' 'unsafe-inline'; "  # Svelte sets inline styles; styles cannot run code
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; media-src 'self'; "
        "frame-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )


class SecurityMiddleware:
    def __init__(self, app, config: ServerConfig):
        self.app, self.config = app, config
        self.ancestors = " ".join(["'self'", *config.allowed_origins])

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if is_blocked(path) or is_blocked(scope.get("raw_path", b"").decode("latin-1").split("?")[0]):
            return await self._reply(send, 404, "未找到该地址。")
        headers = dict(scope.get("headers") or [])  # body size: limits.RequestGuard
        wants_html = b"text/html" in headers.get(b"accept", b"")
        if wants_html:  # pages are rewritten (nonce), so ask inner apps for an uncompressed body
            scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k != b"accept-encoding"])
        nonce = secrets.token_urlsafe(16)
        admin = path.rstrip("/") == "/admin" or path.startswith("/admin/")
        # the operator's pages are framed by nobody (the widget's allowed origins frame only the chat)
        ancestors = "'none'" if admin else "'self'" if path.startswith("/examples/") else self.ancestors
        state: dict = {}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                hdrs = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"
                ]
                ctype = next((v for k, v in hdrs if k.lower() == b"content-type"), b"")
                encoded = any(k.lower() == b"content-encoding" for k, v in hdrs)
                state["html"] = ctype.startswith(b"text/html") and not encoded
                csp = (
                    page_csp(nonce if state["html"] else None, ancestors)
                    if ctype.startswith(b"text/html")
                    else "default-src 'none'; frame-ancestors 'none'"
                )
                hdrs += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                ]
                if admin:  # operator data: never kept by a cache, never framed
                    hdrs = [
                        (k, v) for k, v in hdrs if k.lower() not in (b"cache-control", b"x-frame-options")
                    ]
                    hdrs += [(b"cache-control", b"no-store"), (b"x-frame-options", b"DENY")]
                if state["html"]:
                    state["start"], state["body"] = dict(message, headers=hdrs), []
                    return
                return await send(dict(message, headers=hdrs))
            if message["type"] == "http.response.body" and state.get("html"):
                state["body"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = _SCRIPT.sub(f'<script nonce="{nonce}"'.encode(), b"".join(state["body"]))
                return await send_whole(send, state["start"], body)
            await send(message)

        await self.app(scope, receive, send_wrapper)

    @staticmethod
    async def _reply(send, status: int, message: str):
        start, body = _json(status, message)
        start["headers"] += [
            (b"x-content-type-options", b"nosniff"),
            (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
        ]
        await send(start)
        await send({"type": "http.response.body", "body": body})
