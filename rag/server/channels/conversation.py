"""One conversation per WeChat / WeCom user: the chosen region and the last few turns, so that "那婚假呢？"
is answered for the region asked about before.

Kept in the server's shared values (rag/ops/shared_state.py: this process, or Redis for every worker and replica),
under a keyed hash of the user id — the raw openid is never stored — bounded in size (the newest turns) and
expiring after `idle` seconds without a message."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field

MAX_TURNS = 3  # question-answer pairs remembered (what a follow-up needs, not a transcript)
MAX_CHARS = 800  # characters kept of each remembered message


def user_key(secret: str, kind: str, user: str) -> str:
    """A stable pseudonym for the user (HMAC with the account's token): for keys, never for display."""
    return hmac.new(secret.encode(), f"{kind}|{user}".encode(), hashlib.sha256).hexdigest()[:32]


@dataclass
class Conversation:
    region: str | None = None
    history: list[dict] = field(default_factory=list)  # [{"role": "user"|"assistant", "content": …}]

    def remember(self, question: str, answer: str) -> None:
        self.history += [
            {"role": "user", "content": question[:MAX_CHARS]},
            {"role": "assistant", "content": answer[:MAX_CHARS]},
        ]
        self.history = self.history[-2 * MAX_TURNS :]


class Conversations:
    """load/save/clear over a KeyValue (get/set/delete with a time to live)."""

    def __init__(self, values, idle: float = 1800.0, prefix: str = "wx:conv:"):
        self.values, self.idle, self.prefix = values, idle, prefix

    def load(self, key: str) -> Conversation:
        raw = self.values.get(self.prefix + key)
        try:
            data = json.loads(raw) if raw else {}
            history = [
                {"role": m["role"], "content": str(m["content"])[:MAX_CHARS]}
                for m in data.get("history", [])[-2 * MAX_TURNS :]
                if m.get("role") in ("user", "assistant")
            ]
            region = data.get("region")
            return Conversation(region=region if isinstance(region, str) else None, history=history)
        except (ValueError, TypeError, KeyError, AttributeError):  # a damaged entry is a fresh start
            return Conversation()

    def save(self, key: str, conv: Conversation) -> None:
        data = {"region": conv.region, "history": conv.history}
        self.values.set(self.prefix + key, json.dumps(data, ensure_ascii=False), self.idle)

    def clear(self, key: str) -> None:
        self.values.delete(self.prefix + key)
