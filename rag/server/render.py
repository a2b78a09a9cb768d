"""HTML of citations and escaped text, shared by the chat (ui.py) and the compare tab (compare_tab.py): kept apart so
that the two views do not import each other."""

from __future__ import annotations

from . import answer_view
from .answer_view import escape  # noqa: F401 - the one escape, re-exported for the views


def _marked(text: str, sentences: list[str]) -> str:
    """Clause text, escaped, with the quoted sentences wrapped in <mark>."""
    spans = sorted((i, i + len(s)) for s in sentences if s and (i := text.find(s)) >= 0)
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            start = pos
        if start >= end:
            continue
        out += [escape(text[pos:start]), "<mark>", escape(text[start:end]), "</mark>"]
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def render_citations(answer: dict, anchor: str = "") -> str:
    """Citation cards (one line of HTML, so Markdown never re-enters it); with an anchor, card n has the id
    `{anchor}-{n}` that the answer's [n] links to."""
    cards = [
        answer_view.card_html(c, anchor, _marked(c["text"], c.get("highlights", [])))
        for c in answer.get("citations", [])
    ]
    return f'<div class="rag-cites">{"".join(cards)}</div>' if cards else ""
