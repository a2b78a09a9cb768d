"""HTML of citations and escaped text, shared by the chat (ui.py) and the compare tab (compare_tab.py): kept apart so
that the two views do not import each other."""

from __future__ import annotations

import re

from ..models import is_draft_status

# HTML, links/images, emphasis, code, tables, math, and ":" "." "@" so no bare URL/e-mail becomes an autolink
_SPECIAL = re.compile(r"[\\`*_\[\]()#|~<>$&!:.@]")


def escape(text: str) -> str:
    """Text as inert Markdown/HTML: every syntax character becomes a numeric character reference."""
    return _SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text or "")


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


def render_citations(answer: dict) -> str:
    """Citation cards (one line of HTML, so Markdown never re-enters it)."""
    cards = []
    for c in answer.get("citations", []):
        draft = '<span class="rag-draft">征求意见稿</span>' if is_draft_status(c.get("status", "")) else ""
        cards.append(
            f'<div class="rag-cite"><div class="rag-cite-head"><span class="rag-n">[{int(c["rank"])}]</span> '
            f'<b class="rag-region">{escape(c["region_name"])}</b> 《{escape(c["doc_title"])}》{draft}</div>'
            f'<div class="rag-sec">{escape(c["section"])}</div>'
            f'<div class="rag-text">{_marked(c["text"], c.get("highlights", []))}</div></div>'
        )
    return f'<div class="rag-cites">{"".join(cards)}</div>' if cards else ""
