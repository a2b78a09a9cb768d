"""What a yes/no answer may open with, decided from the claims of the cited clause only (rag.benefits.claims).

有 / 可以 needs a 规定 claim that grants the thing asked: every benefit the question names, every specific it asks
(攒到明年, 水电按居民价, 公积金), to the person it asks about. Short of that the answer says what the plan does not
state, or what it only encourages / announces, and leads with the clause: no verdict beats a false one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..benefits import claims as C
from ..question.query import synonyms
from ..text.tokenize import is_word
from .common import Context, clause_benefits
from .gate import benefit_terms

GRANT, ENCOURAGE, EXPLORE, MENTION = "grant", "encourage", "explore", "mention"
MISSING_BENEFIT, UNSETTLED = "missing_benefit", "unsettled"
# specific words absent from the whole plan (and at least half of the question's) before saying it does not
# state them; fewer, or words the plan uses elsewhere: the clause leads, with no verdict
UNSAID_MIN = 2
_SUM_DEPTH = 8  # clauses of the region searched for a granted sum before saying only a scheme is announced
_PLANS: dict[str, str] = {}  # slug -> plan text; clause texts are fixed for the process
_BY_FORCE = {C.PRESCRIBED: GRANT, C.ENCOURAGED: ENCOURAGE, C.EXPLORING: EXPLORE, C.MENTIONED: MENTION}
# a figure (三个月, 几天, 20): premise.py checks figures, they are no specific word
NUMERIC = re.compile(r"[0-9一二两三四五六七八九十百千万几]+(个月|个|天|日|月|年|岁|周|块|元)?")
_SEGMENT = re.compile(r"[，,。；;？?！!\s、]+")
_ASKING = re.compile(
    r"^(请问|那|就是|想问|能不能|可不可以|是不是|有没有|能否|可否|能|可以|会|要|还|也)+"
    r"|(吗|呢|啊|吧|嘛|不|没|没有|么|呀|了)+$"
)


@dataclass(frozen=True)
class Verdict:
    kind: str  # grant / encourage / explore / mention / missing_benefit / unsettled
    claims: tuple = ()  # the claims about the thing asked, strongest first
    missing: str = ""  # what the plan does not state: a benefit key, or the question's own words

    @property
    def lead_claim(self):
        return self.claims[0] if self.claims else None


@lru_cache(maxsize=1)
def _specifics() -> tuple[frozenset[str], dict[str, tuple[str, ...]], tuple]:
    d = C.data()
    spec = d.get("specifics", {})
    persons = tuple(
        (tuple(p["asked"]), tuple(p["plan"]), bool(p.get("strict", False))) for p in d.get("person", ())
    )
    settled = {k: tuple(v) for k, v in spec.get("settled_by", {}).items()}
    return frozenset(spec.get("generic", ())), settled, persons


def decide(ctx: Context, ex) -> Verdict:
    """The verdict the claims of `ex`'s clause support for the question of `ctx`."""
    chunk = ctx.index.chunks[ctx.row[ex.hit.chunk.id]] if ex.hit.chunk.id in ctx.row else ex.hit.chunk
    text = chunk.text
    asked = tuple(ctx.q.benefits)
    missing = unnamed(ctx, text)
    if missing:
        # "没有提到" only when the whole plan never names it; else the clause leads, with no verdict
        absent = [k for k in missing if k in unnamed(ctx, plan_text(ctx, ex.hit.chunk.slug))]
        return Verdict(MISSING_BENEFIT, (), absent[0]) if absent else Verdict(MENTION, ())
    # the lead sentence speaks for the answer: another sentence's 鼓励 is not its force (nor, when no benefit is
    # named, any other sentence's); the rest of the clause only when the lead names nothing asked
    mine = C.about(C.sentence_claims(ctx.lexicon, text, ex.sentences[:1]), asked)
    if not mine and asked:
        mine = C.about(C.sentence_claims(ctx.lexicon, text, ex.sentences), asked)
        mine = mine or C.about(C.clause_claims(ctx.lexicon, text), asked)
    mine = _naming_asked(ctx, mine)
    force = C.force(mine)
    ordered = tuple(sorted(mine, key=lambda c: c.modality != force))
    spec, missing_words = unsettled(ctx, "".join(ex.sentences), "".join(ex.sentences))
    plan = plan_text(ctx, ex.hit.chunk.slug)
    unsaid = [w for w in missing_words if not _covered(w, plan, (), _specifics()[1])]
    if (len(unsaid) >= UNSAID_MIN and len(unsaid) * 2 >= len(spec)) or _foreign(ctx, unsaid):
        return Verdict(UNSETTLED, ordered, phrase(ctx.q.topic, unsaid))
    announced = force in (C.ENCOURAGED, C.EXPLORING) and _money_asked(ctx)
    if announced and _sum_granted(ctx, ex.hit.chunk.slug):
        return Verdict(
            MENTION, ordered
        )  # 青岛上托育有补助没: 鼓励…建设补助 leads, but 300元 is granted beside it
    if missing_words and announced and all(_how_word().search(w) for w in missing_words):
        # 每个孩子能领到钱不 over 逐步建立…补贴制度: what is only announced sets no sum for anyone, whatever else is asked
        return Verdict(_BY_FORCE[force], ordered)
    if missing_words:
        return Verdict(MENTION, ordered)  # one word unmatched: the clause leads, no verdict either way
    return Verdict(_BY_FORCE[force], ordered)  # 鼓励 / 探索 only for what the question asks (not for 水电价)


