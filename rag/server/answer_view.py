"""How one answer looks in the chat (issue 26): key figures in bold, long lists folded after the first few items,
each [n] a link to its clause card, cards that name issuer, 文号 and date with the whole clause folded behind
"查看原文", and a next step (the issuing office, 12345) under refusals and 怎么办 answers.

Presentation only: the answer text is the answerer's, shown verbatim (nothing added, reordered or dropped; the
items after the cap stay one tap away). Every text goes through `escape` (see ui.py), and the result is one line of
HTML so Markdown never re-reads it.
"""

from __future__ import annotations

import re

from .. import messages as m
from ..models import is_draft_status

# 朗读 (read aloud, the browser's own speechSynthesis): chat.js shows it in 长辈版 where the browser can speak
SPEAK_BUTTON = f'<button type="button" class="rag-speak">{m.PAGE_SPEAK}</button>'
LIST_CAP = 5  # list items shown before "更多"
PREVIEW_CHARS = 90  # a highlighted sentence longer than this is cut in the card's preview
# a figure a citizen acts on: "10天", "500元", "60 天", "3周岁", "20%", "1.3米"
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:天|日|元|万元|个月|月|周岁|岁|%|％|倍|套|小时|米)")
_REF = re.compile(r"\[(\d{1,2})\]")
# a 怎么办 question: the plans say what a citizen gets, rarely where to apply, so the answer ends with who to ask
HOWTO_WORDS = (
    "怎么办",
    "怎么领",
    "怎么申请",
    "如何申请",
    "如何办理",
    "怎么办理",
    "去哪",
    "在哪",
    "哪里",
    "流程",
    "手续",
    "材料",
    "领取",
    "报销",
)


# HTML, links/images, emphasis, code, tables, math, and ":" "." "@" so no bare URL/e-mail becomes an autolink
_SPECIAL = re.compile(r"[\\`*_\[\]()#|~<>$&!:.@]")


def escape(text: str) -> str:
    """Text as inert Markdown/HTML: every syntax character becomes a numeric character reference."""
    return _SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text or "")


_esc = escape


def emphasised(text: str) -> str:
    """Escaped text with each figure in <strong> (the figure itself unchanged)."""
    out, pos = [], 0
    for hit in _FIGURE.finditer(text):
        out += [_esc(text[pos : hit.start()]), "<strong>", _esc(hit.group()), "</strong>"]
        pos = hit.end()
    out.append(_esc(text[pos:]))
    return "".join(out)


def _with_refs(text: str, anchor: str, ranks: set[int]) -> str:
    """A line with figures emphasised and each known [n] a link to card n of this answer."""
    out, pos = [], 0
    for hit in _REF.finditer(text):
        n = int(hit.group(1))
        if n not in ranks:
            continue
        out += [emphasised(text[pos : hit.start()])]
        label = _esc(m.PAGE_CITE_LINK.format(n=n))
        out.append(f'<a class="rag-ref" href="#{anchor}-{n}" aria-label="{label}">[{n}]</a>')
        pos = hit.end()
    out.append(emphasised(text[pos:]))
    return "".join(out)


def body_html(text: str, answer: dict | None, anchor: str) -> str:
    """The answer's lines as paragraphs and one list; list items after LIST_CAP folded behind "更多"."""
    ranks = {int(c["rank"]) for c in (answer or {}).get("citations", [])}
    parts, items, shown_before = [], [], [0]

    def flush():
        # the cap counts across the answer's groups (a list grouped under headings shows LIST_CAP items in all)
        if not items:
            return
        room = max(0, LIST_CAP - shown_before[0])
        shown, rest = items[:room], items[room:]
        shown_before[0] += len(shown)
        html = "<ul>" + "".join(shown) + "</ul>" if shown else ""
        if rest:
            more = _esc(m.PAGE_LIST_MORE.format(n=len(rest)))
            html += f'<details class="rag-more"><summary>{more}</summary><ul>{"".join(rest)}</ul></details>'
        parts.append(html)
        items.clear()

    for line in text.split("\n"):
        if line.startswith("- "):
            items.append(f"<li>{_with_refs(line[2:], anchor, ranks)}</li>")
            continue
        flush()
        if line.strip():
            parts.append(f"<p>{_with_refs(line, anchor, ranks)}</p>")
    flush()
    return f'<div class="rag-body">{"".join(parts)}</div>'


def _meta(c: dict) -> str:
    bits = [c.get("issuer", ""), c.get("doc_number", ""), c.get("date", ""), c.get("status", "")]
    return " · ".join(_esc(b) for b in bits if b)


def card_html(c: dict, anchor: str, marked: str) -> str:
    """One clause card: where it comes from (always shown), the cited sentence as a preview, and the whole clause
    with the cited sentences highlighted behind "查看原文"; in the chat (anchor set) "报告此条款有误", which opens the
    👎 sheet about this clause (chat.js). The compare tab's cards have no answer to report against."""
    rank = int(c["rank"])
    draft = '<span class="rag-draft">征求意见稿</span>' if is_draft_status(c.get("status", "")) else ""
    ident = f' id="{anchor}-{rank}"' if anchor else ""
    meta = _meta(c)
    preview = "".join(c.get("highlights") or [])
    if len(preview) > PREVIEW_CHARS:
        preview = preview[:PREVIEW_CHARS] + "…"
    return (
        f'<div class="rag-cite"{ident}><div class="rag-cite-head"><span class="rag-n">[{rank}]</span> '
        f'<b class="rag-region">{_esc(c["region_name"])}</b> 《{_esc(c["doc_title"])}》{draft}</div>'
        + (f'<div class="rag-meta">{meta}</div>' if meta else "")
        + f'<div class="rag-sec">{_esc(c["section"])}</div>'
        + (f'<div class="rag-preview">“{_esc(preview)}”</div>' if preview else "")
        + f'<details class="rag-full"><summary>{_esc(m.PAGE_CITE_OPEN)}</summary>'
        f'<div class="rag-text">{marked}</div></details>'
        + _source_link(c.get("url", ""))
        + (f'<button type="button" class="rag-report">{_esc(m.PAGE_CITE_REPORT)}</button>' if anchor else "")
        + "</div>"
    )


