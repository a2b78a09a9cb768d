"""`rag serve --workers N`: a small pre-fork supervisor. The parent binds the port once and forks N workers
before loading anything (no model, no threads yet, so forking is safe); each worker then loads the index
itself, read-only, with the FAISS vectors memory-mapped so the N copies share the page cache. The kernel spreads
connections over the workers accepting on the shared socket.

The parent only supervises: Ctrl-C/SIGTERM stop every worker gracefully, a worker that dies is restarted
(at most `MAX_RESTARTS` a minute, then the whole server stops rather than flapping), and SIGHUP reloads every
worker (through the Redis reload signal when RAG_REDIS_URL is set, else by passing the signal on).
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable

from ..ops.shared_state import RedisLink, RedisReloadSignal, Unavailable
from .reload import hold_reloads_until_loaded

log = logging.getLogger("rag.server")
MAX_WORKERS = 32
MAX_RESTARTS = 5


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


RESPAWNED = [False]  # set in a worker restarted after a crash (see respawned())


def respawned() -> bool:
    """True in a worker restarted after another's crash: it must come back even when seeds/ changed since the
    index was built (the others serve that index; refusing it turned one crash into the whole service down)."""
    return RESPAWNED[0]


def run_workers(
    sock: socket.socket, n: int, child: Callable[[socket.socket], int], redis_url: str = ""
) -> int:
    """Forks `n` workers running child(sock) and supervises them until stopped; the exit code of the server."""
    pids: dict[int, int] = {}
    restarts: list[float] = []
    stopping = False

    def spawn(i: int, again: bool = False) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            RESPAWNED[0] = again
            for s in (signal.SIGINT, signal.SIGTERM):
                signal.signal(s, signal.SIG_DFL)
            hold_reloads_until_loaded()  # a HUP before the worker has loaded is owed, not fatal
            code = 1
            try:
                code = child(sock) or 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                log.exception("工作进程 %d 异常退出", i)
            finally:
                atexit._run_exitfuncs()  # os._exit skips them: the question log writes what it still holds
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        pids[pid] = i

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(pids):
            _kill(pid, signal.SIGTERM)

    def hup(_signum, _frame) -> None:
        if redis_url and _publish(redis_url):
            log.info("已通过 Redis 通知所有副本重新加载索引。")
            return
        for pid in list(pids):
            _kill(pid, signal.SIGHUP)

    for i in range(n):
        spawn(i)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, hup)
    code = 0
    while pids:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        i = pids.pop(pid, None)
        if i is None or stopping:
            continue
        now = time.monotonic()
        restarts = [t for t in restarts if now - t < 60] + [now]
        if len(restarts) > MAX_RESTARTS:
            log.error("工作进程在一分钟内退出超过 %d 次，停止服务。", MAX_RESTARTS)
            code = 1
            stop(None, None)
            continue
        log.warning("工作进程 %d 已退出（状态 %s），正在重启。", i, status)
        spawn(i, again=True)
    sock.close()
    return code


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _publish(redis_url: str) -> bool:
    link = RedisLink(redis_url)
    try:
        link.call(lambda r: r.incr(RedisReloadSignal(link).key))
        return True
    except Unavailable:
        return False
