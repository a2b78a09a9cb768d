"""POST /api/eligibility (我能享受什么): a family's situation in, every benefit of its plan that may apply out.

The same guards as /api/ask: the body is bounded by the request guard (413), the caller's address by the question
rate limit (429), and a bad field is one Chinese sentence (422) from the family model's own checks
(rag/eligibility/family.py), never the echoed input.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from ..eligibility import family as F
from ..eligibility.screen import screen
from ..errors import InputError
from .api import CallerId, rate_limit, run
from .schemas import _Open, errors

router = APIRouter()
FAMILY_ERROR = "family_input"  # the error type api._explain passes through as it is (our own sentence)

Tri = Literal["yes", "no", "unknown"] | None


class ChildIn(BaseModel):
    order: int | Literal["unknown"] | None = Field(
        None, description="孩次：1 一孩、2 二孩、3 三孩…；不清楚可不填"
    )
    age_months: int | Literal["unknown", "expected"] | None = Field(
        None, description=f"月龄 0–{F.MAX_AGE_MONTHS}；尚未出生填 expected；不清楚可不填"
    )
    expected: bool = Field(False, description="true：尚未出生（待产）")


class ParentIn(BaseModel):
    role: Literal["mother", "father"]
    employment: Literal["employed", "self_employed", "flexible", "not_working", "unknown"] | None = Field(
        None, description="employed 在单位上班 / self_employed 个体 / flexible 灵活就业 / not_working 未就业"
    )
    maternity_insurance: Tri = Field(None, description="是否参加生育保险")


class EligibilityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region: StrictStr = Field(
        description=f"地区或任何地名（{F.MAX_PLACE} 字以内）", examples=["青岛"], max_length=F.MAX_PLACE
    )
    children: list[ChildIn] = Field(default_factory=list, max_length=F.MAX_CHILDREN)
    parents: list[ParentIn] = Field(default_factory=list, max_length=F.MAX_PARENTS)
    local_hukou: Tri = Field(None, description="是否本地户籍")
    housing: Literal["renting", "buying", "public_rental", "unknown"] | None = Field(
        None, description="renting 租房 / buying 购房 / public_rental 公租房"
    )
    id: CallerId = Field(None, description="调用方自定义的编号，原样返回")

    @model_validator(mode="before")
    @classmethod
    def _checked(cls, data):
        """The family model's checks first, so every refusal is its Chinese sentence."""
        try:
            F.from_dict({k: v for k, v in data.items() if k != "id"} if isinstance(data, dict) else data)
        except InputError as exc:
            raise PydanticCustomError(FAMILY_ERROR, str(exc)) from None
        return data


class CitationOut(_Open):
    clause_id: str
    document: str = Field(description="方案标题")
    text: str = Field(description="条款原文")
    sentence: str = Field("", description="项目所依据的原句")


class ItemOut(_Open):
    benefit: str = Field(description="项目名称")
    summary: str = Field(description="一句话说明，数值照录条款原文")
    figure: str = Field(description="条款中的数值原文；方案未写明时为空")
    status: Literal["符合", "可能符合"]
    to_check: list[str] = Field(description="需要核对的事项（可能符合时）")
    conditions: list[str] = Field(description="条款写明的条件原文")
    citation: CitationOut


class EligibilityResponse(_Open):
    id: str | int | None = Field(None, description="请求中的 id，原样返回")
    region: str = Field(description="方案所属地区代码")
    region_name: str
    items: list[ItemOut]
    questions: list[str] = Field(description="补充这些情况可以确定“可能符合”的项目")
    notes: list[str] = Field(description="征求意见稿提示、适用范围说明")
    message: str = Field("", description="没有任何项目时的一句说明")


@router.post(
    "/api/eligibility",
    dependencies=[Depends(rate_limit)],
    tags=["问答"],
    summary="我能享受什么：按家庭情况列出可能适用的待遇",
    response_model=EligibilityResponse,
    responses=errors(400, 413, 422, 429),
)
def eligibility(body: EligibilityRequest, request: Request) -> dict:
    """Items 符合 (every condition the plan states is met) or 可能符合 (with what to check); a benefit whose stated
    condition the family clearly fails is not listed. Every figure is copied from its cited clause."""
    answerer = request.app.state.holder.current
    asst = getattr(answerer, "assistant", answerer)
    fam = run(F.from_dict, body.model_dump(exclude={"id"}))
    return {"id": body.id, **run(screen, asst, fam).to_dict()}
