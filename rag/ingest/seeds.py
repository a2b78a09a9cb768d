"""Reads seeds/documents.toml and the plan files it names into Document records.

The contract for adding a plan: its file in seeds/ (.txt .md .pdf .docx .html .htm) and one [[document]] entry whose
`file` names it. The reader is chosen by that file's suffix. Optional fields:
- `level`: province / city / district / county … of the region the plan covers;
- `parent`: slug of the plan of the enclosing region (inferred when `parents` name other plans: the most precise);
- `supersedes`: slug or file of an older version (a draft, a 2022 text); only the newest version is answered from.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from ..config import tomllib
from ..errors import RagError
from ..models import Document
from . import messages
from .readers import read_file

META_FILE = "documents.toml"
REQUIRED = ("slug", "file", "region_name", "short_name", "title", "status")
LEVELS = ("country", "province", "city", "district", "county", "town")
MAX_META_BYTES = 1024 * 1024


def _read_meta(seeds_dir: Path) -> tuple[Path, list[dict]]:
    meta_path = Path(seeds_dir) / META_FILE
    if not meta_path.is_file():
        raise RagError(f"找不到种子元数据 {meta_path}（seeds metadata missing）。")
    if meta_path.stat().st_size > MAX_META_BYTES:
        raise RagError(f"{meta_path} 超过 1 MB，不像是文件清单，未读取。")
    try:
        with open(meta_path, "rb") as fh:
            meta = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RagError(f"{meta_path} is not valid TOML: {exc}") from None
    entries = meta.get("document", [])
    if not isinstance(entries, list):
        raise RagError(f"{meta_path}: [[document]] 必须是表数组。")
    return meta_path, entries


def load_documents(seeds_dir: Path, *, include_superseded: bool = False) -> list[Document]:
    """Every current plan (a plan another entry supersedes is left out unless include_superseded)."""
    meta_path, entries = _read_meta(seeds_dir)
    docs, seen = [], set()
    for i, entry in enumerate(entries, 1):
        missing = [k for k in REQUIRED if not entry.get(k)]
        if missing:
            raise RagError(f"{meta_path}: document #{i} lacks {', '.join(missing)}.")
        slug = entry["slug"]
        if slug in seen or not slug.isascii() or not slug.replace("-", "").replace("_", "").isalnum():
            raise RagError(f"{meta_path}: slug {slug!r} is duplicated or not a plain ascii name.")
        seen.add(slug)
        path = Path(seeds_dir) / entry["file"]
        if not path.is_file():
            raise RagError(f"{meta_path}: {slug} names {entry['file']}, which is not in {seeds_dir}.")
        level = str(entry.get("level", ""))
        if level and level not in LEVELS:
            raise RagError(f"{meta_path}: {slug} 的 level = {level!r} 不是 {' / '.join(LEVELS)} 之一。")
        got = read_file(path)
        docs.append(
            Document(
                slug=slug,
                region_name=entry["region_name"],
                short_name=entry["short_name"],
                title=entry["title"],
                issuer=entry.get("issuer", ""),
                doc_number=entry.get("doc_number", ""),
                date=str(entry.get("date", "")),
                status=entry["status"],
                aliases=tuple(entry.get("aliases", ())),
                parents=tuple(entry.get("parents", ())),
                path=str(path),
                text=got.text,
                level=level,
                parent=str(entry.get("parent", "")),
                supersedes=str(entry.get("supersedes", "")),
                format=got.format,
                warnings=tuple(got.warnings),
                display_name=entry.get("display_name", ""),
                scope=entry.get("scope", ""),
                nearby=tuple(entry.get("nearby", ())),
            )
        )
    if not docs:
        raise RagError(f"{meta_path} lists no [[document]].")
    docs = _link(docs, meta_path)
    return docs if include_superseded else [d for d in docs if not d.superseded_by]


def _link(docs: list[Document], meta_path: Path) -> list[Document]:
    """Resolves supersedes (slug or file name) and parent plans; errors name the entry."""
    by_slug = {d.slug: d for d in docs}
    by_file = {Path(d.path).name: d.slug for d in docs}
    newer: dict[str, str] = {}
    for d in docs:
        if d.supersedes:
            old = d.supersedes if d.supersedes in by_slug else by_file.get(d.supersedes)
            if old is None or old == d.slug:
                raise RagError(
                    messages.SUPERSEDES_UNKNOWN.format(meta=meta_path, slug=d.slug, target=d.supersedes)
                )
            newer[old] = d.slug
    for d in docs:  # a chain must end: a → b → a is an error
        chain, cur = [d.slug], d.slug
        while cur in newer:
            cur = newer[cur]
            if cur in chain:
                raise RagError(
                    messages.SUPERSEDES_CYCLE.format(meta=meta_path, chain=" → ".join([*chain, cur]))
                )
            chain.append(cur)
    names = {}
    for d in docs:
        if d.slug in newer:
            continue
        for n in (d.region_name, d.short_name, *d.aliases):
            names.setdefault(n, d.slug)
    out = []
    for d in docs:
        parent = d.parent
        if parent and parent not in by_slug:
            raise RagError(messages.PARENT_UNKNOWN.format(meta=meta_path, slug=d.slug, target=parent))
        if not parent:
            parent = _nearest_parent(d, names, by_slug)
        old = d.supersedes if d.supersedes in by_slug else by_file.get(d.supersedes, "")
        out.append(replace(d, parent=parent, supersedes=old, superseded_by=newer.get(d.slug, "")))
    return out


def _rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else LEVELS.index("city")


def _nearest_parent(d: Document, names: dict[str, str], by_slug: dict[str, Document]) -> str:
    """The parent inferred from `parents`: of the other current plans they name, the most precise one above the
    plan's own level (a county naming 澜海省 and 望海市 lies in 望海市's plan, which lies in 澜海省's)."""
    found = [names[n] for n in d.parents if names.get(n, d.slug) != d.slug]
    above = [s for s in found if _rank(by_slug[s].level) < _rank(d.level)] or found
    return max(above, key=lambda s: _rank(by_slug[s].level), default="")


def version_chains(docs: list[Document]) -> list[list[str]]:
    """Each chain of versions, oldest first (only chains of two or more)."""
    by_slug = {d.slug: d for d in docs}
    heads = [d for d in docs if d.supersedes and not d.superseded_by]
    chains = []
    for head in heads:
        chain = [head.slug]
        while by_slug[chain[-1]].supersedes:
            chain.append(by_slug[chain[-1]].supersedes)
        chains.append(chain[::-1])
    return chains


def seed_hashes(seeds_dir: Path) -> dict[str, str]:
    """sha256 of documents.toml and of exactly the files it names, whatever their suffix: the index is stale
    when any differs (a changed PDF marks it stale as surely as a changed .txt)."""
    seeds_dir = Path(seeds_dir)
    meta = seeds_dir / META_FILE
    out = {}
    names = [META_FILE]
    try:
        _, entries = _read_meta(seeds_dir)
        names += [str(e["file"]) for e in entries if isinstance(e, dict) and e.get("file")]
    except RagError:
        pass  # an unreadable manifest is hashed as it is; load_documents reports the problem
    for name in sorted(set(names)):
        p = seeds_dir / name if name != META_FILE else meta
        out[name] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "missing"
    return out
