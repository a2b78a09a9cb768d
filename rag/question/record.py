"""One question record, built once at the entrance: raw text, normalised text, tokens, regions, topic, benefits,
kind and what was taken from the dialogue. The injection guard, retrieval, extraction, the composers and the LLM
writer all read it; nothing downstream normalises or tokenises the question again, and region slugs are never
written into question text.

Follow-ups are resolved here: 那北京呢？ keeps the topic and changes the region; 那陪产假呢？/补贴呢？ keep the region
and change the topic; 女方呢？ keeps region and topic and changes the person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..config import tomllib
from ..text.normalize import CJK, normalize_query
from ..text.tokenize import tokenize
from .guard import injected, normalise_for_guard
from .lexicon import load_lexicon
from .query import Query, query_from_normalised
from .regions import PARENT, RegionDetector, RegionMatch

FILLER = re.compile(r"[那么呢吗嘛吧啊呀的又还再也呢有是怎样如何情况方面这边那边么?？!！,，。.\s]+")
ALL_REGIONS = re.compile(r"各地|各个地方|各省|各市|每个地方|哪些地方|哪个地方|哪里|哪儿|分别|几个地方|全国")
HISTORY_TURNS = 6


# ---- data tables ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KindRule:
    name: str
    patterns: tuple[re.Pattern, ...]
    superlative: re.Pattern | None = None
    can_words: re.Pattern | None = None


def _toml(name: str) -> dict:
    with (resources.files("rag.data") / name).open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def kind_rules() -> tuple[KindRule, ...]:
    """The one table of question kinds (rag/data/kinds.toml), in priority order."""
    out = []
    for k in _toml("kinds.toml")["kind"]:
        out.append(
            KindRule(
                k["name"],
                tuple(re.compile(p) for p in k.get("patterns", ())),
                re.compile(k["superlative"]) if k.get("superlative") else None,
                re.compile(k["can_words"]) if k.get("can_words") else None,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class DialogueData:
    wants: tuple[tuple[str, re.Pattern], ...]
    persons: dict[str, tuple[str, ...]]
    counterparts: dict[str, dict[str, str]]
    figures: dict[str, re.Pattern]
    not_asked: re.Pattern | None = None  # a count that describes the asker (生了几个孩子), not one asked for


@lru_cache(maxsize=1)
def off_topic_patterns() -> tuple[re.Pattern, ...]:
    """kinds.toml [off_topic]: subjects the plans never settle (see the file for why)."""
    return tuple(re.compile(p) for p in _toml("kinds.toml").get("off_topic", {}).get("patterns", []))


@lru_cache(maxsize=1)
def always_off_topic_patterns() -> tuple[re.Pattern, ...]:
    """kinds.toml [off_topic] always: subjects off the plans whatever benefit word comes with them."""
    return tuple(re.compile(p) for p in _toml("kinds.toml").get("off_topic", {}).get("always", []))


@lru_cache(maxsize=1)
def off_topic_next_steps() -> tuple[tuple[re.Pattern, str], ...]:
    """kinds.toml [off_topic.next]: where a matter the plans do not settle is settled, first match wins."""
    table = _toml("kinds.toml").get("off_topic", {}).get("next", {})
    return tuple((re.compile(p), step) for p, step in table.items())


def off_topic_next(text: str) -> str:
    """The next step for a refused off-topic question, or "" when no subject of the table is named."""
    return next((step for p, step in off_topic_next_steps() if p.search(text)), "")


def is_off_topic(topic: str, benefits: tuple[str, ...]) -> bool:
    """True when the topic is about an off-topic subject and names no benefit of the lexicon, or about one that
    no benefit word brings back (基金定投有啥补贴)."""
    if any(p.search(topic) for p in always_off_topic_patterns()):
        return True
    return not benefits and any(p.search(topic) for p in off_topic_patterns())


@lru_cache(maxsize=1)
def dialogue_data() -> DialogueData:
    d = _toml("dialogue.toml")
    return DialogueData(
        tuple((k, re.compile(v)) for k, v in d["wants"].items()),
        {k: tuple(v) for k, v in d["persons"].items()},
        {k: dict(v) for k, v in d.get("counterparts", {}).items()},
        {k: re.compile(v) for k, v in d.get("figures", {}).items()},
        re.compile(d["not_asked"]["pattern"]) if "not_asked" in d else None,
    )


@lru_cache(maxsize=1)
def _courtesy() -> tuple[re.Pattern, re.Pattern]:
    d = _toml("dialogue.toml")["courtesy"]
    return re.compile(d["lead"]), re.compile(d["tail"])


def strip_courtesy(text: str) -> str:
    """Normalised `text` without the greetings and thanks around the question (您好，请问…谢谢); unchanged when
    they are all it says (a bare 你好 is still a greeting)."""
    lead, _ = _courtesy()
    out = text
    while True:
        shorter = _drop_thanks(lead.sub("", out, count=1))
        if shorter == out:
            break
        out = shorter
    return out if _CONTENT.search(out) else text


def courtesy_only(text: str) -> str:
    """ "greeting" or "thanks" when normalised `text` is nothing else (你好 / 请问 / 谢谢您！), else ""."""
    lead, _ = _courtesy()
    if not _CONTENT.search(_drop_thanks(text)):
        return "thanks"
    if not _CONTENT.search(lead.sub("", text, count=1)):
        return "greeting"
    return ""


def _drop_thanks(text: str) -> str:
    """`text` without the thanks at its end; only its last characters are searched (TAIL_CHARS), so a long run of
    punctuation costs one short search, not one per position."""
    _, tail = _courtesy()
    head, end = text[:-TAIL_CHARS], text[-TAIL_CHARS:]
    return head + tail.sub("", end, count=1)


TAIL_CHARS = 40
_CONTENT = re.compile(f"[{CJK}a-z0-9]")


def _lexicon():
    return load_lexicon()


# ---- the record -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScopeNote:
    """A place asked about that the plan only partly covers: a province mapped to a city's plan (kind 'parent'),
    or a county-level city or county answered from a district plan (kind 'nearby'), or a division inside a covered
    region that the plan does not name (kind 'within'), or a city or county of a province plan whose own plan is not
    held (kind 'own': 望澜市 or 清镇市 answered from the province's plan; said first, issue 25)."""

    slug: str
    asked: str
    kind: str


@dataclass(frozen=True)
class Question:
    raw: str
    text: str  # normalised standalone question (typos repaired, follow-up resolved), place names kept
    topic: str  # text without place names: what keywords, expansions and the lexicon see
    query: Query  # retrieval's view: tokens, core words, expansions (tokenised once, here)
    regions: tuple[str, ...] = ()  # covered regions (slugs) named or inherited, in order of appearance
    uncovered: tuple[str, ...] = ()  # places named that no plan covers
    scope: tuple[ScopeNote, ...] = ()
    benefits: tuple[str, ...] = ()  # lexicon keys named in the topic
    form: str = "fact"  # how to compose: fact | list | compare | yesno
    kind: str = "fact"  # what is reported: form, or followup / clarify
    wants: str = ""  # 天数 | 金额 | 比例 | "" (what quantity is asked; "" with asks_quantity = any)
    asks_quantity: bool = False
    can: bool = False  # a yes/no question asked with 能/可以 (answered 可以), else 有
    superlative: bool = False  # 哪个地方…最…
    fixes: tuple[tuple[str, str], ...] = ()  # homophone typos repaired: (typed, corrected)
    all_regions: bool = False  # 各地 / 哪个地方: every covered region is asked
    inherited_region: bool = False
    inherited_topic: bool = False
    injection: bool = False
    topic_empty: bool = False  # nothing but places and filler was asked
    ambiguous: tuple = ()  # regions.Ambiguity: shared place names (朝阳区) neither question nor dialogue resolve
    off_topic: bool = False  # an off-topic subject (kinds.toml [off_topic]) and no benefit named
    history_turns: tuple[str, ...] = field(default=(), repr=False)
    # place names as the question writes them (黄岛区), for rules limited to some districts
    places: tuple[str, ...] = ()
    courtesy: str = ""  # "greeting" / "thanks": the message is nothing else (你好 / 谢谢)
    said: str = ""  # the turn's own topic, before a follow-up took over the dialogue's (这个文件是谁发的)

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.query.tokens

    @property
    def words(self) -> tuple[str, ...]:
        return self.query.core

    @property
    def followup(self) -> bool:
        return self.inherited_region or self.inherited_topic


def user_turns(history) -> list[str]:
    """Accepts [{'role','content'}], [(user, assistant)] or [str]; returns the user's questions, oldest first."""
    out = []
    for turn in history or ():
        if isinstance(turn, str):
            out.append(turn)
        elif isinstance(turn, dict) and turn.get("role") == "user" and isinstance(turn.get("content"), str):
            out.append(turn["content"])
        elif isinstance(turn, (list, tuple)) and turn and isinstance(turn[0], str):
            out.append(turn[0])
    return out


def _bare(text: str) -> str:
    return FILLER.sub(" ", text).strip()


# a short turn opening with 那 and asking a quantity continues the dialogue (那一年能休几天 / 那青岛能休几天): it keeps
# the topic unless it names a new benefit (那婚假几天); 那青岛明天下雨吗 asks its own question; 那边 / 那里 / 那个 are
# words of their own
# 也给吗 / 也能领吗 / 也有吗: the same benefit asked again for another person or case
# 外地户口的也给吗 / 双胞胎能多休吗 / 还能休吗: a turn asking more of the same thing (也, 多, 还 before its verb)
_ALSO = re.compile(
    r"也(给|有|能|可以|可|享受|适用|算|发|补|报|行|包括|管)|(能|可以|会)?(多|还能|还可以)(休|放|请|给|发|补|领|报|享受)"
    r"|(接着|继续)(扣|享受|领|休|报|发|补)"
)
_CONTINUES = re.compile(r"^\s*(那么|那要是|那如果|那)(?![边里儿个些种样时])")


_LIGHT = re.compile(r"[定规是的呢要有给发能休那么啊呀吗了个这边里钱块元天]+")


# 这个去哪申请 / 这项政策外地户口能享受吗 / 上面说的补贴找谁领: the rule just answered, asked about
_REFERS = re.compile(
    r"^\s*(那)?(这个|这项|这些|这种|这条|上面|上边|刚才|刚刚|前面)(政策|规定|补贴|假|待遇|措施)?(说的)?"
)
# 我是开厂的，这些假休的时候工资谁出: past a clause of its own, a pointer with its noun still names the rule
# 是不是只有青岛户口的才能拿 / 外地户口的能领吗: who may have it, asked of the benefit just answered
_WHO_MAY = re.compile(r"户口|户籍|外地|本地|外省|非本市|只有|谁能|谁可以|什么条件|啥条件|资格")
_OWN_ASK = re.compile(r"吗|有没有|有无|能不能|可不可以|是否|是不是|啥|什么|哪|谁|怎么|咋")
_REFERS_INSIDE = re.compile(
    r"(这个|这项|这些|这种|这条|上面|上边|刚才|前面)(政策|规定|补贴|假期?|待遇|措施)(说的)?"
)
# 那北京有没有这个 / 重庆有这种吗: a bare pointer closing the question stands for what was just asked
_REFERS_END = re.compile(r"(这个|这项|这种|这样的?|同样的?)(规定|政策|补贴|待遇)?(吗|呢|没有?|不)?[?？]?\s*$")
_YEAR = re.compile(r"(到|至)?20\d\d年?")


def _only_quantity(topic: str) -> bool:
    """青岛定的多少 / 那边给多少钱 / 通化的呢 2035年: a quantity or a year asked of nothing named, i.e. of the
    last topic."""
    words = _quantity_words(topic) + [m.group() for m in _YEAR.finditer(topic)]
    rest = topic
    for w in sorted(words, key=len, reverse=True):
        rest = rest.replace(w, "")
    return bool(words) and not _LIGHT.sub("", _bare(rest).replace(" ", ""))


def _names_person(topic: str) -> bool:
    """那我老公呢… / 那爷爷奶奶要是…: the same matter asked for another member of the family."""
    words = [w for ws in dialogue_data().persons.values() for w in ws] + list(
        _toml("dialogue.toml")["kin"]["words"]
    )
    return any(w in topic for w in words)


def _elliptic(text: str, topic: str, short: int = 4) -> bool:
    """A follow-up that names only its new topic (那婚假呢？ / 产假), not a question of its own."""
    return bool(re.search(r"呢[?？]?$", text)) or len(_bare(topic).replace(" ", "")) <= short


def _has_topic(topic: str) -> bool:
    return bool(tokenize(_bare(topic)))


def _wants(text: str) -> tuple[str, bool]:
    data = dialogue_data()
    kinds = data.wants
    text = data.not_asked.sub(" ", text) if data.not_asked else text
    for name, rx in kinds:
        if name and rx.search(text):
            return name, True
    return "", any(rx.search(text) for _, rx in kinds)


def states_figure(kind: str, text: str) -> bool:
    """Whether `text` holds a figure of the kind asked (天数 / 金额 / 比例); any number when the kind is unknown."""
    rx = dialogue_data().figures.get(kind)
    return bool(rx.search(text)) if rx else True


def _quantity_words(text: str) -> list[str]:
    data = dialogue_data()
    text = data.not_asked.sub(" ", text) if data.not_asked else text
    return [m.group() for _, rx in data.wants for m in rx.finditer(text)]


_OWNER = re.compile(r"^(我们家|我家|咱家|我|俺|咱)的?")


def _person_only(topic: str) -> str | None:
    """'女方' when the topic is nothing but a person word (女方呢 / 那妈妈呢)."""
    bare = _OWNER.sub("", _bare(topic).replace(" ", ""))  # 那我老公呢: 我 is whose, not who
    for person, words in dialogue_data().persons.items():
        if bare and any(bare == _bare(w) for w in words):
            return person
    return None


def _named_person(topic: str) -> str | None:
    """The person a longer turn names (那爸爸能休几天 -> 男方), None when none or both are named."""
    found = {p for p, words in dialogue_data().persons.items() if any(w in topic for w in words)}
    return found.pop() if len(found) == 1 else None


def _switch_person(prev_topic: str, person: str) -> str:
    """The previous topic asked for `person`: counterpart benefit terms swapped, other person words replaced."""
    data = dialogue_data()
    out = prev_topic
    for term, other in sorted(data.counterparts.get(person, {}).items(), key=lambda kv: -len(kv[0])):
        if term in out:
            out = out.replace(term, other)
            break
    for who, words in data.persons.items():
        if who != person:
            for w in sorted(words, key=len, reverse=True):
                out = out.replace(w, person)
    return out if person in out or out != prev_topic else f"{person} {out}"


class QuestionBuilder:
    """Builds Question records; holds the region detector and the lexicon (both loaded once)."""

    def __init__(self, detector: RegionDetector, docs: dict, lexicon=None):
        self.detector, self.docs = detector, docs
        self.lexicon = lexicon if lexicon is not None else _lexicon()

    def _repair(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Homophone repair (lexicon), refused when it would lose a covered place the text already names
        (和北京 must not become 河北京)."""
        if self.lexicon is None:
            return text, ()
        corr = self.lexicon.correct(text, days_asked=_wants(text)[0] == "天数")
        if not corr.fixes or not set(self.detector.detect(text).slugs) - set(
            self.detector.detect(corr.text).slugs
        ):
            return corr.text, tuple(corr.fixes)
        return text, ()

    def _switches(self, text: str, topic: str) -> bool:
        """A full question naming a benefit (生孩子有补贴吗) switches topic: it asks what it asks, and what was asked
        before it no longer counts. An elliptic one (那婚假呢？) or one refining the last without naming a benefit
        (那幼儿园收不收小一点的) does not."""
        return _has_topic(topic) and not _elliptic(text, topic) and bool(self._benefits(topic))

    def _benefits(self, topic: str) -> tuple[str, ...]:
        if self.lexicon is None:
            return ()
        return tuple(dict.fromkeys(b.key for b in self.lexicon.find(topic)))

    def _new_terms(self, topic: str, ptopic: str) -> set[str]:
        """Plan terms a turn reads (养老院 -> 养老机构) that the last topic did not, counted only from everyday
        words of three characters or more: 孩子 / 老人 are who, not what."""
        if self.lexicon is None:
            return set()

        def terms(text: str) -> set[str]:
            return {t for t, vs in self.lexicon.expansions if any(len(v) >= 3 and v in text for v in vs)}

        return terms(topic) - terms(ptopic)

    def _asks_of_last(self, text: str, topic: str) -> bool:
        """几天啊 孩子多大以前能休 after 北京有没有育儿假: a figure asked with no benefit and no place of its own is
        asked of the benefit just answered."""
        return not self._benefits(topic) and _wants(text)[1] and not self.detector.detect(text).slugs

    def _keeps_topic(self, topic: str, prev: list[str]) -> str | None:
        """The topic of an elliptic turn that names no benefit the last topic lacks: 那北京的幼儿园呢 after
        贵州幼儿园收不收两岁多的娃 still asks about two-year-olds; 外地户口呢 / 爷爷奶奶呢 after 育儿假几天 ask the
        育儿假 for another person. None when it names a new benefit (那婚假呢 replaces the topic)."""
        for p in reversed(prev):
            ptopic = self.detector.strip(p, self.detector.detect(p))
            if not _has_topic(ptopic) or _person_only(ptopic):
                continue
            if not set(self._benefits(topic)) <= set(self._benefits(ptopic)) or not self._benefits(ptopic):
                return None
            if self._new_terms(topic, ptopic) and len(_bare(topic).replace(" ", "")) > 8:
                return None  # 那失独老人呢 能住公办养老院不: a question of its own on a thing the last one lacked
            new = [w for w in tokenize(_bare(topic)) if w not in ptopic]
            # the new words as the citizen wrote them (外地户口在生的也给), not the tokenizer's overlapping pieces
            return f"{_bare(topic).replace(' ', '')} {ptopic}" if new else ptopic
        return None

    def _places(self, regions: list[str]) -> str:
        """The short names of the regions asked (北京和重庆 -> 北京重庆), as a resolved follow-up names them."""
        return "".join(
            getattr(self.docs[s], "short_name", "") or getattr(self.docs[s], "name", "")
            for s in regions
            if s in self.docs
        )

    def _scope(self, text: str, match: RegionMatch) -> tuple[ScopeNote, ...]:
        notes = []
        for s, e in match.spans:
            surface = text[s:e]
            kind, target = self.detector.names.get(surface, (None, None))
            if kind == PARENT and target in match.slugs:
                notes.append(ScopeNote(target, surface, "parent"))
            elif target in match.slugs[:1] and self.detector.place_below(surface, self.docs[target]):
                notes.append(ScopeNote(target, self.detector.place_below(surface, self.docs[target]), "own"))
            elif target in self.docs and surface in getattr(self.docs[target], "nearby", ()):
                notes.append(ScopeNote(target, surface, "nearby"))
            elif target in match.slugs and surface in self.detector.within:  # 清镇 -> 清镇市, in 贵州省
                notes.append(ScopeNote(target, self.detector.within[surface].name, "within"))
        return tuple(dict.fromkeys(notes))

    def _referred(self, text: str, topic: str, prev: list[str]) -> str | None:
        """这个去哪申请 / 上面说的补贴找谁领: the benefit of the last turn that named one stands for 这个, and what is
        asked now is asked of it (not the last turn's 几天)."""
        rest = _REFERS.sub(" ", _REFERS_INSIDE.sub(" ", topic.strip(), count=1), count=1)
        rest = _REFERS_END.sub(" ", rest, count=1)
        for p in reversed(prev):
            keys = self._benefits(self.detector.strip(p, self.detector.detect(p)))
            if keys:
                if set(self._benefits(rest)) - set(keys) and "这些" in topic:
                    return rest.strip()  # 这些假…工资谁出: the pay of leave is a benefit of its own
                return f"{' '.join(keys)} {rest}".strip()
        # 那贵州呢 有这个规定没 after a question naming no benefit of the lexicon: 这个 is the last question itself
        for p in reversed(prev):
            ptopic = self.detector.strip(p, self.detector.detect(p))
            if _has_topic(ptopic) and not _person_only(ptopic):
                return f"{ptopic} {rest}".strip() if _has_topic(rest) else ptopic.strip()
        return None

    def _inherit_topic(self, text: str, topic: str, prev: list[str]) -> tuple[str, bool]:
        """The topic of a turn read with the dialogue before it, and whether it was carried over."""
        inherited_topic = False
        person = _person_only(topic)
        inside = _REFERS_INSIDE.search(topic)
        if inside and not _REFERS.match(text):
            topic = f"{inside.group()} {topic[: inside.start()]}{topic[inside.end() :]}".strip(" ，,")
        # 外地户口呢 keeps the whole last question (_keeps_topic); 外地户口的能领吗 asks a question of its own
        who = _WHO_MAY.search(topic) and not self._benefits(topic) and not re.search(r"呢[?？]?$", text)
        end = _REFERS_END.search(topic)
        if end and not inside:
            topic = topic[: end.start()].strip(" ，,") + " " + end.group()
        pointed = _REFERS.match(text) or inside or end
        referred = self._referred(text, topic, prev) if pointed or who else None
        if referred is not None:
            return referred, True
        if not person and not _names_person(topic) and self._asks_of_last(text, topic):
            # the figure is asked of the benefit itself, not of the last turn's 有没有 (which would ask yes/no)
            for p in reversed(prev):
                keys = self._benefits(self.detector.strip(p, self.detector.detect(p)))
                if keys:
                    return f"{_bare(topic).replace(' ', '')} {' '.join(keys)}", True
        if not _has_topic(topic) or person:
            # Only a place, a person (and filler) was asked: keep the previous topic.
            for p in reversed(prev):
                ptopic = self.detector.strip(p, self.detector.detect(p))
                if _has_topic(ptopic) and not _person_only(ptopic):
                    topic = _switch_person(ptopic, person) if person else ptopic
                    inherited_topic = True
                    break
        elif (
            re.search(r"呢[?？]?$", text)
            or _ALSO.search(text)
            or _only_quantity(topic)
            or (_CONTINUES.match(text) and _names_person(topic))
            or (_CONTINUES.match(text) and _elliptic(text, topic, 6) and _wants(text)[1])
        ):
            # 外地户口呢 / 外地户口的也给吗 / 那一年能休几天 (明天下雨吗 asks a question of its own)
            kept = self._keeps_topic(topic, prev)
            if kept is not None:
                who = _named_person(topic) if not self._benefits(topic) else None
                topic, inherited_topic = (_switch_person(kept, who) if who else kept), True
        return topic, inherited_topic

    def build(self, raw: str, history=()) -> Question:
        norm = strip_courtesy(normalize_query(raw))
        text, fixes = self._repair(norm)
        match = self.detector.detect(text)
        topic = self.detector.strip(text, match)
        said = topic
        regions, uncovered = list(match.slugs), list(match.uncovered)
        scope = self._scope(text, match)
        all_regions = bool(ALL_REGIONS.search(text))
        inherited_region = inherited_topic = False
        turns = (normalize_query(t) for t in user_turns(history))
        # a bare 谢谢 between two questions is no question: the dialogue continues from the one before it
        prev = [self._repair(strip_courtesy(t))[0] for t in turns if not courtesy_only(t)][-HISTORY_TURNS:]
        if match.ambiguous and prev:  # a shared place name (朝阳区) read with the places of the dialogue
            match = self.detector.detect(text, context=" ".join(reversed(prev)))
            regions, uncovered, scope = list(match.slugs), list(match.uncovered), self._scope(text, match)
        standalone = text
        if prev:
            topic, inherited_topic = self._inherit_topic(text, topic, prev)
            if not regions and not uncovered and not all_regions:
                for p in reversed(prev):
                    pm = self.detector.detect(p)
                    if pm.slugs or pm.uncovered:
                        regions, uncovered = list(pm.slugs), list(pm.uncovered)
                        scope = self._scope(p, pm)
                        inherited_region = True
                        all_regions = False
                        break
                    if ALL_REGIONS.search(p):
                        all_regions = True
                        break
            if inherited_region or inherited_topic:
                # 那婚假呢？ asks the previous question's kind of thing (几天/多少) about a new topic: read back
                # through the turns to the last one that switched topic (_switches)
                topic = self._asked_back(text, topic, prev)
                # the resolved question as if asked whole: its places in front (青岛 + 个税能扣多少), as a
                # question that names them is embedded
                standalone = self._places(regions) + topic.strip()
        wants, asks_quantity = _wants(topic)
        benefits = self._benefits(topic)
        form, can, superlative = self._form(topic, regions, all_regions or not regions)
        if inherited_topic and form == "fact":
            # 那爷爷奶奶能休不 after 育儿假几天: the turn's own yes/no, not the carried-over 几天, decides the form
            own, own_can, _ = self._form(said, regions, all_regions or not regions)
            form, can = (own, own_can) if own == "yesno" else (form, can)
        topic_empty = not _has_topic(topic)
        kind = "clarify" if topic_empty else ("followup" if inherited_region or inherited_topic else form)
        return Question(
            raw=raw,
            text=standalone,
            topic=topic,
            query=query_from_normalised(standalone, topic),
            said=said,
            regions=tuple(regions),
            uncovered=tuple(uncovered),
            scope=scope,
            benefits=benefits,
            form=form,
            kind=kind,
            wants=wants,
            asks_quantity=asks_quantity,
            can=can,
            superlative=superlative,
            fixes=fixes,
            all_regions=all_regions,
            inherited_region=inherited_region,
            inherited_topic=inherited_topic,
            injection=injected(normalise_for_guard(raw))
            or (standalone != text and injected(normalise_for_guard(standalone))),
            topic_empty=topic_empty,
            ambiguous=tuple(match.ambiguous),
            off_topic=is_off_topic(topic, benefits),
            history_turns=tuple(prev),
            places=tuple(dict.fromkeys(text[a:b] for a, b in match.spans)),
            courtesy=courtesy_only(norm),
        )

    def _asked_back(self, text: str, topic: str, prev: list[str]) -> str:
        """The topic with the quantity word (几天/多少) of the last turn before the dialogue switched topic."""
        if (
            self._switches(text, topic)
            or _wants(topic)[1]
            or (self._benefits(topic) and _OWN_ASK.search(topic))
        ):
            return topic  # 那买房呢，有优惠吗 asks a question of its own about its own topic
        for p in reversed(prev):
            asked = _quantity_words(p)
            if asked:
                return f"{topic} {asked[0]}"
            if self._switches(p, self.detector.strip(p, self.detector.detect(p))):
                break
        return topic

    def _form(self, topic: str, regions: list[str], every_region: bool) -> tuple[str, bool, bool]:
        """(form, can, superlative) from the one kinds table."""
        can = superlative = False
        for rule in kind_rules():
            if rule.patterns and not any(p.search(topic) for p in rule.patterns):
                continue
            if rule.name == "compare":
                superlative = bool(rule.superlative and rule.superlative.search(topic) and every_region)
                if len(regions) < 2 and not superlative:
                    continue
            if rule.can_words is not None:
                can = bool(rule.can_words.search(topic))
            return rule.name, can, superlative
        return "fact", can, superlative