def _link(href: str, text: str, cls: str) -> str:
    """An outside link (documents.toml checked it is http(s) or a dialable number when it was loaded)."""
    return f'<a class="{cls}" href="{_esc(href)}" target="_blank" rel="noopener noreferrer">{_esc(text)}</a>'


def _source_link(url: str) -> str:
    """The "查看原文（官网）" link when documents.toml gives the plan's official page; nothing rather than a guessed address."""
    return f'<div class="rag-source">{_link(url, m.PAGE_CITE_SOURCE, "rag-source-link")}</div>' if url else ""


def enrich(answer: dict, docs) -> dict:
    """Adds to each citation what documents.toml says of its plan (issuer, 文号, date), and the office to ask next,
    so the chat state carries what the cards show (the API's citations stay as they are)."""
    for c in answer.get("citations", []):
        doc = docs.get(c.get("region"))
        if doc is not None:
            c.update(issuer=doc.issuer, doc_number=doc.doc_number, date=doc.date, url=getattr(doc, "url", ""))
    region = answer.get("region") or next((c.get("region") for c in answer.get("citations", [])), None)
    doc = docs.get(region) if region else None
    if doc is not None and doc.issuer:
        answer["office"] = doc.issuer
    contact = getattr(doc, "contact", None)
    if contact:  # documents.toml `contact`: the office the plan names, over the issuer
        answer["contact"] = {"name": contact.name, "phone": contact.phone, "web": contact.web}
    if doc is not None:
        answer["short_name"] = getattr(doc, "short_name", "")
    return answer


SUGGEST_MAX = 3


def suggestions(question: str, answer: dict | None) -> str:
    """Next questions as buttons (chat.js sends one on a tap): the page's example templates for the region answered,
    minus the topic just asked (each template is answered for every region: tests/test_ui.py). After a refusal or
    a vague question, "您是不是想问…" with the cross-region examples."""
    if not answer:
        return ""
    vague = bool(answer.get("refused")) or answer.get("kind") in ("refuse", "clarify")
    short = answer.get("short_name") or ""
    if vague or not short:
        label, options = m.PAGE_SUGGEST_VAGUE, list(m.PAGE_EXAMPLES_AUTO)
    else:
        label = m.PAGE_SUGGEST
        options = [t.format(r=short) for t in m.PAGE_EXAMPLE_TEMPLATES]
        options = [q for q in options if _topic(q, short) not in question]
    options = [q for q in options if q != question][:SUGGEST_MAX]
    if not options:
        return ""
    buttons = "".join(f'<button type="button" class="rag-suggest">{_esc(q)}</button>' for q in options)
    return f'<div class="rag-suggests" role="group" aria-label="{_esc(label)}"><span>{_esc(label)}</span>{buttons}</div>'


def _topic(question: str, short: str) -> str:
    """The topic word of a template question: "青岛育儿假有几天？" -> "育儿假" (its first 3 characters after the region)."""
    return question[len(short) :][:3]


# the fixed words of the answerer's "the plan does not say" sentences (rag/messages.py NO_NUMBER, UNSETTLED_NOTE,
# NO_CLAUSE, COMPARE_ALSO_UNSTATED, REGION_NOT_FOUND; tests/answers/test_answer_view.py keeps them in step): such
# an answer also ends with where to ask
NOT_STATED_MARKS = ("没有规定具体的", "没有写到", "没有找到", "未找到相关规定")


def next_step(question: str, answer: dict | None) -> str:
    """Where to ask next: under a refusal, a clarifying answer, a "not stated" answer and a 怎么办 question (the
    plans say what, rarely how). The office is documents.toml's `contact` (its phone a tel: link, its web a link),
    else the plan's issuer; 12345, the nationwide government service line, always."""
    if not answer:
        return ""
    howto = any(w in question for w in HOWTO_WORDS)
    unstated = any(w in (answer.get("answer") or "") for w in NOT_STATED_MARKS)
    if not (answer.get("refused") or answer.get("kind") in ("refuse", "clarify") or howto or unstated):
        return ""
    contact = answer.get("contact") or {}
    office = contact.get("name") or answer.get("office")
    sentence = m.PAGE_NEXT_OFFICE.format(office=office) if office else m.PAGE_NEXT_GENERAL
    phone = '<a class="rag-tel" href="tel:12345">12345</a>'
    html = _esc(sentence).replace("12345", phone, 1)
    reach = []
    if contact.get("phone"):
        dial = "".join(ch for ch in contact["phone"] if ch.isdigit() or ch == "+")
        tel = f'<a class="rag-tel" href="tel:{_esc(dial)}">{_esc(contact["phone"])}</a>'
        reach.append(_esc(m.PAGE_NEXT_PHONE) + tel)
    if contact.get("web"):
        reach.append(_esc(m.PAGE_NEXT_WEB) + _link(contact["web"], contact["web"], "rag-office-web"))
    if reach:
        html += f'<span class="rag-office-reach">{_esc(m.PAGE_NEXT_REACH)}{"；".join(reach)}。</span>'
    return f'<div class="rag-next" role="note">{html}</div>'
