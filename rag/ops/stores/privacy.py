"""The only trace of a client address that is ever stored: a salted, daily-rotated hash.

hash = HMAC-SHA256(salt, UTC date + address), cut to 16 hex digits. The same visitor gets the same value
within a day (so a report can count distinct visitors per day) and an unrelated one the next day, and
without the salt the value cannot be turned back into an address by trying all 2^32 IPv4 addresses."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timezone


def client_hash(salt: str, address: str | None, when: datetime | None = None) -> str | None:
    if not address:
        return None
    day = (when or datetime.now(timezone.utc)).strftime("%Y-%m-%d")
    return hmac.new(salt.encode(), f"{day}|{address}".encode(), hashlib.sha256).hexdigest()[:16]


# What a citizen may type about themselves: ID card and phone numbers, e-mail addresses, any long digit run.
_PERSONAL = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail
    r"|(?<!\d)\d{17}[\dxX](?!\d)"  # resident ID number
    r"|(?<!\d)\d{7,}(?!\d)"  # phone numbers, account numbers, any run of 7+ digits
)


def redact(text: str) -> str:
    """The question as logged: personal numbers and addresses replaced by ＊ (years and amounts stay)."""
    return _PERSONAL.sub("＊", text)
