"""Reads seeds/documents.toml and the plan files it names into Document records.

The contract for adding a plan: its file in seeds/ (.txt .md .pdf .docx .html .htm) and one [[document]] entry whose
`file` names it. The reader is chosen by that file's suffix. Optional fields:
- `level`: province / city / district / county … of the region the plan covers;
- `parent`: slug of the plan of the enclosing region (inferred when `parents` name other plans: the most precise);
- `supersedes`: slug or file of an older version (a draft, a 2022 text); only the newest version is answered from;
- `url`: the plan's official page (http/https), shown as a "查看原文" link on its cards; left out rather than guessed;
- `contact = { name = "…", phone = "…", web = "…" }`: the office a citizen asks next (each part optional), filled
  only from what the plan states; without it the page names the issuer and the 12345 hotline.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

from ..errors import RagError
from ..models import Contact, Document
from . import messages
from .catalogue import META_FILE, catalogue_files, read_catalogue
from .readers import read_file

REQUIRED = ("slug", "file", "region_name", "short_name", "title", "status")
LEVELS = ("country", "province", "city", "district", "county", "town")
_WEB = re.compile(r"https?://[^\s<>\"'`]{1,300}")  # a link the page may show: http(s), no spaces or quotes
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{2,24}")  # digits a tel: link can dial (0532-12345678, 12345, +86 …)
CONTACT_FIELDS = ("name", "phone", "web")


def _read_meta(seeds_dir: Path) -> tuple[Path, list[tuple[Path, dict]]]:
    """(where the catalogue is, its (file, entry) pairs): documents.toml and/or seeds/documents/*.toml."""
    got = read_catalogue(seeds_dir)
    return got.where, list(got.entries)


def load_documents(seeds_dir: Path, *, include_superseded: bool = False) -> list[Document]:
    """Every current plan (a plan another entry supersedes is left out unless include_superseded)."""
    where, entries = _read_meta(seeds_dir)
    docs, seen = [], set()
    for i, (meta_path, entry) in enumerate(entries, 1):
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
                url=_web(entry.get("url", ""), f"{meta_path}: {slug} 的 url"),
                contact=_contact(entry.get("contact", {}), f"{meta_path}: {slug} 的 contact"),
            )
        )
    if not docs:
        raise RagError(f"{where} lists no [[document]].")
    docs = _link(docs, where)
    return docs if include_superseded else [d for d in docs if not d.superseded_by]


def _web(value, where: str) -> str:
    """An optional link: empty, or one http(s) address (the page shows it as a link, so nothing else passes)."""
    value = str(value or "").strip()
    if value and not _WEB.fullmatch(value):
        raise RagError(messages.BAD_URL.format(where=where, value=value[:80]))
    return value


def _contact(value, where: str) -> Contact:
    """documents.toml `contact`: a table of name / phone / web, each optional and checked before it is shown."""
    if not isinstance(value, dict) or set(value) - set(CONTACT_FIELDS):
        raise RagError(messages.BAD_CONTACT.format(where=where, fields=" / ".join(CONTACT_FIELDS)))
    name, phone = str(value.get("name", "")).strip(), str(value.get("phone", "")).strip()
    if len(name) > 60:
        raise RagError(messages.BAD_CONTACT.format(where=where, fields=" / ".join(CONTACT_FIELDS)))
    if phone and not _PHONE.fullmatch(phone):
        raise RagError(messages.BAD_PHONE.format(where=where, value=phone[:40]))
    return Contact(name=name, phone=phone, web=_web(value.get("web", ""), f"{where}.web"))


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
    """sha256 of the catalogue files (documents.toml, seeds/documents/*.toml) and of exactly the files they
    name, whatever their suffix: the index is stale when any differs (a changed PDF marks it stale as surely as
    a changed .txt)."""
    seeds_dir = Path(seeds_dir)
    out = {}
    names = [META_FILE, *(p.relative_to(seeds_dir).as_posix() for p in catalogue_files(seeds_dir))]
    try:
        _, entries = _read_meta(seeds_dir)
        names += [str(e["file"]) for _, e in entries if isinstance(e, dict) and e.get("file")]
    except RagError:
        pass  # an unreadable manifest is hashed as it is; load_documents reports the problem
    for name in sorted(set(names)):
        p = seeds_dir / name
        out[name] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "missing"
    return out