@lru_cache(maxsize=1)
def _how_word() -> re.Pattern:
    return re.compile(C.data()["specifics"]["how_words"])


def _foreign(ctx: Context, unsaid: list[str]) -> bool:
    """A word of the question no plan of any region uses (月嫂, 买车): the thing asked is not what the clause is
    about, whatever else matches."""
    if not unsaid:
        return False
    plans = _all_plans(ctx)
    return any(len(w) >= 2 and not _how_word().search(w) and w not in plans for w in unsaid)


_ALL: dict[int, str] = {}  # id(index) -> every plan's headings and clauses, joined once


def _all_plans(ctx: Context) -> str:
    """Every region's plan text in one pass over the clauses, kept for the index (not one pass per region per
    question: at national scale that was 3,000 passes over 100,800 clauses)."""
    key = id(ctx.index)
    if key not in _ALL:
        _ALL.clear()
        _ALL[key] = "".join(f"{c.section}。{c.text}" for c in ctx.index.chunks)
    return _ALL[key]


def _money_asked(ctx: Context) -> bool:
    return ctx.what() == "金额" and bool(ctx.q.benefits)


def _sum_granted(ctx: Context, slug: str) -> bool:
    """Some clause of the region's best ones grants a sum for the benefits asked: an encouraged or announced scheme
    beside it is no "no sum" (青岛 上托育有补助没: 鼓励…建设补助, and 落实…每月300元的保育费补助 in the same clause)."""
    for hit in ctx.ranked(slug, _SUM_DEPTH):
        for c in C.about(C.clause_claims(ctx.lexicon, hit.chunk.text), ctx.q.benefits):
            if c.grants and any(v.endswith("元") for v in c.values):
                return True
    return False


def _naming_asked(ctx: Context, claims: list) -> list:
    """When the claims about the thing asked differ in force (各区县逐步建立…运营补贴制度，…对示范性托育机构给予奖补),
    the ones whose part names most of the question's own words speak for it: a 运营补贴 question is answered by the
    part that announces it, not by the part that grants another subsidy."""
    if len({c.modality for c in claims if c.modality != C.MENTIONED}) < 2:
        return (
            claims  # a part that merely names the thing (对…家庭成员，) never outweighs the one granting it
        )
    generic = _specifics()[0]
    words = [
        w for w in dict.fromkeys(ctx.q.words) if len(w) >= 2 and not NUMERIC.fullmatch(w) and w not in generic
    ]
    claims = [c for c in claims if c.modality != C.MENTIONED]
    score = {id(c): sum(w in c.part for w in words) for c in claims}
    best = max(score.values(), default=0)
    return [c for c in claims if score[id(c)] == best] if best else claims


def unnamed(ctx: Context, text: str) -> list[str]:
    """Benefits the question names that the clause does not: neither the lexicon reads them there nor does one of
    their own words stand in it (so the clause that IS the answer is never shown as "not what you asked")."""
    if ctx.lexicon is None:
        return []
    named = set().union(*clause_benefits(ctx.lexicon, text).values())
    others = [ctx.lexicon.get(k) for k in named]

    def stands_for(t: str, b) -> bool:
        # a word several benefits share (补贴 of 家庭养育补贴制度) stands for the one asked unless the clause names
        # another benefit with it in that benefit's own wording (养育补贴 is 生育补贴's, not 分娩补助's)
        if t not in text or not ctx.lexicon.shared(t):
            return t in text
        return not any(t in benefit_terms(o) and any(w in text for w in o.wordings) for o in others if o != b)

    return [
        b.key
        for b in ctx.benefits()
        if b.key not in named and not any(stands_for(t, b) for t in benefit_terms(b))
    ]


