"""Question log, feedback and pinned answers in one SQLAlchemy database (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import importlib

# Loaded on first use (PEP 562): importing SQLAlchemy costs ~0.8 s, which `rag ask` (that never touches the
# database) must not pay just because the CLI registers the operations subcommands.
_WHERE = {
    "StoreConfig": "config",
    "load_store_config": "config",
    "Pin": "db",
    "QuestionRow": "db",
    "Store": "db",
    "utcnow": "db",
    "client_hash": "privacy",
    "redact": "privacy",
    "QuestionLog": "querylog",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
