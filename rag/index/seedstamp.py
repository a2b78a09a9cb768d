"""Are the seeds still the ones an index was built from? Answered from file stats, hashing only what changed.

Loading an assistant used to hash every plan file named by the catalogue (3,000 files, 1 s at national scale,
issue 25) and parse the catalogue once more to learn their names. A build now also records each seed file's
(size, mtime_ns); at load a file whose stat is unchanged is taken as unchanged,
and only a file whose stat moved is hashed again and compared with the recorded hash (a `touch` or a copy keeps
the index current; an edit makes it stale). The file names come from the manifest, so the catalogue is not
parsed: a catalogue file added, removed or changed is itself a seed whose stat or presence differs.

Like git's index, a stat is trusted only when the file's mtime lies safely before the moment the build recorded
it (RACY_NS): a file edited in the same clock tick as the build, keeping its size, is hashed instead.
A manifest without stats (an older build) falls back to hashing everything, as before.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from ..errors import RagError
from ..ingest.catalogue import META_FILE, catalogue_files, read_catalogue, remember
from ..ingest.seeds import seed_hashes

RACY_NS = 2_000_000_000  # a stat whose mtime is within 2 s of the recording is not trusted


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def seed_fingerprint(seeds_dir: Path) -> tuple[dict[str, str], dict]:
    """(seed hashes, stats) for the manifest. The clock is read before hashing: a file edited while the build
    hashes it has a later mtime, so its stat is not trusted at the next load (RACY_NS) and it is hashed again."""
    seeds_dir = Path(seeds_dir)
    at = time.time_ns()
    hashes = seed_hashes(seeds_dir)
    stats = {name: _stat(seeds_dir / name) for name in hashes}
    return hashes, {"at_ns": at, "files": {n: s for n, s in stats.items() if s is not None}}


def seed_hashes_names(seeds_dir: Path) -> list[str]:
    """The catalogue files present now (their set is part of what must match)."""
    return [META_FILE, *(p.relative_to(seeds_dir).as_posix() for p in catalogue_files(seeds_dir))]


def seeds_unchanged(seeds_dir: Path, manifest: dict) -> bool:
    """True when the seeds on disk are those of `manifest` (same answer as comparing seed_hashes)."""
    seeds_dir = Path(seeds_dir)
    recorded, stamp = manifest.get("seeds"), manifest.get("seed_stats")
    if (
        not isinstance(stamp, dict)
        or not isinstance(stamp.get("files"), dict)
        or not isinstance(recorded, dict)
    ):
        return recorded == seed_hashes(seeds_dir)
    catalogue_now = {n for n in seed_hashes_names(seeds_dir) if (seeds_dir / n).is_file()}
    catalogue_then = {n for n in recorded if _is_catalogue(n) and recorded[n] != "missing"}
    if catalogue_now != catalogue_then:
        return False  # a catalogue file added or removed: the list of plans may differ
    trusted_before = int(stamp.get("at_ns", 0)) - RACY_NS
    stats = stamp["files"]
    for name, digest in recorded.items():
        p = seeds_dir / name
        now = _stat(p)
        if now is None or not p.is_file():
            if digest != "missing":
                return False
            continue
        if stats.get(name) == now and now[1] < trusted_before:
            continue
        if _sha256(p) != digest:
            return False
    return True


def _is_catalogue(name: str) -> bool:
    return name == META_FILE or (name.startswith("documents/") and name.endswith(".toml"))


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


# ---- the parsed catalogue, kept with the build -------------------------------------------------------------
CATALOGUE_FILE = "catalogue.json"  # a 3,000-plan documents.toml takes 0.6 s to parse, its JSON 0.02 s


def write_catalogue(build: Path, seeds_dir: Path) -> dict | None:
    """Stores the parsed catalogue in the build; its manifest entry, or None when it cannot be stored as
    JSON exactly (a TOML date or other non-JSON value: then load parses the TOML, as before)."""
    seeds_dir = Path(seeds_dir)
    try:
        got = read_catalogue(seeds_dir)
        rows = [[p.relative_to(seeds_dir).as_posix(), e] for p, e in got.entries]
        files = [p.relative_to(seeds_dir).as_posix() for p in got.files]
        data = json.dumps({"files": files, "entries": rows}, ensure_ascii=False)
        if json.loads(data)["entries"] != rows:
            return None
    except (RagError, TypeError, ValueError, OSError):
        return None
    raw = data.encode("utf-8")
    (Path(build) / CATALOGUE_FILE).write_bytes(raw)
    return {"file": CATALOGUE_FILE, "sha256": hashlib.sha256(raw).hexdigest()}


def prime_catalogue(build: Path, manifest: dict, seeds_dir: Path) -> None:
    """After seeds_unchanged(): hands the build's parsed catalogue to the catalogue reader instead of parsing
    the TOML again. Anything amiss (no entry, a damaged file, other files) leaves the reader to parse."""
    entry, seeds_dir = manifest.get("catalogue"), Path(seeds_dir)
    if not isinstance(entry, dict):
        return
    try:
        raw = (Path(build) / CATALOGUE_FILE).read_bytes()
        if hashlib.sha256(raw).hexdigest() != entry.get("sha256"):
            return
        got = json.loads(raw)
        files = [seeds_dir / f for f in got["files"]]
        if files != catalogue_files(seeds_dir):
            return
        remember(seeds_dir, files, [(seeds_dir / f, e) for f, e in got["entries"]])
    except (OSError, ValueError, KeyError, TypeError):
        return
