"""An answer as a chat bubble: plain text, the fact first, the sources as one short line, at most 2,048 bytes.

WeChat shows a passive text reply only up to 2,048 bytes (UTF-8): a longer one is not delivered at all. A long
answer (a list of ten clauses) is therefore cut at a sentence end, never inside a number, a bracket or a
quotation, marked as cut, and followed by a link to the full answer on the web page when one is configured.
"""

from __future__ import annotations

import re

from . import messages as M

MAX_BYTES = 2048
_ENDS = "。！？!?；;\n"
_OPEN, _CLOSE = "《“‘（([【「『", "》”’）)]】」』"
_MARKER = re.compile(r"\s*\[\d+\]")
_MARKUP = re.compile(r"\*\*|__|`|^#+\s*|^>\s*", re.M)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,10}(?:\s[^<>\n]{0,200})?/?>")  # tags only: "<3岁" stays


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def plain(text: str) -> str:
    """No HTML or markdown in a bubble: tags and emphasis marks go, the words stay."""
    text = _TAG.sub("", text or "")
    return _MARKUP.sub("", text).strip()


def short_section(section: str) -> str:
    """The clause's own heading (the last part of "第三章 > 二、…"), bounded."""
    last = (section or "").split(">")[-1].strip()
    return last if len(last) <= 30 else last[:29] + "…"


def citation_line(citations: list[dict], wanted: set[int] | None = None, budget: int = 600) -> str:
    """依据：《文件》[1][2]条款；[3]条款: only the clauses the kept text refers to (all when it names none),
    grouped by document and heading, whole citations only, within `budget` bytes ("等" when some had to go)."""
    chosen = [c for c in citations if not wanted or int(c.get("rank", 0)) in wanted] or citations[:1]
    numbered = len(citations) > 1
    groups: dict[str, dict[str, list[int]]] = {}
    line, dropped = "", False
    for c in chosen:
        trial = {t: {k: list(v) for k, v in secs.items()} for t, secs in groups.items()}
        trial.setdefault(c["doc_title"], {}).setdefault(short_section(c.get("section", "")), []).append(
            int(c.get("rank", 0))
        )
        candidate = _join(trial, numbered)
        if line and size(candidate) > budget:
            dropped = True
            break
        groups, line = trial, candidate
    return line[:-1] + "等。" if dropped and line.endswith("。") else line


def _join(groups: dict[str, dict[str, list[int]]], numbered: bool) -> str:
    def refs(ns: list[int]) -> str:
        return "".join(f"[{n}]" for n in ns) if numbered else ""

    cites = "；".join(
        f"《{title}》" + "；".join(refs(ns) + sec for sec, ns in secs.items())
        for title, secs in groups.items()
    )
    return M.CITATION.format(cites=cites) if cites else ""


def sentences(text: str) -> list[str]:
    """Pieces that end where a cut is safe: after a sentence end (with its closing quotes and [n] markers),
    never inside brackets, quotation marks or a number."""
    out, start, depth, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        i += 1
        if ch in _ENDS and depth == 0:
            while i < len(text) and text[i] in _CLOSE:
                i += 1
            m = _MARKER.match(text, i)
            if m:
                i = m.end()
            out.append(text[start:i])
            start = i
    if start < len(text):
        out.append(text[start:])
    return out


def cut(text: str, budget: int) -> tuple[str, bool]:
    """The longest run of whole sentences within `budget` bytes (at least something: a first sentence longer
    than the budget is cut at its last comma or space outside brackets and numbers)."""
    if size(text) <= budget:
        return text, False
    kept, used = [], 0
    for s in sentences(text):
        if used + size(s) > budget:
            break
        kept.append(s)
        used += size(s)
    if kept:
        return "".join(kept).rstrip(), True
    return _cut_clause(text, budget), True


def _cut_clause(text: str, budget: int) -> str:
    best, depth, used = 0, 0, 0
    for i, ch in enumerate(text):
        used += size(ch)
        if used > budget:
            break
        depth += ch in _OPEN
        depth -= ch in _CLOSE and depth > 0
        safe = not (i + 1 < len(text) and text[i + 1].isdigit() and ch.isdigit())
        if depth == 0 and ch in "，,、 " and safe:
            best = i + 1
    return text[:best].rstrip("，,、 ")


def compose(answer: dict, link: str = "", max_bytes: int = MAX_BYTES) -> str:
    """The bubble for an answer dict (Answer.to_dict()): body, citation line, link; ≤ max_bytes. A body too long
    keeps as many whole sentences as fit with the citation line of what it kept and the link."""
    lines = [ln for ln in plain(answer.get("answer", "")).split("\n") if not ln.startswith("依据：")]
    body = "\n".join(lines).strip()
    cites = answer.get("citations") or []
    tail = [M.FULL_ANSWER.format(url=link)] if link else []

    def bubble(text: str, wanted: set[int] | None, mark: str = "") -> str:
        return "\n".join([text + mark, *([citation_line(cites, wanted)] if cites else []), *tail])

    whole = bubble(body, None)
    if size(whole) <= max_bytes:
        return whole
    kept, best = "", None
    for piece in sentences(body):
        trial = (kept + piece).rstrip()
        candidate = bubble(trial, _refs(trial), M.CUT_MARK)
        if size(candidate) > max_bytes:
            break
        kept, best = kept + piece, candidate
    if best is None:  # not even the first sentence fits: its longest clause-safe start
        room = max_bytes - size(bubble("", _refs(body), M.CUT_MARK))
        first = _cut_clause(body, max(0, room))
        best = bubble(first, _refs(first), M.CUT_MARK)
    return best


def _refs(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def text_only(text: str, max_bytes: int = MAX_BYTES) -> str:
    """A sentence of our own (greeting, notice) within the limit."""
    kept, was_cut = cut(plain(text), max_bytes - size(M.CUT_MARK))
    return kept + (M.CUT_MARK if was_cut else "")
