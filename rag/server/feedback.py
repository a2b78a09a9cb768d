"""Feedback on an answer: POST /api/feedback for API clients and the widget, and the Chatbot's 👍/👎 (plus
the reasons under its flag icon) in the chat page. Both store one row joined to the answer by answer_id."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from typing import Literal

import gradio as gr  # module level: Gradio resolves the gr.LikeData annotation here
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from ..ops.shared_state import ALREADY_RATED
from ..ops.stores import messages as M
from ..ops.stores.db import MAX_COMMENT, FeedbackRow
from ..ops.stores.privacy import redact
from ..text.normalize import strip_invisible
from . import schemas
from .contract import ApiError
from .security import RateLimiter, client_ip

log = logging.getLogger("rag.server")
router = APIRouter(tags=["反馈"])
_ID = re.compile(r"[0-9a-f]{32}")
LIKE, DISLIKE = "Like", "Dislike"  # Gradio draws these two as thumbs; other options sit under a flag icon


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    answer_id: StrictStr = Field(description="回答里的 answer_id", max_length=64)
    rating: Literal["up", "down"] = Field(description="up：有帮助；down：没帮助")
    comment: StrictStr | None = Field(None, description=f"补充说明（{MAX_COMMENT} 字以内），例如：答案错误")


def _limiter(request: Request) -> RateLimiter:
    """The limits' shared feedback limiter (Redis across replicas: shared_state.make_limits)."""
    state = request.app.state
    shared = getattr(getattr(state, "limits", None), "feedback", None)
    if shared is not None:
        return shared
    if getattr(state, "feedback_limiter", None) is None:
        state.feedback_limiter = RateLimiter(state.config.rate_limit)
    return state.feedback_limiter


def store_feedback(
    ops, answer_id: str, rating: str, comment: str | None, *, rated=None, client: str | None = None
) -> None:
    """Validates and stores one rating; ApiError (Chinese sentence) when it cannot. With `rated` (a OnceSet,
    shared by replicas) each client rates an answer once: a second rating is refused (409), not stored."""
    if ops is None or not ops.feedback_enabled:
        raise ApiError(404, M.FEEDBACK_DISABLED)
    if rating not in ("up", "down"):
        raise ApiError(422, M.FEEDBACK_BAD_RATING)
    comment = strip_invisible(comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise ApiError(422, M.FEEDBACK_COMMENT_TOO_LONG.format(limit=MAX_COMMENT))
    comment = redact(comment) if comment else None  # phone numbers, ID, e-mail never stored (privacy.py)
    try:
        if not _ID.fullmatch(answer_id or "") or not _known(ops, answer_id):
            raise ApiError(404, M.FEEDBACK_UNKNOWN_ID)
        # the same rating twice from one client is refused; the page's 👎 sheet may still add a reason or words to
        # a 👎 already sent (each distinct; the feedback rate limit bounds how many)
        words = hashlib.sha256((comment or "").encode()).hexdigest()[:16]
        once = f"{answer_id}|{client or ''}|{rating}|{words}"
        if rated is not None and not rated.first(once):
            raise ApiError(409, ALREADY_RATED)
        # through the log's writer: never waits for the database, retried when it is down, written at stop
        ops.log.record_feedback(FeedbackRow(answer_id=answer_id, rating=rating, comment=comment))
    except ApiError:
        raise
    except Exception as exc:
        log.warning("反馈写入失败：%s", exc)
        raise ApiError(503, M.FEEDBACK_DB_DOWN) from None


def _known(ops, answer_id: str) -> bool:
    """Known here or in the database; else checked once more after one batch window, because the answer may
    come from another worker or replica whose writer has not written it yet (a 👎 a second after the answer)."""
    if ops.log.knows(answer_id):
        return True
    time.sleep(min(1.0, ops.log.flush_seconds * 2 + 0.1))
    return ops.store.has_answer(answer_id)


def limit_feedback(request: Request) -> str:
    """Ratings count against the caller's address like questions (429 beyond the limit); returns the address."""
    key = client_ip(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        request.app.state.config.networks,
    )
    limiter = _limiter(request)
    wait = limiter.check(key)
    if wait:
        raise ApiError(429, limiter.message(wait), {"Retry-After": str(max(1, int(wait + 0.999)))})
    return key


@router.post("/api/feedback", summary="对一条回答点赞或点踩", responses=schemas.errors(409, 422))
def post_feedback(body: FeedbackRequest, request: Request) -> dict:
    key = limit_feedback(request)
    store_feedback(
        getattr(request.app.state, "ops", None),
        body.answer_id,
        body.rating,
        body.comment,
        rated=getattr(getattr(request.app.state, "limits", None), "rated", None),
        client=key,
    )
    return {"status": "ok", "message": M.FEEDBACK_THANKS}


# ---- the chat page ---------------------------------------------------------------------------------
def feedback_options(answerer) -> tuple[str, ...] | None:
    """The Chatbot's feedback buttons: thumbs, and the 👎 reasons under the flag; None when feedback is off."""
    ops = getattr(answerer, "ops", None)
    return (LIKE, DISLIKE, *M.DOWN_REASONS) if ops is not None and ops.feedback_enabled else None


def rating_of(liked) -> tuple[str, str | None] | None:
    """Gradio's LikeData.liked -> (rating, reason): True 👍, False 👎, a reason string = 👎 with that reason."""
    if liked is True or liked == LIKE:
        return "up", None
    if liked is False or liked == DISLIKE:
        return "down", None
    if isinstance(liked, str) and liked in M.DOWN_REASONS:
        return "down", liked
    return None


def answer_id_at(turns: list[dict], index) -> str | None:
    """The answer_id of the chat message at `index` (two messages per turn: question, answer)."""
    if isinstance(index, (list, tuple)):
        index = index[0]
    if not isinstance(index, int) or index < 0 or index % 2 != 1 or index // 2 >= len(turns or []):
        return None
    answer = (turns[index // 2] or {}).get("answer") or {}
    return answer.get("answer_id")


def _shared_limits(request) -> tuple:
    """(Limits, trusted networks) of the server this chat page is mounted in: create_app puts them on the Blocks
    (the Gradio request's app is Gradio's own sub-app, not ours)."""
    try:
        blocks = request.app.get_blocks()
    except Exception:  # a page built alone (tests): no shared limits
        return None, ()
    return getattr(blocks, "rag_limits", None), getattr(blocks, "rag_networks", ())


def attach(chatbot, turns_state, answerer) -> None:
    """Registers the Chatbot's like event (when feedback is on)."""
    ops = getattr(answerer, "ops", None)
    if ops is None or not ops.feedback_enabled:
        return

    def on_like(turns, data: gr.LikeData, request: gr.Request):
        rated = rating_of(data.liked)
        answer_id = answer_id_at(turns, data.index)
        if rated is None or answer_id is None:
            return
        limits, networks = _shared_limits(request)
        peer = getattr(getattr(request, "client", None), "host", None)
        client = client_ip(peer, (getattr(request, "headers", None) or {}).get("x-forwarded-for"), networks)
        try:
            if limits is not None and limits.feedback is not None:
                wait = limits.feedback.check(client)
                if wait:
                    raise ApiError(429, limits.feedback.message(wait))
            store_feedback(ops, answer_id, *rated, rated=getattr(limits, "rated", None), client=client)
        except ApiError as exc:
            gr.Warning(exc.message)
            return
        # thanked inline under the answer by chat.js (a toast covers the page and is gone before an elder reads it)

    chatbot.like(on_like, [turns_state], None, api_visibility="private", show_progress="hidden")
