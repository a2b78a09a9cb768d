"""The catalogue of plans: seeds/documents.toml and/or one file per province (or any grouping) under
seeds/documents/*.toml, every file holding [[document]] entries whose `file` is relative to seeds/.

Bounded before it is read (issue 25): each file at most MAX_FILE_BYTES, at most MAX_FILES files and MAX_ENTRIES
entries in all. A national catalogue (31 provinces, ~330 cities, ~2,800 counties; ~400 bytes an entry) is about
1.3 MB as one file, so the 1 MB limit of before refused it; 8 MB per file leaves room for long titles and aliases
while still refusing something that is plainly not a list of files. Split files keep each province's list small
enough to review in one sitting.

A parse is remembered for as long as no catalogue file changes (size and mtime), because loading an assistant
reads the catalogue three times (seed hashes, documents, place names) and a 3,000-plan TOML takes ~0.5 s each.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import tomllib
from ..errors import RagError
from . import messages

META_FILE = "documents.toml"
SPLIT_DIR = "documents"
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_FILES = 256
MAX_ENTRIES = 20_000


@dataclass(frozen=True)
class Catalogue:
    where: Path  # documents.toml, or the folder of split files when there is no documents.toml
    files: tuple[Path, ...]  # every catalogue file read, in reading order
    entries: tuple[tuple[Path, dict], ...]  # (the file it came from, the [[document]] table)


_cache: dict[Path, tuple[tuple, Catalogue]] = {}


def catalogue_files(seeds_dir: Path) -> list[Path]:
    """documents.toml (when present) first, then seeds/documents/*.toml in name order."""
    seeds_dir = Path(seeds_dir)
    out = [seeds_dir / META_FILE] if (seeds_dir / META_FILE).is_file() else []
    split = seeds_dir / SPLIT_DIR
    if split.is_dir():
        out += sorted(p for p in split.glob("*.toml") if p.is_file())
    return out


def read_catalogue(seeds_dir: Path) -> Catalogue:
    """Every [[document]] entry of the catalogue files; a problem is one sentence naming the file."""
    seeds_dir = Path(seeds_dir)
    files = catalogue_files(seeds_dir)
    if not files:
        raise RagError(f"找不到种子元数据 {seeds_dir / META_FILE}（seeds metadata missing）。")
    if len(files) > MAX_FILES:
        raise RagError(messages.CATALOGUE_TOO_MANY_FILES.format(dir=seeds_dir / SPLIT_DIR, limit=MAX_FILES))
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    hit = _cache.get(seeds_dir.resolve())
    if hit and hit[0] == stamp:
        return hit[1]
    entries: list[tuple[Path, dict]] = []
    for path in files:
        entries += [(path, e) for e in _read_one(path)]
        if len(entries) > MAX_ENTRIES:
            raise RagError(messages.CATALOGUE_TOO_MANY.format(limit=MAX_ENTRIES, path=path))
    return remember(seeds_dir, files, entries, stamp)


def remember(seeds_dir: Path, files: list[Path], entries: list[tuple[Path, dict]], stamp=None) -> Catalogue:
    """The catalogue of these files and entries, remembered until a file changes. The index loader calls it
    with the entries its build stored (index/seedstamp.py) once the files are known to be unchanged, so that a
    3,000-plan catalogue is not parsed again at every start."""
    seeds_dir = Path(seeds_dir)
    if stamp is None:
        stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    where = files[0] if files[0] == seeds_dir / META_FILE else seeds_dir / SPLIT_DIR
    got = Catalogue(where, tuple(files), tuple(entries))
    _cache.clear()  # one catalogue remembered: bounded whatever the number of seeds folders a process reads
    _cache[seeds_dir.resolve()] = (stamp, got)
    return got


def _read_one(path: Path) -> list[dict]:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise RagError(messages.CATALOGUE_TOO_LARGE.format(path=path, limit=MAX_FILE_BYTES // (1024 * 1024)))
    try:
        with open(path, "rb") as fh:
            meta = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RagError(f"{path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise RagError(f"{path} is not valid TOML: not UTF-8") from None
    entries = meta.get("document", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise RagError(f"{path}: [[document]] 必须是表数组。")
    return entries