def plan_text(ctx: Context, slug: str) -> str:
    """Every clause of the region's plan with its headings, joined: what "the plan does not state" is checked
    against (通化 names 三孩生育政策 in its headings: "没有提到三孩生育政策" would be false)."""
    if slug not in _PLANS:
        _PLANS[slug] = "".join(f"{c.section}。{c.text}" for c in ctx.index.chunks if c.slug == slug)
    return _PLANS[slug]


def asks_increase(ctx: Context, key: str) -> bool:
    """`key` is the extension of another benefit asked (延长产假 next to 产假): the question asks the increase."""
    if ctx.lexicon is None:
        return False
    return any(b.extension == key for b in ctx.benefits())


def covered(word: str, text: str) -> bool:
    """`text` settles the question word: it says it, a plan word that settles it (claims.toml settled_by: 买房 ->
    购房、购买房屋…), or a plan term it is an everyday variant of."""
    return _covered(word, text, (), _specifics()[1])


def unsettled(ctx: Context, clause: str, sentences: str) -> tuple[list[str], list[str]]:
    """(the question's specific words, those of them the clause does not settle: 攒 / 明年 / 水电); the person asked
    about (男方, 爷爷奶奶) must be one the answering sentences speak of."""
    generic, settled, persons = _specifics()
    # a heading's specific things (HPV疫苗 under 妇幼健康) count only where the clause uses them
    surfaces = tuple(
        t for b in ctx.benefits() for t in benefit_terms(b) if not _specific_term(t, b) or t in clause
    )
    spec = [
        w
        for w in dict.fromkeys(ctx.q.words)
        if len(w) >= 2 and not NUMERIC.fullmatch(w) and w not in generic and not _person(w, persons)
    ]
    out = [w for w in spec if not _covered(w, clause, surfaces, settled)]
    for asked_words, plan_words, strict in persons:
        said = [a for a in asked_words if a in ctx.q.topic]
        if not said or any(p in sentences for p in plan_words):
            continue
        # a rule naming other people (a strict group's words, 儿童, name whom a thing is for, not who may claim it)
        if strict or any(p in sentences for _, others, st in persons if not st for p in others):
            out.append(said[0])  # the rule is for other people, not the one asked about
    return spec, out


_MODALS = re.compile("能不能|可不可以|可以|能|怎么")


def _specific_term(term: str, benefit) -> bool:
    """A term of the benefit's specific things, also as a modal wording made of it (产检报销 -> 产检能报销)."""
    return term in benefit.specific or _MODALS.sub("", term) in benefit.specific


def unsaid_words(ctx: Context, segment: str, sentence: str) -> list[str]:
    """The dictionary words of `segment` (a part of the question) that `sentence` does not say, in its own words or
    through an everyday-word expansion (报销 is not said by 产前筛查率提高到80%); generic words never count."""
    generic, settled, _ = _specifics()
    return [
        w
        for w in dict.fromkeys(ctx.q.words)
        if len(w) >= 2
        and w in segment
        and w not in generic
        and is_word(w)
        and not _covered(w, sentence, (), settled)
    ]


def _person(word: str, persons) -> bool:
    return any(word in a or a in word for asked, _, _ in persons for a in asked)


def _covered(word: str, clause: str, surfaces, settled) -> bool:
    if word in clause or any(word in s or s in word for s in surfaces):
        return True
    if any(x in clause for x in settled.get(word, ())):
        return True
    return any(term in clause for term, variants in synonyms() if word == term or word in variants)


def phrase(topic: str, words: list[str]) -> str:
    """The question's segments holding `words`, without the asking words around them, joined by 、."""
    if not words:
        return ""
    out = []
    for seg in _SEGMENT.split(topic):
        if any(w in seg for w in words) and not re.search(r"\d", seg):  # quoted: no number of the question
            core = _ASKING.sub("", seg).strip()
            if core and core not in out:
                out.append(core)
    return "、".join(out) or "、".join(w for w in words if not re.search(r"\d", w))
