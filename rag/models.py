"""Typed records passed between stages: Document -> Chunk -> Hit -> Answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Document:
    slug: str
    region_name: str
    short_name: str
    title: str
    issuer: str
    doc_number: str
    date: str
    status: str
    aliases: tuple[str, ...]
    parents: tuple[str, ...]
    path: str
    text: str

    @property
    def is_draft(self) -> bool:
        return "征求意见" in self.status


@dataclass(frozen=True)
class Chunk:
    id: str
    slug: str
    region_name: str
    doc_title: str
    status: str
    section: str  # heading path, " > " separated
    text: str  # display text: original wording, artefacts removed
    embed_text: str  # region + heading path + normalised body
    responsibility: str = ""  # 牵头/配合/责任单位 note, kept apart from the body
    order: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Chunk:
        return cls(**d)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    rank: int = 0

    def to_dict(self) -> dict:
        """The JSON contract of a hit (field names are relied on outside the repo)."""
        c = self.chunk
        return {
            "rank": self.rank,
            "score": round(float(self.score), 6),
            "region": c.slug,
            "region_name": c.region_name,
            "doc_title": c.doc_title,
            "status": c.status,
            "clause_id": c.id,
            "section": c.section,
            "text": c.text,
        }


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    region: str | None
    citations: list[Hit] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)  # every region answered (several for cross-region)
    highlights: dict[str, list[str]] = field(default_factory=dict)  # clause_id -> quoted sentences
    id: str | None = None
    answer_id: str | None = None  # set by the question log (rag/server/ops.py): the key for feedback
    pinned: bool = False  # an operator-checked pinned answer (rag/pins.py)

    def to_dict(self) -> dict:
        out = {
            "id": self.id,
            "answer": self.answer,
            "refused": self.refused,
            "region": self.region,
            "citations": [h.to_dict() for h in self.citations],
        }
        for cite in out["citations"]:
            cite["highlights"] = self.highlights.get(cite["clause_id"], [])
        if self.answer_id:
            out["answer_id"] = self.answer_id
        if self.pinned:
            out["pinned"] = True
        return out
