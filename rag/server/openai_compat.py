"""OpenAI-compatible /v1/chat/completions, so existing chat front ends and SDKs can use the assistant.

The last user message is the question, earlier user/assistant turns are the history, system messages
are ignored (the answer is extractive, not prompted). Citations travel twice: as a 参考条款 list at
the end of the message text (front ends and LangChain's ChatOpenAI keep only the text) and in an extra
`citations` field.

Options are honoured or refused, never silently ignored: `max_tokens` / `max_completion_tokens` cut the reply
(`finish_reason: "length"`), `stop` cuts it at the first stop string, `stream_options.include_usage` adds the
usage chunk; `n > 1`, tools/functions, logprobs and non-text `response_format` answer 400.

Token counts (`usage`) use a simple, documented tokenisation — there is no model vocabulary: every run of ASCII
letters and digits is one token, and every other non-space character (each Chinese character, each punctuation
mark) is one token. Prompt tokens count the text of every message sent; completion tokens the text returned.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from itertools import chain

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator

from ..messages import DRAFT_TAG
from ..models import Answer, is_draft_status
from . import schemas
from .api import MAX_HISTORY_CHARS, MAX_HISTORY_MESSAGES, ApiError, prepare, rate_limit, run

router = APIRouter(prefix="/v1", tags=["OpenAI 兼容"])
MODEL = "rag-fertility-policy"


_TOKEN = re.compile(r"[A-Za-z0-9]+|\S")
MAX_MESSAGE_CHARS = MAX_HISTORY_CHARS + 2_000  # the history bound plus a question


def count_tokens(text: str) -> int:
    """Tokens as documented in the module docstring."""
    return sum(1 for _ in _TOKEN.finditer(text or ""))


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: StrictStr = Field(max_length=20)
    content: StrictStr | list[dict] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    include_usage: StrictBool = False


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: StrictStr = Field(MODEL, max_length=100, description="任意名称，仅原样返回")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_HISTORY_MESSAGES + 1)
    stream: StrictBool = False
    stream_options: StreamOptions | None = None
    max_tokens: StrictInt | None = Field(None, ge=1, description="回答的最大 token 数（计数方法见接口说明）")
    max_completion_tokens: StrictInt | None = Field(None, ge=1, description="同 max_tokens")
    stop: StrictStr | list[StrictStr] | None = Field(
        None, description="遇到其中任一字符串即停止（至多 4 个）"
    )
    n: StrictInt | None = Field(None, description="只支持 1")
    tools: list | None = Field(None, description="不支持")
    functions: list | None = Field(None, description="不支持")
    tool_choice: StrictStr | dict | None = Field(None, description="不支持（可为 none）")
    logprobs: StrictBool | None = Field(None, description="不支持")
    response_format: dict | None = Field(None, description="只支持 text")
    region: StrictStr | None = Field(None, description="扩展字段：地区（代码、名称或拼音）；不填则自动识别")

    @field_validator("messages")
    @classmethod
    def _size(cls, messages):
        if sum(len(_text(m.content)) for m in messages) > MAX_MESSAGE_CHARS:
            raise ValueError("history_too_long")
        return messages


def refuse_unsupported(body: ChatRequest) -> None:
    """400 with a sentence for every option this extractive assistant cannot honour."""
    if body.n not in (None, 1):
        raise ApiError(400, "不支持 n 大于 1：每次只返回一个回答。")
    if body.tools or body.functions or body.tool_choice not in (None, "none"):
        raise ApiError(400, "不支持工具调用（tools、functions、tool_choice）。")
    if body.logprobs:
        raise ApiError(400, "不支持 logprobs。")
    if body.response_format and body.response_format.get("type", "text") != "text":
        raise ApiError(400, "response_format 只支持 text。")
    stops = [body.stop] if isinstance(body.stop, str) else list(body.stop or [])
    if len(stops) > 4 or any(not s or len(s) > 100 for s in stops):
        raise ApiError(400, "stop 至多 4 个、每个 1 到 100 字。")


class Budget:
    """Cuts the reply text at `max_tokens` or the first stop string, piece by piece (streaming or not).

    `feed` returns the text that may be sent now; while stop strings are set it holds back a possible prefix
    of one. `finish` becomes "length" or "stop" once the reply is cut."""

    def __init__(self, max_tokens: int | None, stop):
        self.max_tokens = max_tokens
        self.stops = [stop] if isinstance(stop, str) else list(stop or [])
        self.hold = max((len(s) for s in self.stops), default=1) - 1
        self.text, self.sent, self.finish = "", 0, None

    def feed(self, piece: str) -> str:
        if self.finish:
            return ""
        self.text += piece
        cut = len(self.text)
        for s in self.stops:
            i = self.text.find(s)
            if 0 <= i < cut:
                cut, self.finish = i, "stop"
        if self.max_tokens is not None:
            ends = [m.end() for m in _TOKEN.finditer(self.text[:cut])]
            if len(ends) > self.max_tokens:
                cut, self.finish = ends[self.max_tokens - 1], "length"
        if not self.finish:
            cut = max(self.sent, cut - self.hold)
        out, self.sent = self.text[self.sent : cut], max(self.sent, cut)
        return out

    def flush(self) -> str:
        if self.finish:
            return ""
        out, self.sent = self.text[self.sent :], len(self.text)
        return out

    @property
    def sent_text(self) -> str:
        return self.text[: self.sent]


def usage(prompt: int, completion: str) -> dict:
    done = count_tokens(completion)
    return {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done}


def _text(content) -> str:
    if isinstance(content, list):  # [{"type": "text", "text": "..."}, ...]
        return "".join(
            p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)
        )
    return content or ""


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[dict]]:
    """(question, history): the last user message and the user/assistant turns before it."""
    turns = [
        {"role": m.role, "content": _text(m.content)} for m in messages if m.role in ("user", "assistant")
    ]
    last = max((i for i, t in enumerate(turns) if t["role"] == "user"), default=None)
    if last is None:
        raise ApiError(422, "messages 中没有用户消息（role 为 user）。")
    return turns[last]["content"], turns[:last]


def references(answer: Answer) -> str:
    """The 参考条款 block appended to the reply text."""
    if not answer.citations:
        return ""
    lines = []
    for c in answer.to_dict()["citations"]:
        draft = DRAFT_TAG if is_draft_status(c["status"]) else ""
        lines.append(
            f"[{c['rank']}] {c['region_name']}《{c['doc_title']}》{draft} {c['section']}（{c['clause_id']}）"
        )
    return "\n\n参考条款：\n" + "\n".join(lines)


def _envelope(cid: str, model: str, created: int, kind: str, **extra) -> dict:
    return {"id": cid, "object": kind, "created": created, "model": model, **extra}


@router.post(
    "/chat/completions",
    dependencies=[Depends(rate_limit)],
    summary="OpenAI 兼容的对话接口",
    description="stream=true 时以 text/event-stream 逐段返回 chat.completion.chunk。"
    "usage 的计数方法：每段连续的 ASCII 字母数字算 1 个 token，其余每个非空白字符（每个汉字、标点）算 1 个。",
    response_model=schemas.ChatCompletion,
    responses=schemas.errors(400, 413, 422, 429, openai=True),
)
def chat_completions(body: ChatRequest, request: Request):
    refuse_unsupported(body)
    question, history = split_messages(body.messages)
    answerer, q, region, hist = prepare(request, question, body.region, history)
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    prompt_tokens = sum(count_tokens(_text(m.content)) for m in body.messages)
    budget = Budget(body.max_completion_tokens or body.max_tokens, body.stop)
    if not body.stream:
        answer = run(answerer.ask, q, region=region, history=hist)
        data = answer.to_dict()
        text = budget.feed(answer.answer + references(answer)) + budget.flush()
        return _envelope(
            cid,
            body.model,
            created,
            "chat.completion",
            choices=[
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": budget.finish or "stop",
                }
            ],
            usage=usage(prompt_tokens, text),
            citations=data["citations"],
            refused=data["refused"],
            region=data["region"],
            answer_id=data.get("answer_id"),
        )
    pieces = answerer.stream(q, region=region, history=hist)
    first = run(next, pieces)  # input errors surface here, before the 200 is sent
    with_usage = bool(body.stream_options and body.stream_options.include_usage)

    def events():
        def chunk(delta: dict | None, finish=None, **extra) -> str:
            choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
            env = _envelope(cid, body.model, created, "chat.completion.chunk", choices=choices, **extra)
            if with_usage:
                env.setdefault("usage", None)
            return f"data: {json.dumps(env, ensure_ascii=False)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        final = None
        for piece in chain([first], pieces):
            if isinstance(piece, Answer):
                final = piece
                text = budget.feed(references(piece)) if piece.citations else ""
            else:
                text = budget.feed(piece or "")
            if text:
                yield chunk(
                    {"content": text}
                )  # once cut, the rest is drained unsent (its citations still count)
        rest = budget.flush()
        if rest:
            yield chunk({"content": rest})
        data = final.to_dict() if final is not None else {"citations": [], "refused": False, "region": None}
        yield chunk(
            {},
            budget.finish or "stop",
            citations=data["citations"],
            refused=data["refused"],
            region=data["region"],
            answer_id=data.get("answer_id"),
        )
        if with_usage:
            yield chunk(None, usage=usage(prompt_tokens, budget.sent_text))
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@router.get("/models", summary="可用的模型名", response_model=schemas.ModelList)
def models() -> dict:
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "local"}]}
