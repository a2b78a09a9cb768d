"""What the channel says to a message, whatever the platform: commands, events, non-text messages, questions,
and the same reply for a platform's retry of the same message.

Retries: WeChat resends a message it got no reply to (same MsgId; FromUserName + CreateTime for events). The
first reply is kept for 5 minutes in the shared values under the message's key, and a retry that arrives while
the first is still being answered waits for it (in this process) or polls for it (another worker claimed it),
so the question is answered — and logged — once."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
import uuid

from ...errors import InputError, RagError
from ...messages import PAGE_EXAMPLES_AUTO
from ...ops.stores import redact
from ...question.regions import resolve_region
from ...text.normalize import normalize_query
from ..security import clean_history, clean_text
from . import bubble
from . import messages as M
from .answering import channel_answerer
from .config import Account, ChannelConfig
from .conversation import Conversations, user_key
from .wxml import Incoming

log = logging.getLogger("rag.server")
DEADLINE = 4.0  # seconds from the request's arrival to the reply (WeChat gives up at 5)
MODEL_SHARE = 0.6  # of the time left, what a configured chat model may take before the extractive answer
REPLY_TTL = 300  # seconds a reply is kept for retries
ANSWER_TTL = 7 * 86400  # seconds the full answer stays readable at /answer/<id>
RESTART = {"重新开始", "重新开始。", "重来", "清除对话", "restart"}
REGION_COMMAND = re.compile(r"^\s*(?:地区|设置地区|切换地区)\s*[:：]?\s*(\S.{0,30})$")
CHANNEL_NAMES = {"mp": "wechat", "work": "wecom"}


class Responder:
    """One per app: the answering side of /wechat/mp and /wechat/work."""

    def __init__(self, state, channels: ChannelConfig, deadline: float = DEADLINE):
        self.state, self.channels, self.deadline = state, channels, deadline
        self.values = state.limits.values
        self.conversations = Conversations(self.values, idle=max(600, state.config.session_idle))
        self._inflight: dict[str, asyncio.Future] = {}

    @property
    def docs(self) -> dict:
        return self.state.holder.current.docs

    async def reply(self, account: Account, msg: Incoming, started: float) -> str:
        """The reply text for `msg` ("" = nothing to say), the same for every retry of it."""
        user = user_key(account.token, account.kind, msg.from_user)
        digest = hashlib.sha256(msg.dedupe_key.encode()).hexdigest()[:24]
        key = f"wx:reply:{account.kind}:{user}:{digest}"
        cached = self.values.get(key)
        if cached is not None:
            return cached
        if key in self._inflight:
            return await self._wait_for(key, started, self._inflight[key])
        if not self.values.add(key + ":claim", "1", REPLY_TTL):  # another worker is answering it
            return await self._wait_for(key, started, None)
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            try:
                text = await self._route(account, msg, user, started)
            except Exception:  # the platform must get a reply in any case, never a 500 and three retries
                log.exception("微信渠道处理消息失败")
                text = M.FAILED
            self.values.set(key, text, REPLY_TTL)
            future.set_result(text)
            return text
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        finally:
            self._inflight.pop(key, None)

    async def _wait_for(self, key: str, started: float, future) -> str:
        remaining = self.deadline - (time.monotonic() - started)
        if future is not None:
            try:
                return await asyncio.wait_for(asyncio.shield(future), max(0.05, remaining))
            except Exception:  # timed out, or the first delivery failed
                return M.BUSY
        while time.monotonic() - started < self.deadline:
            cached = self.values.get(key)
            if cached is not None:
                return cached
            await asyncio.sleep(0.1)
        return M.BUSY

    async def _route(self, account: Account, msg: Incoming, user: str, started: float) -> str:
        kind = msg.msg_type
        if kind == "event":
            return self.greeting() if msg.event == "subscribe" else ""
        if kind == "location":
            return self._set_region(user, msg.label, from_location=True)
        if kind == "voice" and not msg.content.strip():
            return M.VOICE_UNRECOGNISED
        if kind not in ("text", "voice"):
            return M.NOT_SUPPORTED
        text = msg.content.strip()
        if not text:
            return M.EMPTY
        if text.lower() in RESTART:
            self.conversations.clear(user)
            return M.RESTARTED
        command = REGION_COMMAND.match(text)
        if command:
            return self._set_region(user, command.group(1), from_location=False)
        return await self._question(account, msg, user, text, started)

    def covered(self) -> str:
        return "、".join(d.region_name for d in self.docs.values())

    def greeting(self) -> str:
        """The web page's own example questions (tests/test_ui.py keeps them answerable), the first three."""
        examples = "\n".join(f"{i}. {e}" for i, e in enumerate(PAGE_EXAMPLES_AUTO[:3], 1))
        return bubble.text_only(M.GREETING.format(covered=self.covered(), examples=examples))

    def _set_region(self, user: str, name: str, from_location: bool) -> str:
        slug = region_of_place(self.state.holder.current, name)
        if slug is None:
            if from_location:
                return M.LOCATION_UNKNOWN.format(covered=self.covered())
            return M.REGION_UNKNOWN.format(name=name[:30], covered=self.covered())
        conv = self.conversations.load(user)
        conv.region = slug
        self.conversations.save(user, conv)
        return M.REGION_SET.format(region=self.docs[slug].region_name)

    async def _question(self, account: Account, msg: Incoming, user: str, text: str, started: float) -> str:
        limiter = self.state.limits.questions
        wait = limiter.check("wx:" + user)
        if wait:
            return M.RATE_LIMITED.format(wait=max(1, int(wait + 0.999)))
        try:
            question = clean_text(text)
        except InputError as exc:
            return str(exc)
        remaining = self.deadline - (time.monotonic() - started) - 0.3  # the reply still has to be sealed
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(
                    self._answer, account, msg.from_user, user, question, remaining * MODEL_SHARE
                ),
                timeout=max(0.1, remaining),
            )
        except asyncio.TimeoutError:
            log.warning("微信渠道未能在时限内回答，已回复稍后再试。")
            return M.BUSY
        except RagError as exc:
            return bubble.text_only(str(exc))
        except Exception:
            log.exception("微信渠道回答失败")
            return M.FAILED

    def _answer(self, account: Account, from_user: str, user: str, question: str, budget: float) -> str:
        """Runs in a worker thread: ask with the user's region and recent turns, remember, compose the bubble."""
        channel = CHANNEL_NAMES[account.kind]
        answerer = channel_answerer(self.state.holder, channel, f"{channel}:{from_user}", budget)
        conv = self.conversations.load(user)
        region = conv.region if conv.region in answerer.docs else None
        history = clean_history(conv.history, self.state.config.max_history)
        answer = answerer.ask(question, region=region, history=history)
        conv.remember(question, answer.answer)
        if answer.region:
            conv.region = answer.region  # the follow-up "那婚假呢？" stays with the region just asked about
        self.conversations.save(user, conv)
        data = answer.to_dict()
        link = ""
        if self.channels.public_url:
            answer_id = answer.answer_id or uuid.uuid4().hex
            page = {
                **data,
                "question": redact(question),
                "answer_id": answer_id,
                "logged": bool(answer.answer_id),
            }
            self.values.set("wx:answer:" + answer_id, json.dumps(page, ensure_ascii=False), ANSWER_TTL)
            link = f"{self.channels.public_url}/answer/{answer_id}"
        return bubble.compose(data, link)


def region_of_place(answerer, text: str) -> str | None:
    """The covered region a name or an address (a location message's Label) points to, the most precise
    plan first (青岛市 over 山东省)."""
    docs = answerer.docs
    slug = resolve_region(docs, text)
    if slug is not None:
        return slug
    detector = getattr(answerer, "detector", None)
    if detector is None or not text:
        return None
    found = [s for s in detector.detect(normalize_query(text)).slugs if s in docs]
    if not found:
        return None
    ranks = {"province": 0, "city": 1, "county": 2, "district": 2}
    return max(found, key=lambda s: ranks.get(getattr(docs[s], "level", ""), 0))
