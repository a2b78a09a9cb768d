"""Typed response bodies of the HTTP API, so /openapi.json tells callers what they really get.

Every model allows extra fields: a field the answerer adds to `Answer.to_dict()` (e.g. `kind`, `notice`) reaches
callers at once, and documenting it is one line here. The error models are the real error shapes (contract.py):
FastAPI's default array `detail` is never sent.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorResponse(_Open):
    detail: str = Field(description="一句中文说明", examples=["请求过于频繁，请稍后再试。"])


class OpenAIErrorDetail(_Open):
    message: str = Field(description="一句中文说明")
    type: str = Field(description="invalid_request_error、not_found_error、rate_limit_error、server_error…")
    code: int = Field(description="HTTP 状态码")


class OpenAIError(_Open):
    error: OpenAIErrorDetail


class Hit(_Open):
    rank: int
    score: float
    region: str = Field(description="地区代码")
    region_name: str
    doc_title: str
    status: str = Field(description="文件状态，例如 正式印发、征求意见稿")
    clause_id: str
    section: str = Field(description="条款所在章节（标题路径）")
    text: str = Field(description="条款原文")


class Citation(Hit):
    highlights: list[str] = Field(default_factory=list, description="回答引用的原句")


class AnswerResponse(_Open):
    id: str | int | None = Field(None, description="请求中的 id，原样返回")
    answer: str
    refused: bool = Field(description="true：文件中没有答案（回答说明原因）")
    region: str | None = Field(None, description="回答所依据的地区代码")
    citations: list[Citation]
    kind: str | None = Field(
        None, description="问题类型：fact / list / compare / yesno / followup / clarify / refuse"
    )
    notice: str = Field("", description="地区提示（问题中点名的地区与预设地区不同时），否则为空")


class SearchResponse(_Open):
    id: str | int | None = Field(None, description="请求中的 id，原样返回")
    region_detected: str | None
    hits: list[Hit]


class HealthResponse(_Open):
    status: str = Field(
        description="ok，stale（seeds/ 已变更，服务中的索引不是最新），或 damaged（加载后的完整校验发现索引文件损坏）"
    )
    seeds_match: bool | None = None
    index_loaded: bool
    embedder: str | None = None
    chunks: int
    documents: list[str]
    built_at: str | None = None
    build: str | None = Field(None, description="服务中的索引版本（每次 rag index 生成一个）")
    answerer: str
    reloads: int
    last_reload_error: str | None = None
    shared_state: dict | None = Field(
        None,
        description="计数与重载信号的存放处：memory（本进程）或 redis（connected=false：Redis 不可用，暂按本进程计数）",
    )


class ReloadResponse(_Open):
    status: str = Field(description="reloading、reloaded 或 failed")


class Usage(_Open):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatMessageOut(_Open):
    role: str
    content: str


class Choice(_Open):
    index: int
    message: ChatMessageOut
    finish_reason: str = Field(description="stop 或 length（达到 max_tokens）")


class ChatCompletion(_Open):
    id: str
    object: str
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    citations: list[Citation] = Field(description="扩展字段：引用的条款（消息末尾的「参考条款」列表也有）")
    refused: bool
    region: str | None = None


class ModelCard(_Open):
    id: str
    object: str
    created: int
    owned_by: str


class ModelList(_Open):
    object: str
    data: list[ModelCard]


def errors(*statuses: int, openai: bool = False) -> dict:
    """The `responses=` of a route: each status with the real error body and its meaning."""
    model = OpenAIError if openai else ErrorResponse
    meaning = {
        400: "请求无法解析或参数不受支持",
        401: "需要身份验证",
        403: "管理令牌不正确",
        404: "未找到",
        405: "请求方法不受支持",
        408: "请求发送太慢",
        413: "请求体过大",
        422: "字段缺失或取值不合法",
        409: "已经评价过这条回答",
        429: "超过频率限制（带 Retry-After）",
        500: "服务器内部错误",
    }
    return {s: {"model": model, "description": meaning.get(s, "错误")} for s in statuses}
