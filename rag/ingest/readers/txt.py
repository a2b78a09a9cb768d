"""Plain text and Markdown: the file as written (UTF-8, BOM tolerated; GB18030 when it is not UTF-8)."""

from __future__ import annotations

import re
from pathlib import Path

from .base import Extracted

MD_MARK = re.compile(r"^\s{0,3}(#{1,6}\s+|[-*+]\s+|>\s?)")


def read(path: Path) -> Extracted:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
    if path.suffix.lower() == ".md":
        text = "\n".join(MD_MARK.sub("", line).replace("**", "") for line in text.splitlines())
    return Extracted(text, "md" if path.suffix.lower() == ".md" else "txt")
