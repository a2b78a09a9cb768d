"""The one input validator of the CLI, the HTTP API, the chat page and the Python API.

Invisible characters (zero-width, bidi controls, BOM, tag characters) and control characters are removed, not
rejected: pasted text often carries them. Lone surrogates are not text and are rejected. Length is bounded before
any other work so a huge paste costs nothing.
"""

from __future__ import annotations

import re

from .. import messages as M
from ..errors import InputError
from ..text.normalize import strip_invisible

MAX_QUESTION_CHARS = 500

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_question(text, *, field: str = "问题", limit: int = MAX_QUESTION_CHARS) -> str:
    """The text without invisible/control characters; InputError (one Chinese sentence) when unusable."""
    if not isinstance(text, str):
        raise InputError(M.NOT_TEXT.format(field=field))
    if len(text) > 4 * limit:  # don't spend time cleaning a huge paste
        raise InputError(M.TOO_LONG.format(field=field, n=len(text), limit=limit))
    if _SURROGATE.search(text):  # lone surrogates from JSON "\ud800": not text, and unencodable
        raise InputError(M.UNREADABLE.format(field=field))
    text = _CONTROL.sub("", strip_invisible(text))
    if not text.strip():
        raise InputError(M.EMPTY.format(field=field))
    if len(text) > limit:
        raise InputError(M.TOO_LONG.format(field=field, n=len(text), limit=limit))
    return text
