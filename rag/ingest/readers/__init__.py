"""One reader per format, chosen by the suffix of the file documents.toml names: file -> plain text.

Each reader returns paragraphs one per line (tables already turned into rows that read on their own) and raises
ReadError with one sentence naming the file when it cannot: never a traceback, never silently empty text.
"""

from __future__ import annotations

from pathlib import Path

from .. import messages
from . import docx, html, pdf, txt
from .base import Extracted, ReadError

MAX_BYTES = 50 * 1024 * 1024  # a plan is well under 10 MB; a bigger file is not read at all


READERS = {"txt": txt, "pdf": pdf, "docx": docx, "html": html}
SUFFIXES = {".txt": "txt", ".md": "txt", ".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}


def read_file(path: Path) -> Extracted:
    """The text of a plan file, by its suffix; every problem is a ReadError naming the file."""
    path = Path(path)
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ReadError(messages.UNKNOWN_FORMAT.format(name=path.name, suffix=path.suffix or "（无扩展名）"))
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReadError(messages.NOT_FOUND.format(name=path.name, path=path)) from None
    except OSError as exc:
        raise ReadError(messages.UNREADABLE.format(name=path.name, why=exc.strerror or "无法访问")) from None
    if size == 0:
        raise ReadError(messages.EMPTY_FILE.format(name=path.name))
    if size > MAX_BYTES:
        raise ReadError(messages.TOO_LARGE.format(name=path.name, limit=MAX_BYTES // (1024 * 1024)))
    read = READERS[fmt].read
    try:
        out = read(path)
    except ReadError:
        raise
    except (
        Exception
    ) as exc:  # a damaged or mislabelled file: the library's own error means nothing to an operator
        raise ReadError(messages.UNREADABLE.format(name=path.name, why=type(exc).__name__)) from None
    if not out.text.strip():
        raise ReadError(messages.NO_TEXT.format(name=path.name))
    return out
