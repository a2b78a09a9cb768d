"""Bounds on what Gradio keeps per chat session, which Gradio itself only bounds by count.

* A queue join whose event stream is never opened (a script, or a visitor who left) leaves the finished answer
  waiting in Gradio's pending-message cache (up to 2,000 sessions × tens of KB). After `grace` seconds such a
  session's events are cancelled and its messages and state dropped.
* A session's state (the chat turns and a copy of the page configuration) stays until `idle` seconds after its
  last event, then is dropped; `max_sessions` (Blocks.state_session_capacity) bounds the count meanwhile.

Sweeps run from the request path (no thread), at most once every `interval` seconds, O(sessions).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

log = logging.getLogger("rag.server")


class SessionJanitor:
    def __init__(self, blocks, grace: float = 20.0, idle: float = 1200.0, interval: float = 5.0, quota=None):
        self.blocks, self.grace, self.idle, self.interval = blocks, grace, idle, interval
        self.quota: SessionQuota | None = quota
        self._unread: dict[str, float] = {}  # session -> time of its first join not followed by a stream
        self._last_sweep = time.monotonic()

    def joined(self, session: str) -> None:
        self._unread.setdefault(session, time.monotonic())
        if len(self._unread) > 20_000:  # a flood of unread joins: the oldest are due anyway
            self._last_sweep = 0.0

    async def admit(self, session: str, client: str) -> bool:
        """False when the session may not be opened (every slot is held); drops the client's own oldest
        session when it has too many (SessionQuota)."""
        if self.quota is None:
            return True
        dropped = self.quota.admit(session, client, alive=self._alive)
        if dropped is None:
            return False
        for old in dropped:
            await self._drop(old)
        return True

    def _alive(self) -> set[str]:
        holder = getattr(self.blocks, "state_holder", None)
        queue = getattr(self.blocks, "_queue", None)
        return set(getattr(holder, "session_data", ()) or ()) | set(
            getattr(queue, "pending_messages_per_session", ()) or ()
        )

    async def _drop(self, session: str) -> None:
        self._unread.pop(session, None)
        queue = getattr(self.blocks, "_queue", None)
        if queue is not None:
            await queue.clean_events(session_hash=session)  # cancels its queued or running events first
            queue.pending_messages_per_session.pop(session, None)
        self._drop_state(session)
        if self.quota is not None:
            self.quota.forget(session)

    def streamed(self, session: str) -> None:
        self._unread.pop(session, None)

    async def sweep(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep < self.interval:
            return
        self._last_sweep = now
        due = [s for s, t in self._unread.items() if now - t > self.grace]
        for session in due:
            await self._drop(session)
        self._drop_idle()
        if due:
            log.info("已清理 %d 个未读取结果的会话。", len(due))

    def _drop_state(self, session: str) -> None:
        holder = getattr(self.blocks, "state_holder", None)
        if holder is None:
            return
        with holder.lock:
            holder.session_data.pop(session, None)
            holder.time_last_used.pop(session, None)

    def _drop_idle(self) -> None:
        import datetime

        holder = getattr(self.blocks, "state_holder", None)
        if holder is None:
            return
        cutoff = datetime.datetime.now() - datetime.timedelta(seconds=self.idle)
        with holder.lock:
            idle = [s for s, t in holder.time_last_used.items() if t < cutoff]
            for s in idle:
                holder.session_data.pop(s, None)
                holder.time_last_used.pop(s, None)
        if self.quota is not None:
            for s in idle:
                self.quota.forget(s)


SESSIONS_FULL = "当前在线对话过多，请稍后再试。"


class SessionQuota:
    """Which client opened which chat session, so that no client can push another's session out.

    Gradio keeps session state in one LRU of `Blocks.state_session_capacity` entries: anyone who opens fresh
    sessions fast enough evicts every live chat (its turns, and before the lock was sent with each request, a
    widget's region lock). Here each client (address, proxy-aware) holds at most `per_client` sessions — a new
    one past that replaces that client's own oldest — and when `total` sessions are held a new session is
    refused (429) instead of evicting someone else's. Gradio's own capacity is set above `total`."""

    def __init__(self, per_client: int = 20, total: int = 500):
        self.per_client, self.total = per_client, total
        self._owner: OrderedDict[str, str] = OrderedDict()  # session -> client, oldest first
        self._by_client: dict[str, OrderedDict[str, None]] = {}

    def __len__(self) -> int:
        return len(self._owner)

    def admit(self, session: str, client: str, alive=None) -> list[str] | None:
        """The sessions to drop (the client's own oldest) when `session` is admitted; None when refused.
        `alive()` gives the sessions Gradio still holds (idle ones it or the janitor dropped are forgotten)."""
        if session in self._owner:
            self._owner.move_to_end(session)
            owned = self._by_client.get(self._owner[session])
            if owned is not None and session in owned:
                owned.move_to_end(session)
            return []
        if len(self._owner) >= self.total and alive is not None:
            self.keep_only(alive())
        owned = self._by_client.setdefault(client, OrderedDict())
        dropped = []
        while len(owned) >= self.per_client:
            old, _ = owned.popitem(last=False)
            self._owner.pop(old, None)
            dropped.append(old)
        if len(self._owner) >= self.total:
            if not owned:
                self._by_client.pop(client, None)
            for old in dropped:  # refused: nothing of the client's is dropped either
                self._owner[old] = client
                owned[old] = None
            return None
        self._owner[session] = client
        owned[session] = None
        return dropped

    def forget(self, session: str) -> None:
        client = self._owner.pop(session, None)
        owned = self._by_client.get(client) if client is not None else None
        if owned is not None:
            owned.pop(session, None)
            if not owned:
                self._by_client.pop(client, None)

    def keep_only(self, alive) -> None:
        alive = set(alive)
        for session in [s for s in self._owner if s not in alive]:
            self.forget(session)
