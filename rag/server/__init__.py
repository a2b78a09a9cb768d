"""`rag serve`: the web chat, the JSON/OpenAI APIs and the embeddable widget, in one uvicorn process."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys

from ..config import load_settings
from ..errors import RagError
from ..ops.stores.privacy import RedactingFilter
from ..pipeline import build
from .app import create_app as _create
from .caches import with_caches
from .config import load_server_config
from .reload import AnswererHolder, _owed, hold_reloads_until_loaded, warm_up
from .transport import quiet_repeats, uvicorn_options
from .workers import MAX_WORKERS, bind, respawned, run_workers

__all__ = ["serve", "create_app"]


def create_app(answerer, config=None, **kw):
    return _create(answerer, config, **kw)


def _check_port(host: str, port: int) -> None:
    """A clear sentence instead of uvicorn's traceback-ish log when the address is taken."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as exc:
        raise RagError(
            f"无法在 {host}:{port} 上启动（{exc.strerror}）：端口可能已被占用，请用 --port 换一个。"
        ) from None


def serve(host: str = "127.0.0.1", port: int = 7860, settings=None, workers: int = 1) -> int:
    """Loads and checks the index first (a damaged one stops here with IndexProblem: one line, exit 2),
    then serves until Ctrl-C. SIGHUP reloads the index in the background (every replica's, with Redis).
    workers > 1: a pre-fork supervisor (workers.py); each worker loads the index itself."""
    log = logging.getLogger("rag")  # our messages only: library loggers (faiss, httpx) stay quiet
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

        handler.addFilter(RedactingFilter())  # personal numbers and addresses never reach the log raw
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    hold_reloads_until_loaded()
    settings = settings or load_settings()
    config = load_server_config(settings)
    _check_port(host, port)
    # One OpenMP thread per process for the query model (before it loads; an operator's own setting wins): a
    # server answers many short questions at once, so parallelism comes from concurrent requests and workers.
    # Measured on the shared 2-core machine (load ~10): one query embedding took 26 ms CPU / 54 ms wall with one
    # thread against 140 ms CPU / 284 ms wall with the default (threads spinning against other processes).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if workers == 1:
        return _serve_one(host, port, settings, config)

    if not 1 <= workers <= MAX_WORKERS:
        raise RagError(f"--workers 必须在 1 到 {MAX_WORKERS} 之间。")
    if not config.redis_url:
        log.warning("未设置 RAG_REDIS_URL：%d 个工作进程各自计数（每个地址的提问上限随之成倍）。", workers)
    sock = bind(host, port)
    return run_workers(sock, workers, lambda s: _serve_one(host, port, settings, config, s), config.redis_url)


def _serve_one(host: str, port: int, settings, config, sock: socket.socket | None = None) -> int:
    """One server process: load, warm up, serve (on `sock` when a supervisor bound the port)."""
    again = respawned()
    answerer = with_caches(build(settings, check_seeds=not again))
    if again:
        log = logging.getLogger("rag")
        log.warning("工作进程已重启：继续使用现有索引（seeds/ 若已修改，请运行 rag index 后重新加载）。")
    warm_up(answerer)
    holder = AnswererHolder(answerer, settings, builder=lambda: with_caches(build(settings)))
    del answerer  # this frame lives as long as the server: it kept the first index alive after every reload

    import uvicorn

    app = create_app(holder, config, settings=settings)
    if hasattr(signal, "SIGHUP"):

        def hup(*_):
            app.state.limits.reload.publish()  # the other replicas too (Redis); nothing in one process
            holder.reload_in_background()

        signal.signal(signal.SIGHUP, hup)
        if _owed["reload"]:  # a HUP arrived while loading: honoured once, now
            _owed["reload"] = False
            holder.reload_in_background()
    shown = f"[{host}]" if ":" in host else host
    print(
        f"生育政策问答已启动：http://{shown}:{port}/  （API 文档 /docs，嵌入示例 /examples/embed.html，Ctrl-C 退出）",
        file=sys.stderr,
        flush=True,
    )
    channels = getattr(app.state, "channels", None)
    if channels is not None and channels.enabled:  # issue 23: say where the consoles must point
        paths = "、".join(a.path for a in (channels.mp, channels.work) if a is not None)
        print(f"微信回调已启用：{paths}（`rag wechat check` 自检）", file=sys.stderr, flush=True)

    quiet_repeats()
    options = uvicorn_options(config)
    if sock is None:
        uvicorn.run(app, host=host, port=port, log_level="warning", **options)
        return 0
    uvicorn.Server(uvicorn.Config(app, log_level="warning", **options)).run(sockets=[sock])
    return 0
