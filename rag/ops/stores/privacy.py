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


# What a citizen may type about themselves, in every common written form (issue 28): mobile and landline
# numbers, 18-digit ID numbers and bank cards, grouped with spaces, dashes or dots, with +86, in full-width digits;
# e-mail addresses, also written "at"/"dot" (（at）, [at], " at ", 点). Matching runs on a same-length ASCII
# folding of the text (full-width forms -> ASCII), so the spans found are replaced in the original.
_SEP = r"[ \t\-.\u2010-\u2015\u00b7_/]"  # one separator between digits: space, dash (any), dot, ·, _, /
_NUMBER = re.compile(
    r"(?:\+\s*86[ \-]*|\(\s*\+?86\s*\)\s*)?"  # +86, (+86), (86)
    rf"(?<![\d])\d(?:{_SEP}{{0,3}}\d){{6,}}(?:{_SEP}?[xX](?![A-Za-z]))?(?!\d)"  # 7+ digits, an ID's final X
)
_AT = r"\s*(?:@|[(\[{<]\s*at\s*[)\]}>]|(?<![A-Za-z])at(?![A-Za-z])|艾特)\s*"
_DOT = r"\s*(?:\.|[(\[{<]\s*dot\s*[)\]}>]|(?<![A-Za-z])dot(?![A-Za-z])|点)\s*"
_EMAIL = re.compile(
    rf"[A-Za-z0-9][A-Za-z0-9._%+\-]*{_AT}[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*{_DOT}[A-Za-z]{{2,}}"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_DATE = re.compile(r"(?:19|20)\d\d([\-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])")
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0x2212: 0x2D}


def fold(text: str) -> str:
    """Full-width ASCII forms (０-９, ＠, （）, －) and the ideographic space as ASCII: same length, same places."""
    return text.translate(_FOLD)


def personal_spans(text: str) -> list[tuple[int, int]]:
    """Where personal numbers and addresses are in `text` (start, end), in order, not overlapping."""
    folded = fold(text)
    spans = [m.span() for m in _EMAIL.finditer(folded)]
    for m in _NUMBER.finditer(folded):
        if _DATE.fullmatch(m.group().strip()):
            continue  # 2024-01-01 is a date, not a number to hide
        if not any(a < m.end() and m.start() < b for a, b in spans):
            spans.append(m.span())
    return sorted(spans)


def redact(text: str) -> str:
    """The text as stored or logged: personal numbers and addresses replaced by ＊ (years and amounts stay)."""
    if not text:
        return text
    out, pos = [], 0
    for start, end in personal_spans(text):
        out += [text[pos:start], "＊"]
        pos = end
    out.append(text[pos:])
    return "".join(out)


class RedactingFilter:
    """A logging filter: the formatted message of every record passing through it is redacted (a question quoted
    in a warning or a traceback's text never reaches the log raw)."""

    def filter(self, record) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            import logging

            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
