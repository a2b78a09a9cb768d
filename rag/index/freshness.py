"""Do the seeds still match the index a server is serving? Asked by /healthz, so it must be cheap.

Editing seeds/ while `rag serve` runs used to leave /healthz "ok" while the API answered from the old text
(and the CLI called the same index stale). The seed hashes are recomputed only when a seed file's size or
modification time changed, so a health probe every second costs one directory listing.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .store import seed_hashes

_lock = threading.Lock()
_memo: dict[Path, tuple[tuple, dict[str, str]]] = {}


def _signature(seeds_dir: Path) -> tuple:
    out = []
    for p in sorted(seeds_dir.iterdir()):
        st = p.stat()
        out.append((p.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def current_seed_hashes(seeds_dir: Path) -> dict[str, str]:
    """seed_hashes(seeds_dir), memoised on the folder's (name, size, mtime) listing."""
    seeds_dir = Path(seeds_dir)
    sig = _signature(seeds_dir)
    with _lock:
        hit = _memo.get(seeds_dir)
        if hit and hit[0] == sig:
            return hit[1]
    hashes = seed_hashes(seeds_dir)
    with _lock:
        _memo[seeds_dir] = (sig, hashes)
    return hashes


def seeds_match(manifest: dict | None, seeds_dir: Path | None) -> bool | None:
    """True/False when the served manifest's seed hashes equal/differ from the seeds on disk; None when
    unknown (no manifest, no seeds folder configured, or the folder cannot be read)."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("seeds"), dict) or seeds_dir is None:
        return None
    try:
        return current_seed_hashes(Path(seeds_dir)) == manifest["seeds"]
    except OSError:
        return None
