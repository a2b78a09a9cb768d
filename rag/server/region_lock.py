"""The widget's region lock, decided from each request itself — never from server-side session state.

A widget embedded as `/?embed=1&region=qingdao&lock=1` must answer only about Qingdao. The lock used to be a
Gradio session State set when the page loaded: anyone who evicted sessions (issue 28) unlocked every widget.
Now two things each request carries decide it, and either one locks:

* the hidden `rag-lock` field of the page (ui.py), set to "1" on load and sent by the browser with every
  question (component values live in the browser, not in the evicted session);
* the page address in the request's `Referer` (the chat's requests come from the widget's own document,
  same-origin, so the browser sends its full URL): `lock=1` with a covered `region` there locks to that region.

A lock only ever narrows what is answered, so a forged field or Referer cannot widen anything: the unlocked
assistant is public anyway."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

TRUTHY = ("1", "true")


def page_lock(referer: str | None, docs) -> str | None:
    """The region the page at `referer` is locked to, or None."""
    if not referer or len(referer) > 2048:
        return None
    try:
        query = parse_qs(urlsplit(referer).query)
    except ValueError:
        return None
    region = (query.get("region") or [""])[0]
    lock = (query.get("lock") or [""])[0]
    return region if lock in TRUTHY and region in docs else None


def effective_region(region, lock_value, referer: str | None, docs) -> tuple[str | None, bool]:
    """(region, locked) for one question: the Referer's lock wins, then the page's lock field."""
    pinned = page_lock(referer, docs)
    if pinned is not None:
        return pinned, True
    locked = lock_value is True or (isinstance(lock_value, str) and lock_value in TRUTHY)
    return region, bool(locked and region in docs)
