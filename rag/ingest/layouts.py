"""The numbering table and the parser that turns a cleaned plan into its clause tree.

Plans number their parts in a handful of ways (一、/（一）/1./（1）/①, 第X章/第X节/第X条, flat 1. lists, items
written inside a paragraph as 一是……二是……, or no numbering at all). Each way is one row of MARKERS; a document's
layout is the set of rows its lines actually start with, nested by the rows' rank. Adding a layout is adding a row,
not a branch. clean.py uses the same table to tell headings from broken lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CN_NUM = "一二三四五六七八九十"
CN_BIG = "一二三四五六七八九十百零〇两"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
FULL_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
PREAMBLE = re.compile(r"^为(深入|全面|认真|进一步|贯彻|落实|推动|积极|加快)")
OPEN, CLOSE = "（([〔【", "）)]〕】"
DUTY = re.compile(r"牵头|负责|配合|责任单位|按职责")


@dataclass(frozen=True)
class Marker:
    """One way of numbering a line. `rank` orders nesting (smaller = outer) when several rows are in one plan."""

    name: str
    rank: int
    pattern: re.Pattern  # group 1: the number, group 2: the rest of the line
    label: str  # heading label; {num} the number as written, {n} as an integer, {title} the title
    titled: bool = True  # the rest may open with a short title sentence (一、总体要求。…)
    body_fallback: bool = False  # a label with no title borrows the first words of the body


MARKERS: tuple[Marker, ...] = (
    Marker("第X章", 0, re.compile(rf"^第([{CN_BIG}0-9]+)章\s*(.*)$"), "第{num}章 {title}"),
    Marker("第X节", 1, re.compile(rf"^第([{CN_BIG}0-9]+)节\s*(.*)$"), "第{num}节 {title}"),
    # The article is the clause: its first sentence is content, never a title.
    Marker("第X条", 2, re.compile(rf"^第([{CN_BIG}0-9]+)条(?![件款例])\s*(.*)$"), "第{num}条", titled=False),
    Marker("一、", 3, re.compile(rf"^([{CN_NUM}]+)、\s*(.*)$"), "{num}、{title}", body_fallback=True),
    Marker("（一）", 4, re.compile(rf"^[（(]([{CN_NUM}]+)[）)]\s*(.*)$"), "（{num}）{title}"),
    Marker("1.", 5, re.compile(r"^([0-9０-９]{1,2})[.．、](?!\d)\s*(.*)$"), "{n}.{title}"),
    Marker(
        "（1）", 6, re.compile(r"^[（(]([0-9０-９]{1,2})[）)]\s*(.*)$"), "（{n}）{title}", body_fallback=True
    ),
    Marker("①", 7, re.compile(rf"^([{CIRCLED}])\s*(.*)$"), "{num}{title}", body_fallback=True),
)
# Items written inside one paragraph: 一是……；二是……。 Each becomes a clause part that reads on its own.
INLINE = re.compile(rf"(?:^|(?<=[。；;！？]))\s*([{CN_NUM}]+)是(?=\S)")
INLINE_NAME = "一是/二是"
NO_LAYOUT = "无编号"
HEADING_MAX = 40
# A table's caption (表1 育儿补贴标准) and its rows as the readers write them (二孩：补贴标准每月500元，…。).
CAPTION = re.compile(rf"^(附)?表\s*[0-9{CN_NUM}]+(?:[-—.．][0-9]+)?(?:\s+\S.{{0,30}}|[^。；，：:]{{0,30}})$")
ROW = re.compile(r"^[^，。：；:;]{1,16}：[^：]{1,160}[。；]$")
TABLE_LEAD_END = ("：", ":")  # 标准如下： opens rows
TITLE_STOP = re.compile(r"[，,；;]")  # a short title never has a comma: a sentence that has one is content


@dataclass
class Clause:
    """One numbered unit: its number path, heading path, body paragraphs and responsibility notes."""

    key: tuple[int, ...]  # (section, item, sub-item) numbers; () for the preamble
    headings: list[str]
    paragraphs: list[str] = field(default_factory=list)
    duties: list[str] = field(default_factory=list)
    tables: list[tuple[int, int, str]] = field(default_factory=list)  # rows paragraphs[a:b], caption


@dataclass
class Parsed:
    """A plan's clauses plus what the parser saw: the layout rows used and anything a person should check."""

    clauses: list[Clause]
    layout: str
    warnings: list[str] = field(default_factory=list)
    chars: int = 0  # characters of cleaned text
    kept_chars: int = 0  # characters that ended up in clauses


