"""Chat channels of `rag serve`: the WeChat Official Account (公众号) and WeCom (企业微信) message callbacks,
and the full-answer page their bubbles link to. Off unless configured (see config.py and docs/wechat.md)."""

from __future__ import annotations

from . import answer_page
from .callbacks import router_for
from .config import ChannelConfig, load_channel_config
from .dialogue import Responder

__all__ = ["ChannelConfig", "install", "load_channel_config"]


def install(app, settings=None, channels: ChannelConfig | None = None) -> ChannelConfig:
    """Adds /wechat/mp and/or /wechat/work and /answer/<id> to a new app when a channel is configured; nothing
    otherwise (those paths stay 404). Called once by create_app, after app.state.limits exists."""
    channels = channels if channels is not None else load_channel_config(settings)
    app.state.channels = channels
    if not channels.enabled:
        return channels

    responder = Responder(app.state, channels)
    for account in (channels.mp, channels.work):
        if account is not None:
            app.include_router(router_for(account, responder))
    app.include_router(answer_page.router())
    return channels
