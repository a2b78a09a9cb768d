"""Operations layer of `rag serve`: question log, answer ids, pinned answers (issue 14).

It wraps the answerer the server holds instead of changing the Assistant: `OpsAnswerer` has the same
ask/stream interface; before answering it looks for a matching pinned answer, after answering it gives
the answer an `answer_id` and puts one row on the question log's queue. The channel (api, v1, ui, widget)
and the hashed client address reach it through a context variable set by `OpsMiddleware` for the JSON
routes, and explicitly through `bind()` for the Gradio chat (whose events run outside the HTTP request)."""

from __future__ import annotations

import atexit
import contextvars
import logging
import time
import uuid

from ..assistant import stream_answer
from ..models import Answer
from ..ops.outcome import answer_kind, outcome_of  # noqa: F401 - re-exported for the console and tests
from ..ops.pins import PinMatcher, _chunks_of, verify_pins
from ..ops.stores import QuestionLog, QuestionRow, Store, StoreConfig, client_hash, load_store_config, redact
from ..pipeline import build
from ..question.record import user_turns
from ..text.normalize import normalize_query
from . import admin, console, feedback
from .security import client_ip

log = logging.getLogger("rag.server")
# (channel, client hash) of the request being answered
_context: contextvars.ContextVar[tuple[str, str | None] | None] = contextvars.ContextVar(
    "rag_ops", default=None
)
CHANNELS = {"/api/ask": "api", "/v1/chat/completions": "v1"}


class Ops:
    """The store, the question log writer and the config of one server process."""

    def __init__(self, config: StoreConfig, admin_token: str = ""):
        self.config = config
        self.store = Store(config.url)
        self.admin_token = admin_token
        self.log = (
            QuestionLog(
                self.store,
                queue_size=config.queue_size,
                flush_seconds=config.flush_seconds,
                retention_days=config.retention_days,
            )
            if config.log_enabled
            else None
        )

    @property
    def feedback_enabled(self) -> bool:
        return self.log is not None

    def client(self, address: str | None) -> str | None:
        return client_hash(self.config.salt, address)

    def status(self) -> dict:
        if self.log is None:
            return {"enabled": False}
        return self.log.status()

    def close(self) -> None:
        """Writes every queued row and stops the writer; idempotent (the app's shutdown, then atexit)."""
        if self.log is not None:
            self.log.close()
        self.store.dispose()


class OpsAnswerer:
    """The held answerer plus pins and logging; everything else is delegated to the wrapped one."""

    def __init__(self, inner, ops: Ops, channel: str | None = None, client: str | None = None):
        self.inner, self.ops = inner, ops
        self._channel, self._client = channel, client
        self.matcher = None
        if channel is None:  # the shared instance (not a bound view) owns the pin matcher
            self.matcher = _matcher(inner, ops)

    def __getattr__(self, name):  # docs, search, settings, … of the wrapped answerer
        return getattr(self.inner, name)

    @property
    def assistant(self):
        return getattr(self.inner, "assistant", self.inner)

    def bound(self, channel: str, client: str | None) -> OpsAnswerer:
        view = OpsAnswerer.__new__(OpsAnswerer)
        view.inner, view.ops, view._channel, view._client = self.inner, self.ops, channel, client
        view.matcher = self.matcher
        return view

    def _where(self) -> tuple[str, str | None]:
        if self._channel is not None:
            return self._channel, self._client
        return _context.get() or ("python", None)

    def _pinned(self, question, region) -> tuple[Answer | None, int | None]:
        if (
            self.matcher is None
            or not isinstance(question, str)
            or not question.strip()
            or len(question) > 500
        ):
            return None, None
        try:
            found = self.matcher.match(question, region)
            return (self.matcher.answer(question, found), found.pin.id) if found else (None, None)
        except Exception:  # a pin problem must never cost the citizen the normal answer
            log.exception("置顶回答匹配失败")
            return None, None

    def ask(self, question: str, region: str | None = None, history=(), **kw) -> Answer:
        """The wrapped answerer's ask (extra keywords such as lock_region pass through), pin first, then logged."""
        t = time.perf_counter()
        answer, pin_id = self._pinned(question, region)
        answer = answer or self.inner.ask(question, region=region, history=history, **kw)
        self._record(answer, question, time.perf_counter() - t, pin_id, history)
        return answer

    def stream(self, question: str, region: str | None = None, history=(), **kw):
        t = time.perf_counter()
        pinned, pin_id = self._pinned(question, region)
        if pinned is not None:
            pieces = stream_answer(pinned)
        else:
            pieces = self.inner.stream(question, region=region, history=history, **kw)
        for piece in pieces:
            if isinstance(piece, Answer):
                self._record(piece, question, time.perf_counter() - t, pin_id, history)
            yield piece

    def _record(
        self, answer: Answer, question: str, seconds: float, pin_id: int | None = None, history=()
    ) -> None:
        if self.ops.log is None:
            return
        try:
            answer.answer_id = uuid.uuid4().hex
            channel, client = self._where()
            self.ops.log.record(
                QuestionRow(
                    answer_id=answer.answer_id,
                    channel=channel,
                    question=redact(normalize_query(question))[:500],
                    region=answer.region or (",".join(answer.regions) if answer.regions else None),
                    kind=answer_kind(answer),
                    refused=answer.refused,
                    clauses=[h.chunk.id for h in answer.citations],
                    latency_ms=round(seconds * 1000, 2),
                    client=client,
                    pin_id=pin_id,
                    outcome=outcome_of(answer),
                    answer=redact(answer.answer or ""),
                    previous=previous_question(history),
                )
            )
        except Exception:  # logging never fails an answer
            log.exception("提问记录失败")


