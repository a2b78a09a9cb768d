"""Parses a cleaned plan into its numbered hierarchy: 一、 sections > （一） items > 1. sub-items (+ preamble)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import clean_lines

CN_NUM = "一二三四五六七八九十"
L1 = re.compile(rf"^([{CN_NUM}]+)、\s*(.*)$")
L2 = re.compile(rf"^[（(]([{CN_NUM}]+)[）)]\s*(.*)$")
L3 = re.compile(r"^([0-9０-９]{1,2})[.．、](?!\d)\s*(.*)$")
PREAMBLE = re.compile(r"^为(深入|全面|认真|进一步|贯彻|落实|推动|积极|加快)")
OPEN, CLOSE = "（([〔【", "）)]〕】"
DUTY = re.compile(r"牵头|负责|配合|责任单位|按职责")


@dataclass
class Clause:
    """One numbered unit: its number path, heading path, body paragraphs and responsibility notes."""

    key: tuple[int, ...]  # (section, item, sub-item) numbers; () for the preamble
    headings: list[str]
    paragraphs: list[str] = field(default_factory=list)
    duties: list[str] = field(default_factory=list)


def cn_to_int(s: str) -> int:
    """一..九十九 -> int (the plans go up to 二十三)."""
    if s.isdigit():
        return int(s)
    vals = {c: i + 1 for i, c in enumerate(CN_NUM)}
    if "十" not in s:
        return vals[s]
    tens, _, ones = s.partition("十")
    return (vals[tens] if tens else 1) * 10 + (vals[ones] if ones else 0)


def split_title(rest: str) -> tuple[str, str]:
    """'指导思想。以…' -> ('指导思想', '以…'); a heading with no full stop is all title."""
    head, dot, body = rest.partition("。")
    if dot and len(head) <= 40 and body:
        return head.strip(), body.strip()
    if not dot and len(rest) <= 40:
        return rest.strip(), ""
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


def parse(text: str) -> list[Clause]:
    """Clauses in reading order. Front matter (notice, signatures) is dropped; the 为…制定 preamble is kept."""
    clauses: list[Clause] = []
    path: list[str] = []  # headings of the current l1 / l2 / l3
    key: list[int] = []
    current: Clause | None = None
    started = False
    preamble: list[str] = []
    for para in clean_lines(text):
        m1, m2, m3 = L1.match(para), L2.match(para), L3.match(para)
        if not started and not m1:
            # Before the first section: keep only the preamble (为贯彻…, possibly glued to a title line).
            idx = max(para.find("为深入"), para.find("为全面"), para.find("为认真"), para.find("为进一步"))
            if idx >= 0 or PREAMBLE.match(para):
                preamble = [para[max(idx, 0) :]]
            continue
        if m1:
            if not started and preamble:
                clauses.append(Clause((0,), ["前言"], preamble))
            started = True
            title, body = split_title(m1.group(2))
            key, path = [cn_to_int(m1.group(1))], [f"{m1.group(1)}、{title or body[:20]}"]
        elif m2 and started:
            title, body = split_title(m2.group(2))
            key, path = key[:1] + [cn_to_int(m2.group(1))], path[:1] + [f"（{m2.group(1)}）{title}"]
        elif m3 and started:
            title, body = split_title(m3.group(2))
            n = int(m3.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
            key, path = key[:2] + [n], path[:2] + [f"{n}.{title}"]
        else:
            body = para
            if current is not None:
                _add(current, body)
                continue
        current = Clause(tuple(key), list(path))
        clauses.append(current)
        if body:
            _add(current, body)
    return [c for c in clauses if c.paragraphs]


def _add(clause: Clause, para: str) -> None:
    body, duty = split_duty(para)
    if duty:
        clause.duties.append(duty)
    if body:
        clause.paragraphs.append(body)