def cn_to_int(s: str) -> int:
    """一..九百九十九, ①..⑳ or digits -> int."""
    s = s.translate(FULL_DIGITS)
    if s.isascii() and s.isdigit():
        return int(s)
    if len(s) == 1 and s in CIRCLED:
        return CIRCLED.index(s) + 1
    vals = {c: i + 1 for i, c in enumerate(CN_NUM)}
    vals["两"] = 2
    total, cur = 0, 0
    for ch in s:
        if ch in ("零", "〇"):
            continue
        if ch == "百":
            total += (cur or 1) * 100
            cur = 0
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        else:
            cur = vals[ch]
    return total + cur


def match_marker(line: str) -> tuple[Marker, re.Match] | None:
    for marker in MARKERS:
        m = marker.pattern.match(line)
        if m:
            return marker, m
    return None


def is_heading_line(line: str) -> bool:
    """A numbered line without a full stop (一、总体要求 / 第二章 生育支持): a heading, never a broken sentence."""
    return bool(match_marker(line)) and "。" not in line and len(line) <= HEADING_MAX


def split_title(rest: str) -> tuple[str, str]:
    """'指导思想。以…' -> ('指导思想', '以…'); a heading with no full stop is all title."""
    head, dot, body = rest.partition("。")
    if TITLE_STOP.search(head):
        return (
            "",
            rest.strip(),
        )  # 1.符合…的女职工，增加产假60天。…: the first sentence is content, not a title
    if dot and len(head) <= HEADING_MAX and body:
        return head.strip(), body.strip()
    if not dot and len(rest) <= HEADING_MAX and not rest.rstrip().endswith(("；", ";")):
        return rest.strip(), ""  # a short item ending with ； is content (（1）每年10天；), not a title
    return "", rest.strip()


def split_duty(paragraph: str) -> tuple[str, str]:
    """Separates a trailing responsibility note (（市卫生健康委牵头，…配合） / 〔责任单位：…〕) from the body."""
    text = paragraph.rstrip()
    if not text or text[-1] not in CLOSE:
        return paragraph, ""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] in CLOSE:
            depth += 1
        elif text[i] in OPEN:
            depth -= 1
            if depth == 0:
                inner = text[i + 1 : -1]
                if DUTY.search(inner) and i > 0:
                    return text[:i].rstrip(), inner.strip()
                return paragraph, ""
    return paragraph, ""


def detect_layout(paras: list[str]) -> list[Marker]:
    """The rows the plan's lines start with, outermost first."""
    used = {match[0].name: match[0] for p in paras if (match := match_marker(p))}
    return sorted(used.values(), key=lambda m: m.rank)


def inline_items(paragraph: str) -> tuple[str, list[str]]:
    """'引言。一是…；二是…。' -> ('引言。', ['一是…；', '二是…。']) when at least 一是 and 二是 follow in order."""
    hits = list(INLINE.finditer(paragraph))
    nums = [cn_to_int(m.group(1)) for m in hits]
    if len(hits) < 2 or nums[:2] != [1, 2]:
        return paragraph, []
    # keep only the increasing run 1, 2, 3 … (a later 一是 inside an item is not a new list)
    run = [hits[0]]
    for m, n in zip(hits[1:], nums[1:]):
        if n == len(run) + 1:
            run.append(m)
    starts = [m.start(1) for m in run] + [len(paragraph)]
    return paragraph[: starts[0]].strip(), [paragraph[a:b].strip() for a, b in zip(starts, starts[1:])]


def _label(marker: Marker, num: str, title: str, body: str) -> str:
    if not title and marker.body_fallback:
        title = body[:20]
    n = cn_to_int(num)
    return marker.label.format(num=num, n=n, title=title).strip()


