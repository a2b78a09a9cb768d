"""OpenAI-compatible /v1/chat/completions, so existing chat front ends can use the assistant.

The last user message is the question, earlier user/assistant turns are the history, system messages
are ignored (the answer is extractive, not prompted). Citations travel twice: as a 参考条款 list at
the end of the message text (for front ends that only show text) and in an extra `citations` field.
"""

from __future__ import annotations

import json
import time
import uuid
from itertools import chain

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from ..messages import DRAFT_TAG
from ..models import Answer, is_draft_status
from .api import ApiError, prepare, rate_limit, run

router = APIRouter(prefix="/v1", tags=["OpenAI 兼容"])
MODEL = "rag-fertility-policy"


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: StrictStr
    content: StrictStr | list[dict] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: StrictStr = Field(MODEL, description="任意名称，仅原样返回")
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: StrictBool = False
    region: StrictStr | None = Field(None, description="扩展字段：地区代码；不填则自动识别")


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


@router.post("/chat/completions", dependencies=[Depends(rate_limit)], summary="OpenAI 兼容的对话接口")
def chat_completions(body: ChatRequest, request: Request):
    question, history = split_messages(body.messages)
    answerer, q, region, hist = prepare(request, question, body.region, history)
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    if not body.stream:
        answer = run(answerer.ask, q, region=region, history=hist)
        data = answer.to_dict()
        message = {"role": "assistant", "content": answer.answer + references(answer)}
        return _envelope(
            cid,
            body.model,
            created,
            "chat.completion",
            choices=[{"index": 0, "message": message, "finish_reason": "stop"}],
            usage={"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            citations=data["citations"],
            refused=data["refused"],
            region=data["region"],
        )
    pieces = answerer.stream(q, region=region, history=hist)
    first = run(next, pieces)  # input errors surface here, before the 200 is sent

    def events():
        def chunk(delta: dict, finish=None, **extra) -> str:
            env = _envelope(
                cid,
                body.model,
                created,
                "chat.completion.chunk",
                choices=[{"index": 0, "delta": delta, "finish_reason": finish}],
                **extra,
            )
            return f"data: {json.dumps(env, ensure_ascii=False)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        for piece in chain([first], pieces):
            if isinstance(piece, Answer):
                data = piece.to_dict()
                if piece.citations:
                    yield chunk({"content": references(piece)})
                yield chunk(
                    {}, "stop", citations=data["citations"], refused=data["refused"], region=data["region"]
                )
            elif piece:
                yield chunk({"content": piece})
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@router.get("/models", summary="可用的模型名")
def models() -> dict:
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "local"}]}
