"""`rag serve`: the web chat, the JSON/OpenAI APIs and the embeddable widget, in one uvicorn process."""

from __future__ import annotations

import logging
import signal
import socket
import sys

from ..errors import RagError

__all__ = ["serve", "create_app"]


def create_app(answerer, config=None, **kw):
    from .app import create_app as _create

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


def serve(host: str = "127.0.0.1", port: int = 7860, settings=None) -> int:
    """Loads and checks the index first (a damaged one stops here with IndexProblem: one line, exit 2),
    then serves until Ctrl-C. SIGHUP reloads the index in the background."""
    from ..config import load_settings
    from ..pipeline import build
    from .config import load_server_config
    from .reload import AnswererHolder, warm_up

    log = logging.getLogger("rag")  # our messages only: library loggers (faiss, httpx) stay quiet
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    settings = settings or load_settings()
    config = load_server_config(settings)
    _check_port(host, port)
    answerer = build(settings)
    warm_up(answerer)
    holder = AnswererHolder(answerer, settings)

    import uvicorn

    app = create_app(holder, config, settings=settings)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, lambda *_: holder.reload_in_background())
    shown = f"[{host}]" if ":" in host else host
    print(
        f"生育政策问答已启动：http://{shown}:{port}/  （API 文档 /docs，嵌入示例 /examples/embed.html，Ctrl-C 退出）",
        file=sys.stderr,
        flush=True,
    )
    from .transport import quiet_repeats, uvicorn_options

    quiet_repeats()
    uvicorn.run(app, host=host, port=port, log_level="warning", **uvicorn_options(config))
    return 0
