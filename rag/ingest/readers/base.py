"""What every reader returns, and the one error it raises: kept apart so that the readers and their registry
(readers/__init__.py) do not import each other."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...errors import RagError


class ReadError(RagError):
    """A file that cannot give text: empty, unreadable, image-only, unknown format."""


@dataclass
class Extracted:
    """What a reader got out of a file: paragraphs (one per line) and notes for the operator."""

    text: str
    format: str
    warnings: list[str] = field(default_factory=list)
    tables: int = 0
