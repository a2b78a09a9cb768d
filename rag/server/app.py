"""The one FastAPI app behind `rag serve`: JSON API, OpenAI-compatible API, offline API docs, the embed
widget and its demo page, and the Gradio chat mounted at / (mounted last: it catches every other path)."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # an intranet server must not phone home

import gradio as gr  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.middleware.cors import CORSMiddleware  # noqa: E402
from fastapi.openapi.docs import get_swagger_ui_html  # noqa: E402
from fastapi.responses import FileResponse  # noqa: E402
from fastapi.staticfiles import StaticFiles  # noqa: E402

from ..config import VERSION as __version__  # noqa: E402
from ..ops.shared_state import make_limits  # noqa: E402
from . import api, eligibility_api, openai_compat, ops, page  # noqa: E402
from .channels import install as install_channels  # noqa: E402
from .config import ServerConfig  # noqa: E402
from .contract import ErrorContractMiddleware  # noqa: E402
from .headers import SecurityMiddleware  # noqa: E402
from .limits import RequestGuard  # noqa: E402
from .reload import AnswererHolder, watch_reloads  # noqa: E402
from .sessions import SessionJanitor, SessionQuota  # noqa: E402
from .ui import build_app  # noqa: E402

STATIC = Path(__file__).parent / "static"
SOURCE_ROOT = Path(__file__).resolve().parents[2]
DESCRIPTION = """根据各地生育支持政策文件回答问题，每个回答附带原文条款出处。

* `POST /api/ask` 提问；`POST /api/search` 检索条款；`POST /v1/chat/completions` OpenAI 兼容接口。
* `GET /api/compare?benefit=育儿假` 各地同一待遇的对比（数值、限定、条件、条款）。
* 错误一律返回 4xx 与一句中文说明（`detail` 字段）；超过频率限制返回 429。"""


def _example_page(settings) -> Path | None:
    for root in (getattr(settings, "root", None), SOURCE_ROOT):
        if root and (Path(root) / "examples" / "embed.html").is_file():
            return Path(root) / "examples" / "embed.html"
    return None


def _blocked_paths(settings) -> list[str]:
    """Belt and braces behind the route block in headers.py: what Gradio's file route must never serve."""
    paths = [str(SOURCE_ROOT), "/etc", "/root", "/proc", "/home"]
    if settings is not None:
        paths += [str(Path(settings.root).resolve()), str(Path(settings.index_root).resolve())]
    return sorted(set(paths))


def create_app(answerer, config: ServerConfig | None = None, *, settings=None, channels=None) -> FastAPI:
    """answerer: an answerer or an AnswererHolder (which /admin/reload and SIGHUP swap); channels: the WeChat /
    WeCom callbacks (channels.ChannelConfig; default: from rag.toml and the environment)."""
    config = config or ServerConfig()
    holder = answerer if isinstance(answerer, AnswererHolder) else AnswererHolder(answerer, settings)
    settings = (
        settings or holder.settings or getattr(getattr(answerer, "assistant", answerer), "settings", None)
    )
    holder.settings = holder.settings or settings
    app = FastAPI(
        title="生育政策问答 API",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.holder, app.state.config, app.state.limits = (
        holder,
        config,
        make_limits(config.rate_limit, config.redis_url),
    )
    app.state.limiter = app.state.limits.questions
    watch_reloads(app.state.limits.reload, holder)  # another replica's reload reaches this one (Redis)
    api.install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(openai_compat.router)
    app.include_router(eligibility_api.router)  # 我能享受什么 (issue 24)
    ops.install(app, holder, config, settings)  # question log, feedback, pins, /admin (issue 14)
    install_channels(app, settings, channels)  # /wechat/mp, /wechat/work when configured (issue 23)
    _static_routes(app, settings)
    page.install(app, config.public_url)  # /ui/* files, Chinese lang and share tags, HEAD wherever GET
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(config.api_origins),
        allow_credentials=False,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Authorization"],
        max_age=600,
    )
    app.add_middleware(SecurityMiddleware, config=config)
    app.add_middleware(RequestGuard, state=app.state)  # bounds every request before anything reads it
    app.add_middleware(ErrorContractMiddleware)  # added last = outermost: sees every error response

    demo = build_app(holder, config)  # chat events are rate-limited at the queue join (RequestGuard)
    demo.queue(default_concurrency_limit=config.concurrency, max_size=config.queue_size, api_open=False)
    # read when mounted: Gradio's own LRU sits above SessionQuota's bound, so it never evicts a live chat itself
    demo.state_session_capacity = config.max_sessions * 2
    demo.rag_limits, demo.rag_networks = app.state.limits, config.networks  # 👍/👎 share the feedback limits
    app.state.blocks = demo  # RequestGuard checks queue joins against its functions and queue
    app.state.janitor = SessionJanitor(
        demo,
        idle=config.session_idle,
        quota=SessionQuota(per_client=config.max_sessions_per_client, total=config.max_sessions),
    )
    gr.mount_gradio_app(
        app,
        demo,
        path="/",
        footer_links=[],
        run_history=False,
        enable_monitoring=False,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        show_error=False,
        allowed_paths=[],
        blocked_paths=_blocked_paths(settings),
        css_paths=[STATIC / "chat.css", STATIC / "eligibility.css"],
        max_file_size="1kb",
        root_path=config.public_url or None,  # the page's API root from configuration, never from Host
    )
    return app


def _static_routes(app: FastAPI, settings) -> None:
    try:
        from swagger_ui_bundle import swagger_ui_path  # served locally: /docs must work offline

        app.mount("/docs-static", StaticFiles(directory=swagger_ui_path), name="docs-static")
        js, css = "/docs-static/swagger-ui-bundle.js", "/docs-static/swagger-ui.css"
    except ImportError:  # pragma: no cover - falls back to FastAPI's CDN copy
        js = css = None

    @app.get("/docs", include_in_schema=False)
    def docs():
        kw = {"swagger_js_url": js, "swagger_css_url": css} if js else {}
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="生育政策问答 API", swagger_favicon_url="/favicon.ico", **kw
        )

    @app.get("/embed.js", include_in_schema=False)
    def embed_js():
        return FileResponse(
            STATIC / "embed.js",
            media_type="application/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin"},
        )

    page = _example_page(settings)

    @app.get("/examples/embed.html", include_in_schema=False)
    def example():
        if page is None:
            raise api.ApiError(404, "未找到示例页面 examples/embed.html。")
        return FileResponse(page, media_type="text/html; charset=utf-8")
