"""Typed records passed between stages: Document -> Chunk -> Hit -> Answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass(frozen=True)
class Contact:
    """Where a citizen asks next about a plan (documents.toml `contact`): filled only from what the plan or its
    publishing page states, never guessed; empty fields fall back to the issuer and the 12345 hotline."""

    name: str = ""
    phone: str = ""
    web: str = ""

    def __bool__(self) -> bool:
        return bool(self.name or self.phone or self.web)


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
    level: str = ""  # province / city / district … (documents.toml `level`)
    parent: str = ""  # slug of the plan of the enclosing region, if indexed
    supersedes: str = ""  # slug of the older version this plan replaces
    superseded_by: str = ""  # slug of the newer version (then this plan is not answered from)
    format: str = "txt"  # reader used: txt, md, pdf, docx, html
    warnings: tuple[str, ...] = ()  # notes from the reader for the operator
    display_name: str = ""  # short name used inside sentences (通化市); region_name when empty
    scope: str = ""  # whose plan it is, when narrower than the name suggests (通化市辖区（区级）)
    nearby: tuple[str, ...] = ()  # places answered from this plan that may have rules of their own
    url: str = ""  # the official page of the plan (documents.toml `url`); empty rather than invented
    contact: Contact = field(default_factory=Contact)  # the office to ask (documents.toml `contact`)

    @property
    def is_draft(self) -> bool:
        """The one notion of "draft": a status naming 征求意见 (征求意见稿)."""
        return is_draft_status(self.status)

    @property
    def name(self) -> str:
        return self.display_name or self.region_name


def is_draft_status(status: str) -> bool:
    """Chunks and hits carry the status string only; this is the single test all stages use."""
    return "征求意见" in (status or "")


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
    def from_dict(cls, d: dict, own: bool = False) -> Chunk:
        """own=True: `d` is a fresh dict the caller gives away; it becomes the chunk's attributes as it is (no
        copy of 100,000 dicts at a national cold start, issue 25)."""
        if d.keys() == _CHUNK_FIELDS:  # the index's own rows: skip the frozen __init__ (0.3 s per 100,000)
            c = object.__new__(cls)
            if own:
                object.__setattr__(c, "__dict__", d)
            else:
                c.__dict__.update(d)
            return c
        return cls(**d)


_CHUNK_FIELDS = {f.name for f in fields(Chunk)}


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


@dataclass(kw_only=True)
class Answer:
    """Keyword-constructed: a writer that rebuilds an answer copies it (dataclasses.replace), so kind, notice,
    region and ids survive every layer."""

    question: str
    answer: str
    refused: bool
    region: str | None
    citations: list[Hit] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)  # every region answered (several for cross-region)
    highlights: dict[str, list[str]] = field(default_factory=dict)  # clause_id -> quoted sentences
    id: str | None = None
    kind: str = "fact"  # fact | list | compare | yesno | followup | clarify | refuse
    notice: str = ""  # one short line shown before the answer (region switched or locked), else ""
    answer_id: str | None = None  # set by the question log (rag/server/ops.py): the key for feedback
    pinned: bool = False  # an operator-checked pinned answer (rag/ops/pins.py)

    def to_dict(self) -> dict:
        out = {
            "id": self.id,
            "answer": self.answer,
            "refused": self.refused,
            "region": self.region,
            "citations": [h.to_dict() for h in self.citations],
            "kind": self.kind,
            "notice": self.notice,
        }
        for cite in out["citations"]:
            cite["highlights"] = self.highlights.get(cite["clause_id"], [])
        if self.answer_id:
            out["answer_id"] = self.answer_id
        if self.pinned:
            out["pinned"] = True
        return out
