"""Fresh memory for a load without transparent huge pages.

numpy asks the kernel for huge pages (madvise MADV_HUGEPAGE) on every large array. Where THP defrag is
"madvise" (this VM), each such fault may compact memory first: reading the 334 MB of sentence vectors of a national
index took 0.3-3.8 s with it and 0.4-0.6 s without, and the other arrays of a load varied the same way (issue 25).
Load therefore allocates with ordinary pages; the setting is numpy's own process-wide switch, restored afterwards.
Without the switch (another numpy), nothing changes.
"""

from __future__ import annotations

from contextlib import contextmanager


def _switch():
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:
        try:
            from numpy.core.multiarray import _set_madvise_hugepage
        except ImportError:
            return None
    return _set_madvise_hugepage


@contextmanager
def ordinary_pages():
    """numpy's large arrays get ordinary pages inside the block (huge-page advice off, then as it was)."""
    switch = _switch()
    previous = switch(False) if switch else None
    try:
        yield
    finally:
        if switch:
            switch(previous)
