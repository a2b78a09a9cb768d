"""chunks.jsonl read back as one JSON array, with as few copies of its bytes as possible.

One parse of the whole file (a call per line cost a second more per 100,000 clauses, issue 25). At national scale
the file is 146 MB, and the obvious `json.loads("[" + text.replace("\\n", ",") + "]")` made three more copies of
the decoded text (strip, replace, concatenate): ~300 MB of fresh pages, which on this VM cost more than the parse.
Here the bytes are read once into a buffer that already has the brackets, the line breaks are turned into commas
in place, a block at a time, and json decodes that buffer: one copy for the bytes, one for the text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

_NEWLINE, _COMMA, _BLOCK = ord("\n"), ord(","), 8 << 20


def read_rows(path: Path) -> list:
    """The JSON value of every line of `path`, in order (a line break ends each row; empty file: [])."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        buf = bytearray(size + 2)
        buf[0] = ord("[")
        got = fh.readinto(memoryview(buf)[1 : size + 1])
    if got != size:
        raise ValueError(f"{Path(path).name} changed while it was read")
    end = size + 1
    while end > 1 and buf[end - 1] == _NEWLINE:  # the last row's line break (and any blank tail)
        end -= 1
    if end == 1:
        return []
    buf[end] = ord("]")
    del buf[end + 1 :]
    view = np.frombuffer(buf, dtype=np.uint8)
    for a in range(1, end, _BLOCK):  # JSON strings hold no raw line break: every one separates two rows
        block = view[a : min(a + _BLOCK, end)]
        block[block == _NEWLINE] = _COMMA
    del view, block
    return json.loads(buf)
