"""Turns parsed clauses into Chunk records: one per smallest numbered item, long items split at sentence ends."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RagError
from ..models import Chunk, Document
from ..text.normalize import normalize
from . import messages
from .clean import clean_lines
from .layouts import ROW, Clause, Parsed, parse_document

CHUNKER_VERSION = (
    "3"  # 2: the numbering table (第X条, 一是/二是, none…) and readers for every format; 3: table rows
)
MAX_CHARS = 200  # an item longer than this is split into parts that read on their own
MIN_TAIL = 50  # a shorter last part is merged back rather than left dangling
SENTENCE = re.compile(r"(?<=[。；;！？])")


def split_sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in SENTENCE.split(text)) if s]


def chunk_sentences(text: str) -> list[str]:
    """The sentences of a chunk's display text, as the answerer quotes them (one vector each in the index). A
    table row is one sentence with the sentence that opens its table (…发放育儿补贴，具体标准见表1。二孩：每月500元。):
    quoted alone, 二孩：每月500元 would not say what is paid."""
    out: list[str] = []
    for sent in split_sentences(text):
        if out and ROW.match(sent) and not ROW.match(out[-1]):
            out[-1] += sent
        else:
            out.append(sent)
    return out or [text]


def split_body(paragraphs: list[str], max_chars: int = MAX_CHARS) -> list[str]:
    """Greedy packing of whole sentences into parts of at most ~max_chars; never cuts inside a sentence."""
    parts: list[str] = []
    for para in paragraphs:
        cur = ""
        for sent in split_sentences(para):
            if cur and len(cur) + len(sent) > max_chars:
                parts.append(cur)
                cur = ""
            cur += sent
        if cur:
            parts.append(cur)
    merged: list[str] = []
    for part in parts:
        if (
            merged
            and (len(part) < MIN_TAIL or len(merged[-1]) < MIN_TAIL)
            and len(merged[-1]) + len(part) <= max_chars + MIN_TAIL
        ):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


LEAD_MAX = 120  # a longer lead is its own part; the rows then carry its last sentence only


def clause_parts(clause: Clause) -> list[tuple[str, str]]:
    """(text, extra heading) of each part: the body packed into parts, except table rows, which are one part each,
    led by the sentence that introduces the table (…按照下列标准发放育儿补贴：二孩：每月500元。) so that a row is
    read, retrieved and cited on its own; the caption (表1 育儿补贴标准) is the row's extra heading."""
    if not clause.tables:
        return [(body, "") for body in split_body(clause.paragraphs)]
    out: list[tuple[str, str]] = []
    pos, lead = 0, ""
    for start, end, caption in clause.tables:
        before = clause.paragraphs[pos:start]
        if before:
            lead = "".join(before)
            if len(lead) > LEAD_MAX:
                out += [(body, "") for body in split_body(before)]
                lead = split_sentences(lead)[-1]
        out += [(lead + row, caption) for row in clause.paragraphs[start:end]]
        pos = end
    out += [(body, "") for body in split_body(clause.paragraphs[pos:])]
    return out


def clause_id(slug: str, clause: Clause, part: int) -> str:
    """Stable id from the clause's numbers: same seeds give the same ids (qingdao-2.4.1-1)."""
    return f"{slug}-{'.'.join(map(str, clause.key))}-{part}"


@dataclass
class DocReport:
    """What ingest made of one plan: shown by `rag ingest` and `rag index`, checked before anything is indexed."""

    slug: str
    file: str
    format: str
    layout: str
    clauses: int
    chunks: int
    chars: int  # cleaned text
    kept: int  # characters that landed in clauses
    sections: list[str] = field(default_factory=list)  # top-level headings
    warnings: list[str] = field(default_factory=list)
    problem: str = ""  # set when the plan yields no clause or implausibly few: the build stops on it

    def to_dict(self) -> dict:
        return dict(self.__dict__)


MIN_COVERAGE = 0.5  # below this share of the text in clauses, the layout was probably not understood
CHARS_PER_CLAUSE = 3000  # a plan this many characters long per clause was probably not split


def parse_plan(doc: Document) -> Parsed:
    return parse_document(clean_lines(doc.text))


def chunk_document(doc: Document, parsed: Parsed | None = None) -> list[Chunk]:
    chunks: list[Chunk] = []
    for clause in (parsed or parse_plan(doc)).clauses:
        for i, (body, caption) in enumerate(clause_parts(clause), 1):
            section = " > ".join([*clause.headings, caption] if caption else clause.headings)
            chunks.append(
                Chunk(
                    id=clause_id(doc.slug, clause, i),
                    slug=doc.slug,
                    region_name=doc.region_name,
                    doc_title=doc.title,
                    status=doc.status,
                    section=section,
                    text=body,
                    embed_text=f"{doc.region_name}（{doc.short_name}） {normalize(section)}：{normalize(body)}",
                    responsibility="；".join(clause.duties),
                    order=len(chunks),
                )
            )
    return chunks


def report_document(doc: Document, parsed: Parsed, chunks: list[Chunk]) -> DocReport:
    """Layout, counts and warnings of one plan; `problem` when it gives nothing or implausibly little."""
    name = Path(doc.path).name
    rep = DocReport(
        doc.slug,
        name,
        doc.format,
        parsed.layout,
        len(parsed.clauses),
        len(chunks),
        parsed.chars,
        parsed.kept_chars,
        list(dict.fromkeys(c.headings[0] for c in parsed.clauses if c.headings)),
        [*doc.warnings, *parsed.warnings],
    )
    coverage = parsed.kept_chars / parsed.chars if parsed.chars else 0.0
    if not chunks:
        rep.problem = messages.NO_CLAUSE.format(name=name, slug=doc.slug, path=doc.path)
    elif coverage < MIN_COVERAGE or len(parsed.clauses) < parsed.chars // CHARS_PER_CLAUSE:
        rep.problem = messages.TOO_FEW.format(
            name=name,
            slug=doc.slug,
            clauses=len(parsed.clauses),
            chars=parsed.chars,
            kept=parsed.kept_chars,
            path=doc.path,
        )
    elif coverage < 0.7:
        rep.warnings.append(messages.LOW_COVERAGE.format(pct=round(coverage * 100)))
    return rep


def ingest_documents(
    docs: list[Document], *, allow_empty: bool = False
) -> tuple[list[Chunk], list[DocReport]]:
    """Chunks of every plan plus a report per plan. Stops (RagError naming the plan) when one yields no clause or
    implausibly few, unless allow_empty: then the problem stays in that plan's report as a warning."""
    chunks: list[Chunk] = []
    reports: list[DocReport] = []
    for doc in docs:
        parsed = parse_plan(doc)
        mine = chunk_document(doc, parsed)
        rep = report_document(doc, parsed, mine)
        if rep.problem and not allow_empty:
            raise RagError(rep.problem)
        if rep.problem:
            rep.warnings.append(rep.problem)
        chunks.extend(mine)
        reports.append(rep)
    _check_unique(chunks)
    return chunks, reports


def chunk_documents(docs: list[Document]) -> list[Chunk]:
    out = [c for d in docs for c in chunk_document(d)]
    _check_unique(out)
    return out


def _check_unique(out: list[Chunk]) -> None:
    dup = [cid for cid, n in Counter(c.id for c in out).items() if n > 1]
    if dup:
        raise ValueError(f"duplicate chunk ids: {sorted(dup)[:5]}")
