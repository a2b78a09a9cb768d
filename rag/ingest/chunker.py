"""Turns parsed clauses into Chunk records: one per smallest numbered item, long items split at sentence ends."""

from __future__ import annotations

import re
from collections import Counter

from ..models import Chunk, Document
from ..normalize import normalize
from .layouts import Clause, parse

CHUNKER_VERSION = "1"
MAX_CHARS = 200  # an item longer than this is split into parts that read on their own
MIN_TAIL = 50  # a shorter last part is merged back rather than left dangling
SENTENCE = re.compile(r"(?<=[。；;！？])")


def split_sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in SENTENCE.split(text)) if s]


def chunk_sentences(text: str) -> list[str]:
    """The sentences of a chunk's display text, as the answerer quotes them (one vector each in the index)."""
    return split_sentences(text) or [text]


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


def clause_id(slug: str, clause: Clause, part: int) -> str:
    """Stable id from the clause's numbers: same seeds give the same ids (qingdao-2.4.1-1)."""
    return f"{slug}-{'.'.join(map(str, clause.key))}-{part}"


def chunk_document(doc: Document) -> list[Chunk]:
    chunks: list[Chunk] = []
    for clause in parse(doc.text):
        section = " > ".join(clause.headings)
        for i, body in enumerate(split_body(clause.paragraphs), 1):
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


def chunk_documents(docs: list[Document]) -> list[Chunk]:
    out = [c for d in docs for c in chunk_document(d)]
    dup = [cid for cid, n in Counter(c.id for c in out).items() if n > 1]
    if dup:
        raise ValueError(f"duplicate chunk ids: {sorted(dup)[:5]}")
    return out
