"""Web-layer settings: the [server] section of rag.toml, overridden by RAG_* environment variables.

Kept apart from rag.config so the library needs no knowledge of HTTP; every default is the safe one
(only this origin may embed or call the API, 30 questions a minute for everyone, no admin endpoint).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field

from ..errors import RagError


@dataclass(frozen=True)
class ServerConfig:
    allowed_origins: tuple[str, ...] = ()  # may embed the page in an iframe (CSP frame-ancestors)
    cors_origins: tuple[str, ...] = ()  # may call the JSON API from a browser; defaults to allowed_origins
    rate_limit: int = 30  # questions per minute per client address; 0 disables
    trusted_proxies: tuple[str, ...] = ()  # peers (IPs or CIDRs) whose X-Forwarded-For is believed
    queue_size: int = 64  # Gradio queue bound: further chat events are refused, not piled up
    concurrency: int = 4  # chat events answered at once
    admin_token: str = ""  # enables POST /admin/reload when set
    max_history: int = 20  # history messages kept per request (older ones are dropped)
    header_timeout: int = 10  # seconds a client may take to send a request head
    body_timeout: int = 30  # seconds a client may take to send a request body
    keep_alive: int = 30  # seconds an idle keep-alive connection stays open
    max_connections_per_ip: int = 50  # open connections per client address (trusted proxies exempt); 0 = off
    max_sessions: int = 500  # chat sessions whose state is kept in memory (the oldest are dropped)
    session_idle: int = 1200  # seconds a chat session's state is kept after its last question
    max_sessions_per_client: int = 20  # chat sessions one address holds (its oldest is dropped past this)
    public_url: str = ""  # RAG_PUBLIC_URL: this site's address; page URLs come from it, never from Host
    redis_url: str = ""  # RAG_REDIS_URL: rate limits, admin throttle and reload signal shared by replicas
    networks: tuple = field(default=(), compare=False, repr=False)

    def __post_init__(self):
        for name in ("allowed_origins", "cors_origins", "trusted_proxies"):
            object.__setattr__(self, name, _list(getattr(self, name)))
        nets = []
        for p in self.trusted_proxies:
            try:
                nets.append(ipaddress.ip_network(p.strip(), strict=False))
            except ValueError:
                raise RagError(f"trusted_proxies 中的 {p!r} 不是合法的 IP 地址或网段。") from None
        object.__setattr__(self, "networks", tuple(nets))
        object.__setattr__(self, "public_url", (self.public_url or "").strip().rstrip("/"))
        if self.public_url and not _is_origin_url(self.public_url):
            raise RagError(
                f"RAG_PUBLIC_URL {self.public_url!r} 必须是 http:// 或 https:// 开头的网址（例如 https://zc.example.gov.cn）。"
            )
        for o in (*self.allowed_origins, *self.cors_origins):
            if o != "*" and not o.startswith(("http://", "https://")):
                raise RagError(
                    f"来源 {o!r} 必须以 http:// 或 https:// 开头（例如 https://www.example.gov.cn）。"
                )

    @property
    def api_origins(self) -> tuple[str, ...]:
        return self.cors_origins or self.allowed_origins


def _is_origin_url(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not (parts.query or parts.fragment)


def _list(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return tuple(str(v).strip().rstrip("/") for v in value if str(v).strip())


def _int(name: str, value, default: int, minimum: int = 0) -> int:
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise RagError(f"配置项 {name} 必须是整数，当前为 {value!r}。") from None
    if n < minimum:
        raise RagError(f"配置项 {name} 不能小于 {minimum}。")
    return n


def load_server_config(settings=None, **overrides) -> ServerConfig:
    """[server] of rag.toml < RAG_* environment < keyword overrides (tests, benchmarks)."""
    sec = dict((getattr(settings, "extra", None) or {}).get("server", {}))
    env = os.environ.get
    cfg = ServerConfig(
        allowed_origins=_list(env("RAG_ALLOWED_ORIGINS", sec.get("allowed_origins"))),
        cors_origins=_list(env("RAG_CORS_ORIGINS", sec.get("cors_origins"))),
        rate_limit=_int("rate_limit", env("RAG_RATE_LIMIT", sec.get("rate_limit")), 30),
        trusted_proxies=_list(env("RAG_TRUSTED_PROXIES", sec.get("trusted_proxies"))),
        queue_size=_int("queue_size", env("RAG_QUEUE_SIZE", sec.get("queue_size")), 64, 1),
        concurrency=_int("concurrency", env("RAG_CONCURRENCY", sec.get("concurrency")), 4, 1),
        admin_token=env("RAG_ADMIN_TOKEN", sec.get("admin_token", "")) or "",
        max_history=_int("max_history", env("RAG_MAX_HISTORY", sec.get("max_history")), 20),
        header_timeout=_int("header_timeout", env("RAG_HEADER_TIMEOUT", sec.get("header_timeout")), 10, 1),
        body_timeout=_int("body_timeout", env("RAG_BODY_TIMEOUT", sec.get("body_timeout")), 30, 1),
        keep_alive=_int("keep_alive", env("RAG_KEEP_ALIVE", sec.get("keep_alive")), 30, 1),
        max_connections_per_ip=_int(
            "max_connections_per_ip", env("RAG_MAX_CONNECTIONS_PER_IP", sec.get("max_connections_per_ip")), 50
        ),
        max_sessions=_int("max_sessions", env("RAG_MAX_SESSIONS", sec.get("max_sessions")), 500, 1),
        session_idle=_int("session_idle", env("RAG_SESSION_IDLE", sec.get("session_idle")), 1200, 60),
        max_sessions_per_client=_int(
            "max_sessions_per_client",
            env("RAG_MAX_SESSIONS_PER_CLIENT", sec.get("max_sessions_per_client")),
            20,
            1,
        ),
        public_url=env("RAG_PUBLIC_URL", sec.get("public_url", "")) or "",
        redis_url=env("RAG_REDIS_URL", sec.get("redis_url", "")) or "",
    )
    return ServerConfig(
        **{**{k: getattr(cfg, k) for k in cfg.__dataclass_fields__ if k != "networks"}, **overrides}
    )
