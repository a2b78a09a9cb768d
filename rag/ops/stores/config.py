"""Where the question log lives and for how long: the [store] section of rag.toml < RAG_* environment.

The defaults are the privacy-friendly ones that still let an operator learn something: logging on, a local
SQLite file, 180 days, a salt generated once and kept beside the database (never in the repository)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ...errors import RagError

OFF = ("0", "off", "false", "no", "none")


@dataclass(frozen=True)
class StoreConfig:
    url: str  # SQLAlchemy URL: sqlite:///… (default var/rag.sqlite) or postgresql+psycopg://…
    log_enabled: bool = True  # RAG_LOG=off: no question log, no answer ids, no feedback
    retention_days: int = 180  # question and feedback rows older than this are deleted daily
    salt: str = ""  # secret mixed into the hashed client address; rotated daily (see privacy.py)
    queue_size: int = (
        10_000  # log rows waiting for the writer at most; beyond that they are dropped and counted
    )
    flush_seconds: float = 0.5  # the writer's batch window


def _salt(root: Path) -> str:
    """A random secret kept in var/log_salt (mode 600), created on first use: no salt lives in the repo."""
    path = root / "var" / "log_salt"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        pass
    value = secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value)
    except FileExistsError:  # another worker won the race: use its salt
        return path.read_text(encoding="utf-8").strip()
    except OSError:  # read-only tree: a per-process salt still hides the address
        pass
    return value


def load_store_config(settings=None, **overrides) -> StoreConfig:
    sec = dict((getattr(settings, "extra", None) or {}).get("store", {}))
    root = Path(getattr(settings, "root", None) or Path.cwd())
    env = os.environ.get
    url = env("RAG_DATABASE_URL") or sec.get("database_url") or f"sqlite:///{root / 'var' / 'rag.sqlite'}"
    log = str(env("RAG_LOG") or sec.get("log", "on")).strip().lower() not in OFF
    raw_days = env("RAG_LOG_RETENTION_DAYS") or sec.get("log_retention_days", 180)
    try:
        days = int(raw_days)
    except (TypeError, ValueError):
        raise RagError(f"配置项 log_retention_days 必须是整数，当前为 {raw_days!r}。") from None
    if days < 1:
        raise RagError("配置项 log_retention_days 不能小于 1。")
    salt = env("RAG_LOG_SALT") or sec.get("log_salt") or ""
    cfg = {"url": url, "log_enabled": log, "retention_days": days, "salt": salt}
    cfg.update(overrides)
    if not cfg["salt"]:
        cfg["salt"] = _salt(root)
    return StoreConfig(**cfg)
