"""What an operator sees of ingest: `rag ingest FILE` (a parse preview before anything is indexed) and the
per-plan lines of `rag index`. Plain text for a terminal, or a dict for --json."""

from __future__ import annotations

from pathlib import Path

from ..models import Document
from .chunker import DocReport, chunk_document, parse_plan, report_document
from .readers import read_file


def preview_file(path: Path, slug: str | None = None, first: int = 5) -> tuple[DocReport, list]:
    """Reads and parses any plan file as `rag index` would (without documents.toml): its report and first chunks."""
    path = Path(path)
    got = read_file(path)
    slug = (
        slug or "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in path.stem).strip("-") or "plan"
    )
    doc = Document(
        slug=slug,
        region_name="（预览）",
        short_name="预览",
        title=path.stem,
        issuer="",
        doc_number="",
        date="",
        status="",
        aliases=(),
        parents=(),
        path=str(path),
        text=got.text,
        format=got.format,
        warnings=tuple(got.warnings),
    )
    parsed = parse_plan(doc)
    chunks = chunk_document(doc, parsed)
    rep = report_document(doc, parsed, chunks)
    if rep.problem:
        rep.warnings.append(rep.problem)
    return rep, chunks[:first]


def format_preview(rep: DocReport, chunks: list, tables: int | None = None) -> str:
    lines = [
        f"文件：{rep.file}",
        f"格式：{rep.format}",
        f"版式：{rep.layout}",
        f"条款：{rep.clauses} 个（{rep.chunks} 个检索片段），正文 {rep.chars} 字，其中 {rep.kept} 字进入条款",
        f"章节（{len(rep.sections)}）：" + ("、".join(rep.sections) if rep.sections else "无"),
    ]
    lines.append(f"前 {len(chunks)} 个条款：" if chunks else "没有切分出任何条款。")
    for c in chunks:
        text = c.text if len(c.text) <= 80 else c.text[:80] + "…"
        lines.append(f"  [{c.id}] {c.section}\n      {text}")
    lines += [f"注意：{w}" for w in rep.warnings] or ["注意：无"]
    return "\n".join(lines)


def format_report_line(rep: DocReport) -> str:
    """One line per plan in `rag index`, then its warnings indented."""
    head = f"  {rep.slug}（{rep.file}，{rep.format}）：版式 {rep.layout}，{rep.clauses} 个条款，{rep.chunks} 个片段"
    return "\n".join([head, *(f"    注意：{w}" for w in rep.warnings)])


def format_chains(docs: list[Document], chains: list[list[str]]) -> list[str]:
    """'qingdao-draft（征求意见稿） → qingdao（正式文件，当前版本）' for every chain of versions."""
    by_slug = {d.slug: d for d in docs}
    out = []
    for chain in chains:
        parts = [
            f"{s}（{by_slug[s].status}{'，当前版本' if s == chain[-1] else '，已被取代'}）" for s in chain
        ]
        out.append("版本：" + " → ".join(parts))
    return out
