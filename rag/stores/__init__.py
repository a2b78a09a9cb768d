"""Question log, feedback and pinned answers in one SQLAlchemy database (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

from .config import StoreConfig, load_store_config
from .db import Pin, QuestionRow, Store, utcnow
from .privacy import client_hash, redact
from .querylog import QuestionLog

__all__ = [
    "Pin",
    "QuestionLog",
    "QuestionRow",
    "Store",
    "StoreConfig",
    "client_hash",
    "load_store_config",
    "redact",
    "utcnow",
]
