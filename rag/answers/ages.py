"""A child's age stated in the question against the age limit of the quoted rule (孩子4岁了还能休育儿假吗 over
"3周岁以下婴幼儿父母…"): an age the rule does not reach gets no 可以, and the limit is said.

Only an upper limit written as 3周岁以下 / 3岁以下 / 3周岁前 / 不满3周岁 is read; a stated age at or above it is
outside the rule. Ranges (2至3岁) and lower limits (年满60周岁) are left alone: they are about other people or need
more than a number to judge.
"""

from __future__ import annotations

import re

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")} | {"两": 2}

# the child's age as the citizen writes it: 孩子4岁了 / 娃都三岁半了 / 宝宝5周岁
_ASKED = re.compile(
    r"(孩子|小孩|娃|宝宝|闺女|儿子|女儿|老大|老二|老三)[^，。？?]{0,4}?([0-9]+|[一二两三四五六七八九十]+)(周岁|岁)(半)?(?!以下|以内|前|之前)"
)
_LIMIT = re.compile(r"(不满|未满)?([0-9]+)(周岁|岁)(以下|前|之前)?")
# a time since birth as the citizen writes it (过了三四个月才上医保 / 满100天) and a rule's window (出生后90天内)
_SINCE = re.compile(
    r"(过了|满了?|都|已经|超过)([0-9]+|[一二两三四五六七八九十])[一二三四五六七八九十]?(个多?月|天|周)"
)
_WINDOW = re.compile(r"([0-9]+)(天|日|个月)内")
_DAYS = {"天": 1, "日": 1, "周": 7, "个月": 30, "个多月": 30}


# a school stage stands for an age (娃上小学了 还能接着扣不: past 未满3周岁)
_STAGE = (("上初中", 12.0), ("上小学", 6.0), ("读小学", 6.0), ("上幼儿园", 3.0))


def asked_age(topic: str) -> float | None:
    m = _ASKED.search(topic)
    if m is None:
        return next((age for stage, age in _STAGE if stage in topic), None)
    n = _number(m.group(2))
    return None if n is None else n + (0.5 if m.group(4) else 0.0)


def _number(text: str) -> float | None:
    """4 / 四 / 十 / 十一 (children's ages: below twenty)."""
    if text.isdigit():
        return float(text)
    if len(text) == 1:
        return float(_DIGITS[text]) if text in _DIGITS else None
    if len(text) == 2 and text[0] == "十" and text[1] in _DIGITS:
        return 10.0 + _DIGITS[text[1]]
    return None


def _since_days(topic: str) -> float | None:
    m = _SINCE.search(topic)
    n = _number(m.group(2)) if m else None
    return None if n is None else n * _DAYS[m.group(3)]


def outside(topic: str, quoted: str) -> str:
    """The rule's limit as written (3周岁以下 / 90天内) when the question's child is at or past it, else ""."""
    since = _since_days(topic)
    if since is not None:
        for m in _WINDOW.finditer(quoted):
            if since >= float(m.group(1)) * _DAYS["个月" if m.group(2) == "个月" else "天"]:
                return m.group()
    age = asked_age(topic)
    if age is None:
        return ""
    for m in _LIMIT.finditer(quoted):
        upper = m.group(1) or m.group(4)
        if upper and age >= float(m.group(2)):
            return m.group()
    return ""