def previous_question(history) -> str | None:
    """The conversation's last question before this one (normalised, redacted), for follow-ups."""
    try:
        turns = user_turns(history)
    except Exception:
        return None
    return redact(normalize_query(turns[-1]))[:500] if turns else None


def _matcher(inner, ops: Ops):
    """A pin matcher over this answerer's index; first re-checks every pin against the index just loaded."""
    try:
        _chunks_of(inner)
        matcher = PinMatcher(ops.store, inner)
    except Exception as exc:  # no index attribute (test doubles): answers go on without pins
        log.warning("置顶回答不可用：%s", exc)
        return None
    try:
        verify_pins(ops.store, matcher.chunks)
        matcher.verified = True
    except Exception as exc:  # database down at start: the matcher re-checks and loads pins once it is back
        log.warning("置顶回答暂时无法核对（数据库恢复后自动核对并启用）：%s", exc)
        matcher.failing = True
    return matcher


def bind(answerer, channel: str, address: str | None):
    """The answerer with a fixed channel and client (the Gradio chat); any other answerer unchanged."""
    if isinstance(answerer, OpsAnswerer):
        return answerer.bound(channel, answerer.ops.client(address))
    return answerer


def chat_channel(request) -> str:
    """'widget' when the chat page runs inside the embed widget (opened as /?embed=1), else 'ui'."""
    headers = getattr(request, "headers", None) or {}
    referer = headers.get("referer", "") if hasattr(headers, "get") else ""
    return "widget" if "embed=1" in referer else "ui"


class OpsMiddleware:
    """Sets the channel and hashed client address for the JSON answering routes (pure ASGI: the context
    variable reaches the endpoint's worker thread and a streamed response's generator)."""

    def __init__(self, app, ops: Ops, config):
        self.app, self.ops, self.config = app, ops, config

    async def __call__(self, scope, receive, send):
        channel = CHANNELS.get(scope.get("path", "")) if scope["type"] == "http" else None
        if channel is None:
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        peer = (scope.get("client") or (None,))[0]
        forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1") or None
        address = client_ip(peer, forwarded, self.config.networks)
        token = _context.set((channel, self.ops.client(address)))
        try:
            return await self.app(scope, receive, send)
        finally:
            _context.reset(token)


def install(app, holder, config, settings) -> Ops:
    """Wires the operations layer into a new app: wraps the held answerer (and every reload of it), adds the
    context middleware and the /api/feedback and /admin routes. Called once by create_app."""
    ops = Ops(load_store_config(settings), admin_token=config.admin_token)
    _close_on_shutdown(app, ops)
    app.state.ops = holder.ops = ops
    if not isinstance(holder.current, OpsAnswerer):
        holder.current = OpsAnswerer(holder.current, ops)
    inner_builder = holder._builder

    def rebuild():
        if inner_builder is not None:
            new = inner_builder()
        else:
            new = build(holder.settings)
        return OpsAnswerer(new, ops)  # re-checks pins against the rebuilt index

    holder._builder = rebuild
    app.add_middleware(OpsMiddleware, ops=ops, config=config)
    app.include_router(feedback.router)
    app.include_router(admin.router)
    app.include_router(console.router)  # the console's pages under /admin (issue 27)
    return ops


def _close_on_shutdown(app, ops: Ops) -> None:
    """Rows still queued are written on every orderly stop. uvicorn ends the lifespan after the requests in
    flight are answered (so their rows are queued by then) and before it re-raises SIGTERM/SIGINT with the
    default handler, which would end the process without running atexit; atexit stays as the fallback for a
    worker that exits some other way (workers.py runs it before os._exit)."""
    from contextlib import asynccontextmanager

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a):
        async with inner(a) as state:
            try:
                yield state
            finally:
                import anyio

                await anyio.to_thread.run_sync(ops.close)

    app.router.lifespan_context = lifespan
    atexit.register(ops.close)


def status(app) -> dict:
    """The question log's part of /healthz."""
    ops = getattr(app.state, "ops", None)
    return ops.status() if ops is not None else {"enabled": False}
