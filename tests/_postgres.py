"""A real PostgreSQL server for tests: Debian's `postgresql` package (installed by scripts/sysdeps.sh), a fresh
cluster in a temporary folder on a free loopback port, run as the `postgres` user when we are root (PostgreSQL
refuses to run as root), stopped at the end."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager

from _live_server import free_port


def pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def unavailable() -> str | None:
    """Why a PostgreSQL test cannot run here, or None when it can."""
    if pg_bin() is None:
        return "Debian postgresql is not installed (make sysdeps installs it as root)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[ops]')"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start PostgreSQL as the postgres user"
    return None


class PgServer:
    """A running cluster: `url` to connect, `stop()` to take it down (a test of the database going away),
    `start()` to bring it back (a database that returns)."""

    def __init__(self, url: str, stop, start=None):
        self.url, self._stop, self._start, self.stopped = url, stop, start, False

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self._stop()

    def start(self) -> None:
        if self.stopped and self._start is not None:
            self._start()
            self.stopped = False


@contextmanager
def postgres_server():
    """Yields a PgServer for a running, empty PostgreSQL; the cluster is stopped and deleted afterwards."""
    bindir = pg_bin()
    root = tempfile.mkdtemp(prefix="rag-pg-")
    as_root = os.geteuid() == 0
    if as_root:
        import pwd

        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        os.chmod(root, 0o700)

    def run(*cmd):
        full = (["runuser", "-u", "postgres", "--"] if as_root else []) + list(cmd)
        return subprocess.run(full, check=True, capture_output=True, text=True, timeout=120, cwd=root)

    port = free_port()
    data = os.path.join(root, "data")
    run(f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start():
        log = os.path.join(root, "log")
        run(f"{bindir}/pg_ctl", "-D", data, "-o", opts, "-l", log, "-w", "-t", "60", "start")

    start()
    server = PgServer(
        f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
        lambda: run(f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"),
        start,
    )
    try:
        import sqlalchemy as sa

        deadline = time.monotonic() + 30
        while True:
            try:
                engine = sa.create_engine(server.url)
                with engine.connect() as c:
                    c.execute(sa.text("select 1"))
                engine.dispose()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
