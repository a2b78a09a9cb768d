"""Prompt-injection guard: questions that try to override the assistant's rules or extract its prompt.

`injection(text)` looks for patterns of intent (override / exfiltrate / change persona / forge chat markup), in
Chinese and English, after normalisation (NFKC, invisible characters removed, traditional -> simplified,
case-folded), so 全角、零宽字符 and 繁体 variants are caught too. Ordinary uses of the same words
("产假会不会被单位忽略不算", "社区在托育中扮演什么角色") are not flagged: an override needs a target
(指令/提示词/设定/规则…), a persona change needs "你是/扮演 + 一个/一名…".
"""

from __future__ import annotations

import re

from ..messages import INJECTION as INJECTION_REFUSAL
from ..text.normalize import normalize_query

REFUSAL = INJECTION_REFUSAL

# --- Chinese, matched on the text without spaces and punctuation -----------------------------------------
_ZH_VERB = r"(忽略|无视|忽视|跳过|忘记|忘掉|忘了|抛开|抛弃|放弃|绕过|绕开|违背|违反|推翻|覆盖|废除|取消|不要理会|不用理会|别理会|别管|不要管|不必遵守|不要遵守|不再遵守|无需遵守|别遵守|停止遵守)"
_ZH_STRONG = r"(指令|提示词|提示语|系统提示|人设|预设|安全限制|instructions?|prompts?)"
_ZH_SCOPE = r"(以上|上面|上述|前面|之前|先前|此前|以前|原来|原有|原先|原本|你的|你们的|系统|开发者|默认)"
_ZH_WEAK = r"(规则|限制|约束|命令|要求|规范|设定|指示|一切|所有|全部)"
_ZH = [
    rf"{_ZH_VERB}.{{0,8}}{_ZH_STRONG}",  # 忽略以上所有指令 / 忘记你的设定
    rf"{_ZH_VERB}.{{0,3}}{_ZH_SCOPE}的?.{{0,4}}{_ZH_WEAK}",  # 无视之前的规则 / 忽略上面所有
    r"(系统提示|提示词|提示语|systemprompt|系统消息|系统指令|初始指令|原始指令|隐藏指令|内部指令|开发者消息|developermessage)",
    r"(输出|打印|显示|展示|告诉我|透露|泄露|给我看|复述|重复|说出|列出|贴出|写出|翻译).{0,6}(你的|你们的)(指令|设定|规则|要求|配置|提示)",
    r"(原样|逐字|完整|一字不差地?)(输出|复述|重复|打印|显示)",
    r"(输出|复述|重复|打印|显示)(一遍|一下)?(以上|上面|前面|上述|之前)的?(内容|文字|话|所有|全部|消息|文本)",
    r"(从现在(起|开始)|现在起|接下来|今后|此后)你(将|就|要)?(是|扮演|充当|作为|变成|成为)",
    r"你现在(是(?!否)|扮演|充当|作为|变成|成为)",
    r"你(扮演|充当|变成|成为)(一个|一名|一位|一只|我的)",
    r"(没有|不受|无|解除|取消|去掉)(任何)?(限制|约束|审查|过滤)的?(ai|人工智能|助手|模型|机器人)",
    r"(请|来|你)?扮演(一个|一名|一位|一只|我的|角色)",
    r"角色扮演",
    r"假装(你|自己|成)",
    r"(开发者|开发人员|越狱|无限制|不受限制|无审查|上帝|管理员|调试|dan)模式",
    r"新的?(指令|设定|规则)[是为如下]",
    r"(听从|服从|遵循|执行)(我的|以下|下面)的?(新)?(指令|命令)",
]

# --- English, matched on the case-folded text with single spaces ------------------------------------------
_EN = [
    r"\b(ignore|disregard|forget|override|bypass|skip|drop|abandon|neglect)\b(\s+\w+){0,4}?\s+"
    r"(instructions?|prompts?|rules|directions|directives|guidelines|guardrails|restrictions|constraints|context|messages?)\b",
    r"\b(system|initial|original|hidden|secret|developer|internal)\s+(prompts?|instructions?|messages?)\b",
    r"\byour\s+(prompts?|instructions|rules|guidelines|directives)\b",
    r"\b(repeat|print|output|show|reveal|display|dump|echo)\b.{0,30}\b(above|preceding|before this|verbatim|word for word)\b",
    r"\byou\s+are\s+now\b|\bfrom\s+now\s+on\b|\bact\s+as\s+(a|an|if|my)\b|\bpretend\s+(to\s+be|you|that)\b",
    r"\brole[\s-]?play\b|\bdeveloper\s+mode\b|\bjail\s?break|\bdo\s+anything\s+now\b|\bdan\s+mode\b",
    r"\bnew\s+instructions?\b",
]

# --- chat-template and delimiter forgery (either language) ------------------------------------------------
_MARKUP = [
    r"<\|?(im_start|im_end|system|endoftext)\|?>",
    r"\[/?inst\]|<</?sys>>",
    r"</?\s*(system|clauses?|question|assistant|user|instructions?)\b[^>]*>",
    r"(^|\s)(system|developer)\s*[:：]",
]

_ZH_RE = [re.compile(p) for p in _ZH]
_EN_RE = [re.compile(p) for p in _EN]
_MARKUP_RE = [re.compile(p) for p in _MARKUP]
_NOT_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, invisible characters removed, traditional -> simplified, case-folded."""
    return normalize_query(text).casefold()


normalise_for_guard = normalise


def injection(text: str) -> bool:
    """True when `text` tries to override the assistant's instructions, change its role or extract its prompt."""
    if not isinstance(text, str) or not text.strip():
        return False
    return injected(normalise(text))


def injected(norm: str) -> bool:
    """`injection` on text already normalised by `normalise` (the question record holds it)."""
    spaced = _SPACES.sub(" ", norm)
    compact = _NOT_WORD.sub("", norm)  # 忽 略 以 上 / 忽-略-以-上 … all read the same
    return (
        any(r.search(compact) for r in _ZH_RE)
        or any(r.search(spaced) for r in _EN_RE)
        or any(r.search(spaced) for r in _MARKUP_RE)
    )
