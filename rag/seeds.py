"""Reads seeds/documents.toml and the plan texts into Document records."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .config import tomllib
from .errors import RagError
from .models import Document

META_FILE = "documents.toml"
REQUIRED = ("slug", "file", "region_name", "short_name", "title", "status")


def load_documents(seeds_dir: Path) -> list[Document]:
    meta_path = Path(seeds_dir) / META_FILE
    if not meta_path.is_file():
        raise RagError(f"找不到种子元数据 {meta_path}（seeds metadata missing）。")
    try:
        with open(meta_path, "rb") as fh:
            meta = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RagError(f"{meta_path} is not valid TOML: {exc}") from None
    docs, seen = [], set()
    for i, entry in enumerate(meta.get("document", []), 1):
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
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
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
                text=text,
                display_name=entry.get("display_name", ""),
                scope=entry.get("scope", ""),
                nearby=tuple(entry.get("nearby", ())),
            )
        )
    if not docs:
        raise RagError(f"{meta_path} lists no [[document]].")
    return docs


def seed_hashes(seeds_dir: Path) -> dict[str, str]:
    """sha256 of every seed file (texts and metadata): the index is stale when any differs."""
    out = {}
    for p in sorted(Path(seeds_dir).iterdir()):
        if p.is_file() and (p.suffix in (".txt", ".toml")):
            out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out
