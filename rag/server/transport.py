"""Connection-level bounds that an ASGI middleware cannot see (it only meets complete request heads):

* a client must finish sending a request head within `header_timeout` seconds of connecting or of starting the
  next keep-alive request (slow-loris senders that drip a header byte at a time are disconnected);
* at most `max_connections_per_ip` open connections per peer address (trusted proxies are exempt: every visitor
  arrives through them); a further connection gets a 429 and is closed;
* idle keep-alive connections are closed after `keep_alive` seconds (uvicorn's own timer).

Implemented as a subclass of uvicorn's h11 protocol, passed to uvicorn as `http=`; the body deadline is kept by
limits.RequestGuard, which reads bodies.
"""

from __future__ import annotations

import json
import logging
import threading

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..ops.stores.privacy import RedactingFilter
from .config import ServerConfig
from .contract import LOGS
from .security import in_networks

TOO_MANY_CONNECTIONS = "来自您地址的连接过多，请稍后再试。"
MALFORMED = "请求格式错误：无法解析的 HTTP 请求，或请求头过大。"


def _too_many_connections() -> bytes:
    """The raw 429 written to a connection over the per-address limit (before any HTTP parsing)."""
    body = json.dumps({"detail": TOO_MANY_CONNECTIONS}, ensure_ascii=False).encode()
    return (
        b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json; charset=utf-8\r\n"
        b"retry-after: 5\r\nconnection: close\r\ncontent-length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


def _send_malformed(conn, transport) -> None:
    """uvicorn's own 400 (a malformed request line or an oversized head) in the one error contract."""
    payload = json.dumps({"detail": MALFORMED}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close"),
    ]
    try:
        for event in (h11.Response(status_code=400, headers=headers), h11.Data(data=payload)):
            transport.write(conn.send(event))
        transport.write(conn.send(h11.EndOfMessage()))
    except h11.LocalProtocolError:  # a response had already started: just hang up
        pass
    transport.close()


def guarded_protocol(config: ServerConfig) -> type[H11Protocol]:
    """An H11Protocol class bound to `config` (uvicorn instantiates it once per connection)."""
    counts: dict[str, int] = {}
    lock = threading.Lock()
    limit, header_timeout, networks = config.max_connections_per_ip, config.header_timeout, config.networks
    refusal = _too_many_connections()

    class GuardedH11Protocol(H11Protocol):
        _counted: str | None = None
        _head_timer = None
        _scope_seen = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            peer = self.client[0] if self.client else "unknown"
            if limit and not in_networks(peer, networks):
                with lock:
                    if counts.get(peer, 0) >= limit:
                        transport.write(refusal)
                        transport.close()
                        return
                    counts[peer] = counts.get(peer, 0) + 1
                    self._counted = peer
            self._arm_head_timer()

        def connection_lost(self, exc) -> None:
            self._disarm_head_timer()
            if self._counted is not None:
                with lock:
                    n = counts.get(self._counted, 1) - 1
                    if n > 0:
                        counts[self._counted] = n
                    else:
                        counts.pop(self._counted, None)
                self._counted = None
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            between = self.cycle is None or self.cycle.response_complete
            super().data_received(data)
            if (
                self.scope is not None and self.scope is not self._scope_seen
            ):  # a complete request head arrived
                self._scope_seen = self.scope
                self._disarm_head_timer()
            elif between and self._head_timer is None:  # the next head has started: it must finish in time
                self._arm_head_timer()

        def send_400_response(self, msg: str) -> None:
            """uvicorn's own 400 (a malformed request line or an oversized head) in the one error contract."""
            _send_malformed(self.conn, self.transport)

        def _arm_head_timer(self) -> None:
            self._disarm_head_timer()
            if header_timeout:
                self._head_timer = self.loop.call_later(header_timeout, self._head_timeout)

        def _disarm_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timeout(self) -> None:
            self._head_timer = None
            waiting_for_head = self.cycle is None or self.cycle.response_complete
            if waiting_for_head and not self.transport.is_closing():
                self.transport.close()

    return GuardedH11Protocol


class RepeatFilter(logging.Filter):
    """Lets each distinct uvicorn message through at most once a minute (a client sending garbage in a loop
    cannot flood the log); the count of muted repeats is appended to the next one."""

    def filter(self, record: logging.LogRecord) -> bool:
        ok, muted = LOGS.allow("uvicorn:" + str(record.msg)[:100])
        if ok and muted:
            record.msg = f"{record.msg}（此前 {muted} 条相同记录已省略）"
        return ok


def quiet_repeats() -> None:
    log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, RepeatFilter) for f in log.filters):
        log.addFilter(RepeatFilter())
        log.addFilter(RedactingFilter())


def uvicorn_options(config: ServerConfig) -> dict:
    """The uvicorn settings `rag serve` runs with (also used by the tests that start a real server)."""
    return {
        "http": guarded_protocol(config),
        # nothing here speaks WebSocket (Gradio streams over SSE): an upgrade is an ordinary HTTP request, counted and
        # released with its connection. Handed to a WebSocket protocol, the connection left this class without
        # connection_lost, so its count was never released: 50 upgrades locked an address out until restart.
        "ws": "none",
        "proxy_headers": False,  # trusted proxies are decided by [server] trusted_proxies (limits.RequestGuard)
        "server_header": False,
        "timeout_graceful_shutdown": 3,
        # longer than clients' usual 5 s pool expiry: otherwise a client may reuse a connection the server is
        # closing at that very moment (seen once in the load benchmark as a ReadError)
        "timeout_keep_alive": config.keep_alive,
        "h11_max_incomplete_event_size": 16 * 1024,  # request line + headers
    }
