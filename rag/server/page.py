"""What the browser gets around the Gradio page: Chinese `lang` and share metadata written into the HTML on the
server, the page script (/ui/chat.js) loaded before Gradio boots, its small JSON config, the share image, and
HEAD answered wherever GET is.

Why on the server: Gradio's template hard-codes `lang="en"` and "Gradio / Click to try out the app!" with an image
on an outside host, and its i18n follows the browser's language. A citizen's page is Chinese whatever the browser,
so the HTML is rewritten once here, and chat.js (a same-origin file, allowed by the page's CSP) pins the UI locale
to zh-CN before Gradio reads it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse

from . import ui_text
from .headers import send_whole
from .page_params import AUTO, MAX_PARAM, resolve_region

STATIC = Path(__file__).parent / "static"
SCRIPT_TAG = b'<script src="/ui/chat.js"></script>'
_META = re.compile(rb'\s*<meta\s+(?:property="og:[^"]*"|name="twitter:[^"]*")\s+content="[^"]*"\s*/?>', re.S)
_LANG = re.compile(rb"<html(\s[^>]*?)?\slang=\"[^\"]*\"", re.S)


def share_meta(base_url: str = "") -> bytes:
    """Open Graph / Twitter tags in Chinese, with the image served by this server."""
    e = html.escape
    image = f"{base_url}/ui/share.png"
    tags = [
        ("property", "og:type", "website"),
        ("property", "og:title", ui_text.SITE_TITLE),
        ("property", "og:description", ui_text.SITE_DESCRIPTION),
        ("property", "og:image", image),
        ("property", "og:locale", "zh_CN"),
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:title", ui_text.SITE_TITLE),
        ("name", "twitter:description", ui_text.SITE_DESCRIPTION),
        ("name", "twitter:image", image),
        ("name", "description", ui_text.SITE_DESCRIPTION),
    ]
    return "".join(f'<meta {k}="{e(n)}" content="{e(v)}" />' for k, n, v in tags).encode()


def rewrite_page(body: bytes, base_url: str = "") -> bytes:
    """The Gradio page with lang="zh-CN", Chinese share tags and chat.js first in <head>; other HTML unchanged."""
    if b"<gradio-app" not in body:
        return body
    body = _LANG.sub(lambda m: b"<html" + (m.group(1) or b"") + b' lang="zh-CN"', body, count=1)
    body = _META.sub(b"", body)
    head = re.search(rb"<head[^>]*>", body)
    if head is None:
        return body
    charset = re.search(rb'<meta charset="utf-8"\s*/?>', body)
    at = charset.end() if charset else head.end()
    return body[:at] + SCRIPT_TAG + share_meta(base_url) + body[at:]


class PageMiddleware:
    """HEAD is run as GET (uvicorn, which still sees HEAD, drops the body and keeps the GET headers), so every
    GET route answers HEAD too; the Gradio HTML page is rewritten by `rewrite_page`. Sits inside
    SecurityMiddleware, which strips Accept-Encoding for HTML requests, so the page arrives here uncompressed."""

    def __init__(self, app, public_url: str = ""):
        self.app = app
        self.base = public_url  # og:image's origin: RAG_PUBLIC_URL, or a relative URL — never the Host header

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope.get("method") == "HEAD":
            scope = dict(scope, method="GET")
        state: dict = {}
        base = self.base

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                hdrs = message.get("headers", [])
                ctype = next((v for k, v in hdrs if k.lower() == b"content-type"), b"")
                encoded = any(k.lower() == b"content-encoding" for k, _ in hdrs)
                if ctype.startswith(b"text/html") and not encoded:
                    state["start"], state["body"] = message, []
                    return
            elif message["type"] == "http.response.body" and "start" in state:
                state["body"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = rewrite_page(b"".join(state["body"]), base)
                return await send_whole(send, state["start"], body)
            await send(message)

        await self.app(scope, receive, send_wrapper)


def install(app: FastAPI, public_url: str = "") -> None:
    """Routes of the page's own files (before Gradio is mounted at /, which would catch them) and the middleware."""

    @app.get("/ui/chat.js", include_in_schema=False)
    def chat_js():
        return FileResponse(
            STATIC / "chat.js",
            media_type="application/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=300"},
        )

    @app.get("/ui/share.png", include_in_schema=False)
    def share_png():
        return FileResponse(
            STATIC / "share.png",
            media_type="image/png",
            headers={
                "Cache-Control": "public, max-age=86400",
                "Cross-Origin-Resource-Policy": "cross-origin",
            },
        )

    @app.get("/ui/config.json", include_in_schema=False)
    def config(request: Request):
        """Regions and the sentences chat.js shows (kept in Python, in one place: ui_text)."""
        docs = request.app.state.holder.current.docs
        asked = (request.query_params.get("region") or "")[:MAX_PARAM].strip()
        slug = resolve_region(asked, docs) if asked and asked != AUTO else None
        return JSONResponse(
            {
                "regions": [{"slug": "auto", "name": ui_text.AUTO_LABEL}]
                + [{"slug": s, "name": d.region_name} for s, d in docs.items()],
                "max_chars": ui_text.MAX_CHARS,
                "text": ui_text.SCRIPT_TEXT,
                # ?region= as the page got it: what it resolved to, or that it names no covered region
                "region": {
                    "asked": asked,
                    "slug": slug,
                    "unknown": bool(asked and asked != AUTO and not slug),
                },
            },
            headers={"Cache-Control": "no-cache"},
        )

    app.add_middleware(PageMiddleware, public_url=public_url)
