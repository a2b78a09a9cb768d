"""Which chat channels `rag serve` answers: the [wechat] and [wecom] sections of rag.toml, overridden by the
RAG_WECHAT_* / RAG_WECOM_* environment variables. A channel without a token is off (its path answers 404)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ...errors import RagError
from .crypto import aes_key

ENV = {
    "mp": ("RAG_WECHAT_TOKEN", "RAG_WECHAT_AES_KEY", "RAG_WECHAT_APPID"),
    "work": ("RAG_WECOM_TOKEN", "RAG_WECOM_AES_KEY", "RAG_WECOM_CORP_ID"),
}
SECTIONS = {"mp": ("wechat", "appid"), "work": ("wecom", "corp_id")}
PATHS = {"mp": "/wechat/mp", "work": "/wechat/work"}


@dataclass(frozen=True)
class Account:
    """One channel's credentials: `receiver_id` is the 公众号 AppID or the 企业微信 CorpID."""

    kind: str  # "mp" | "work"
    token: str
    aes_key: str
    receiver_id: str

    @property
    def path(self) -> str:
        return PATHS[self.kind]


@dataclass(frozen=True)
class ChannelConfig:
    mp: Account | None = None
    work: Account | None = None
    public_url: str = ""  # RAG_PUBLIC_URL: where citizens open the full answer (https://…, no trailing /)

    @property
    def enabled(self) -> bool:
        return self.mp is not None or self.work is not None


def _account(kind: str, sections: dict) -> Account | None:
    token_env, key_env, id_env = ENV[kind]
    name, id_field = SECTIONS[kind]
    sec = sections.get(name, {}) or {}
    token = (os.environ.get(token_env) or sec.get("token") or "").strip()
    key = (os.environ.get(key_env) or sec.get("aes_key") or "").strip()
    receiver = (os.environ.get(id_env) or sec.get(id_field) or "").strip()
    if not token:
        return None
    if kind == "work" and not key:
        raise RagError(f"企业微信回调必须设置 {key_env}（EncodingAESKey，43 个字符）。")
    if key:
        try:
            aes_key(key)
        except ValueError:
            raise RagError(
                f"{key_env} 必须是 43 个字符的 EncodingAESKey（在后台“服务器配置”中生成）。"
            ) from None
        if not receiver:
            raise RagError(f"设置了 {key_env} 时必须同时设置 {id_env}（解密后核对接收方）。")
    return Account(kind=kind, token=token, aes_key=key, receiver_id=receiver)


def load_channel_config(settings=None) -> ChannelConfig:
    sections = dict(getattr(settings, "extra", None) or {})
    public = os.environ.get("RAG_PUBLIC_URL") or (sections.get("server", {}) or {}).get("public_url") or ""
    public = public.strip().rstrip("/")
    if public and not public.startswith(("http://", "https://")):
        raise RagError("RAG_PUBLIC_URL 必须以 https:// 或 http:// 开头，例如 https://zc.example.gov.cn。")
    return ChannelConfig(mp=_account("mp", sections), work=_account("work", sections), public_url=public)
