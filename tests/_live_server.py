"""Test helpers: one answerer per test process and real uvicorn servers on 127.0.0.1 with a free port."""

from __future__ import annotations

import functools
import socket
import threading
import time
from contextlib import contextmanager

import httpx


@functools.lru_cache(maxsize=1)
def shared_assistant():
    """The real extractive Assistant over the project's index (rebuilt first when stale), loaded once per test
    process: tests/conftest.py's `assistant` fixture and `answerer()` below both return it."""
    from pathlib import Path

    from rag.assistant import Assistant
    from rag.config import load_settings
    from rag.index.store import build_index

    settings = load_settings(Path(__file__).resolve().parents[1])
    build_index(settings, if_stale=True)
    return Assistant.load(settings=settings)


@functools.lru_cache(maxsize=1)
def answerer():
    """The answerer the interfaces use (rag.pipeline.build: the shared Assistant, wrapped by the LLM writer when
    one is configured), warmed up once per test process."""
    from rag.server.reload import warm_up

    a = shared_assistant()
    if a.settings.llm_base_url:
        from rag.llm import with_llm

        a = with_llm(a)
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


def serve_process(port: int, env: dict | None = None, stderr=None):
    """`rag serve` itself, as a user starts it, in a child process (stderr: a pipe, or a file to read later)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "serve", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        stdout=subprocess.PIPE if stderr is None else subprocess.DEVNULL,
        stderr=subprocess.PIPE if stderr is None else stderr,
        text=True,
    )


@contextmanager
def rag_serve_process(env: dict | None = None, stderr=None):
    """Starts `rag serve` on a free port, waits until /healthz answers, yields (URL, process), stops it with
    Ctrl-C."""
    import signal
    import subprocess

    port = free_port()
    proc = serve_process(port, env, stderr)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"rag serve exited: {proc.stderr.read() if proc.stderr else ''}")
            try:
                if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("rag serve did not answer /healthz")
            time.sleep(0.3)
        yield url, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def rag_serve(env: dict | None = None):
    """Starts `rag serve` on a free port, waits until /healthz answers, yields its URL, stops it with Ctrl-C."""
    with rag_serve_process(env) as (url, _):
        yield url
