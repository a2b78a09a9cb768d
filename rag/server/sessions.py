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

log = logging.getLogger("rag.server")


class SessionJanitor:
    def __init__(self, blocks, grace: float = 20.0, idle: float = 1200.0, interval: float = 5.0):
        self.blocks, self.grace, self.idle, self.interval = blocks, grace, idle, interval
        self._unread: dict[str, float] = {}  # session -> time of its first join not followed by a stream
        self._last_sweep = time.monotonic()

    def joined(self, session: str) -> None:
        self._unread.setdefault(session, time.monotonic())
        if len(self._unread) > 20_000:  # a flood of unread joins: the oldest are due anyway
            self._last_sweep = 0.0

    def streamed(self, session: str) -> None:
        self._unread.pop(session, None)

    async def sweep(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep < self.interval:
            return
        self._last_sweep = now
        due = [s for s, t in self._unread.items() if now - t > self.grace]
        queue = getattr(self.blocks, "_queue", None)
        for session in due:
            self._unread.pop(session, None)
            if queue is not None:
                await queue.clean_events(session_hash=session)  # cancels its queued or running events first
                try:
                    del queue.pending_messages_per_session[session]
                except KeyError:
                    pass
            self._drop_state(session)
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