def parse_document(paras: list[str]) -> Parsed:
    """Clauses in reading order from cleaned paragraphs. Front matter (title, notice, signatures) is dropped; the
    为…制定 preamble is kept. A plan with no numbering becomes one clause per paragraph, with a warning."""
    layout = detect_layout(paras)
    total = sum(len(p) for p in paras)
    if not layout:
        return _paragraph_chunks(paras, total)
    level = {m.name: i for i, m in enumerate(layout)}
    outer = layout[0]
    clauses: list[Clause] = []
    path: list[str] = []
    key: list[int] = []
    current: Clause | None = None
    started = False
    preamble: list[str] = []
    for para in paras:
        hit = match_marker(para)
        marker, m = hit if hit else (None, None)
        if not started and marker is not outer:
            # Before the first top-level part: keep only the preamble (为贯彻…, possibly glued to a title line).
            idx = max(para.find("为深入"), para.find("为全面"), para.find("为认真"), para.find("为进一步"))
            if idx >= 0 or PREAMBLE.match(para):
                preamble = [para[max(idx, 0) :]]
            continue
        if marker is None:
            if current is not None:
                _add(current, para)
            continue
        if not started and preamble:
            clauses.append(Clause((0,), ["前言"], preamble))
        started = True
        title, body = split_title(m.group(2)) if marker.titled else ("", m.group(2).strip())
        depth = level[marker.name]
        key = key[:depth] + [cn_to_int(m.group(1))]
        path = path[:depth] + [_label(marker, m.group(1), title, body)]
        current = Clause(tuple(key), list(path))
        clauses.append(current)
        if body:
            _add(current, body)
    clauses = mark_tables(_split_inline([c for c in clauses if c.paragraphs]))
    names = [m.name for m in layout]
    if any(len(c.key) > len(layout) for c in clauses):
        names.append(INLINE_NAME)
    out = Parsed(clauses, "/".join(names), chars=total, kept_chars=_kept(clauses))
    return out


def _paragraph_chunks(paras: list[str], total: int) -> Parsed:
    """No numbering found: each substantial paragraph is a clause titled by its first words."""
    clauses: list[Clause] = []
    for para in paras:
        if len(para) < 20 and not para.endswith(("。", "；")):
            continue  # title lines, dates, signatures
        title, body = split_title(para)
        clause = Clause((len(clauses) + 1,), [title or para[:20]])
        _add(clause, para)
        clauses.append(clause)
    clauses = mark_tables(_split_inline(clauses))
    layout = INLINE_NAME if any(len(c.key) > 1 for c in clauses) else NO_LAYOUT
    warnings = ["未识别到条款编号（一、/（一）/第X条 等），已按自然段切分；请用 `rag ingest` 检查切分结果。"]
    return Parsed(clauses, layout, warnings, total, _kept(clauses))


def _split_inline(clauses: list[Clause]) -> list[Clause]:
    """A clause whose paragraphs list 一是……二是…… becomes one part per item (the lead, if any, is part 0)."""
    out: list[Clause] = []
    for clause in clauses:
        parts: list[Clause] = []
        lead: list[str] = []
        for para in clause.paragraphs:
            head, items = inline_items(para)
            if not items:
                (parts[-1].paragraphs if parts else lead).append(para)
                continue
            if head:
                (parts[-1].paragraphs if parts else lead).append(head)
            for item in items:
                body, duty = split_duty(item)
                name = re.split(r"[，,。；;：:]", body, maxsplit=1)[0][:20]
                part = Clause((*clause.key, len(parts) + 1), [*clause.headings, name], [body])
                if duty:
                    part.duties.append(duty)
                parts.append(part)
        if not parts:
            out.append(clause)
            continue
        if lead:
            out.append(Clause((*clause.key, 0), list(clause.headings), lead, list(clause.duties)))
        for part in parts:  # a note after the last item names who does all of them
            part.duties[:0] = [d for d in clause.duties if d not in part.duties]
        out.extend(parts)
    return out


def mark_tables(clauses: list[Clause]) -> list[Clause]:
    """Finds each clause's table rows: a run of row lines after a caption (表1 …) or a lead ending with a colon
    (标准如下：), two rows at least unless captioned. The caption leaves the text (it names the rows' section)."""
    for clause in clauses:
        paras, found, caption, i = [], [], "", 0
        src = clause.paragraphs
        while i < len(src):
            para = src[i]
            if CAPTION.match(para) and not para.endswith(("。", "；")):
                caption, i = para, i + 1
                continue
            j = i
            while j < len(src) and ROW.match(src[j]) and not match_marker(src[j]):
                j += 1
            opened = caption or (paras and paras[-1].endswith(TABLE_LEAD_END))
            if j > i and opened and (j - i >= 2 or caption):
                found.append((len(paras), len(paras) + j - i, caption))
                paras.extend(src[i:j])
                caption, i = "", j
                continue
            if caption:  # a caption with no rows after it stays text
                paras.append(caption)
                caption = ""
            paras.append(para)
            i += 1
        if caption:
            paras.append(caption)
        clause.paragraphs, clause.tables = paras, found
    return clauses


def _kept(clauses: list[Clause]) -> int:
    return sum(len(p) for c in clauses for p in c.paragraphs) + sum(len(d) for c in clauses for d in c.duties)


def _add(clause: Clause, para: str) -> None:
    body, duty = split_duty(para)
    if duty:
        clause.duties.append(duty)
    if body:
        clause.paragraphs.append(body)
