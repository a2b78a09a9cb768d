"""The Host header is never believed: what the app (Gradio's page root, og:image, redirects) sees as Host comes
from configuration or from the socket itself.

A request with `Host: evil.example` used to get a page whose Gradio config root and share image pointed at
evil.example; a cache in front then served that page to everyone (issue 28). Now:

* with `RAG_PUBLIC_URL` set, Host is replaced by that URL's host (and Gradio's root is the URL itself);
* without it, Host is kept only when it names this server as reached: the socket's own address, a loopback
  name, or the host of a configured origin (allowed_origins / cors_origins); any other value is replaced by
  the socket's address, and a warning (once) says to set RAG_PUBLIC_URL.
Trusted proxies' X-Forwarded-Host stays theirs to set (limits.RequestGuard drops it from anyone else)."""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

log = logging.getLogger("rag.server")
LOOPBACK_NAMES = ("localhost",)
UNKNOWN_HOST = "收到主机名未知的请求（%s），已按本机地址处理；通过域名访问时请设置 RAG_PUBLIC_URL。"
_warned = False


def _split(hostport: str) -> str:
    """The host part of 'host[:port]' / '[v6]:port', lower-cased; '' when garbled."""
    try:
        return (urlsplit("//" + hostport).hostname or "").lower()
    except ValueError:
        return ""


def _server_host(scope) -> str:
    server = scope.get("server") or ("127.0.0.1", None)
    host, port = server[0], server[1] if len(server) > 1 else None
    shown = f"[{host}]" if ":" in str(host) else str(host)
    return f"{shown}:{port}" if port else shown


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def known_hosts(config) -> frozenset[str]:
    origins = (*config.allowed_origins, *config.cors_origins, config.public_url)
    return frozenset(h for o in origins if o and o != "*" and (h := _split(urlsplit(o).netloc)))


def canonical_host(scope, headers: list, config, known: frozenset[str]) -> list:
    """`headers` with the Host header the app may use (see the module docstring)."""
    global _warned
    given = next((v.decode("latin-1") for k, v in headers if k == b"host"), "")
    if config.public_url:
        host = urlsplit(config.public_url).netloc
    else:
        name = _split(given)
        server = (scope.get("server") or ("",))[0]
        if (
            name
            and len(given) <= 300
            and (name in known or _is_loopback(name) or name == str(server).lower())
        ):
            return headers
        host = _server_host(scope)
        if given and not _warned:
            _warned = True
            log.warning(UNKNOWN_HOST, given[:100])
    if given == host:
        return headers
    return [(k, v) for k, v in headers if k != b"host"] + [(b"host", host.encode("latin-1"))]
