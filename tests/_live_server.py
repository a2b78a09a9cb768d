"""Test helpers: one answerer per test process and real uvicorn servers on 127.0.0.1 with a free port."""

from __future__ import annotations

import functools
import socket
import threading
import time
from contextlib import contextmanager

import httpx


@functools.lru_cache(maxsize=1)
def answerer():
    """The real extractive answerer over the built index (loaded once per test process, warmed up)."""
    from rag.pipeline import build
    from rag.server.reload import warm_up

    a = build()
    warm_up(a)
    return a


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app, port: int | None = None):
    """Runs `app` under a real uvicorn server in a thread; yields its base URL and stops it after."""
    import uvicorn

    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False, lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        httpx.get(url + "/healthz", timeout=30).raise_for_status()
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def make_app(config=None, **overrides):
    from rag.server import create_app
    from rag.server.config import ServerConfig

    return create_app(answerer(), config or ServerConfig(**{"rate_limit": 0, **overrides}))
