"""Comparisons (哪个长 / 一样吗 / 有什么区别 / 比…多几天 / 哪个地方最…): the same benefit's value for each region,
then a verdict FIRST when the values are comparable, otherwise exactly why not.

Values are verbatim (number + unit as the clause writes it) and are never subtracted: the verdict names the region
and gives both values. Comparable = same unit and same period (每年 / 每月 / 一次性), and neither qualifier undoes the
order (a 最高 cap on the larger side or a 不少于 floor on the smaller side could reverse it). Values come from the
benefits table (rag.benefits.table) when it is built, else from the best sentence of each region's retrieved clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import messages as M
from ..ingest.chunker import chunk_sentences
from ..models import Answer, Hit
from . import enumeration, fact, refuse
from .common import Context, finish_answer
from .extract import YEAR, finish, periods

NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(/10万|周岁|岁|个月|万元|个百分点|天|日|周|月|元|%|个|万个|人|‰)")
PART = re.compile(r"[^，,；;。]+")
UNIT_KIND = {
    "天": "天数",
    "日": "天数",
    "周": "天数",
    "个月": "天数",
    "月": "天数",
    "元": "金额",
    "万元": "金额",
}
UNIT_KIND.update({"%": "比例", "个百分点": "比例", "百分点": "比例", "tiers": "tiers"})
UNIT_KIND.update({"个": "数量", "万个": "数量", "人": "数量", "‰": "率", "/10万": "率"})
# a rate target (死亡率 控制在8/10万以下): the lower figure is the stricter goal, never "more"
RATES = ("‰", "/10万")
RESPECTIVE = re.compile(r"(.+?)分别(?:控制在|下降到|降低到|达到|为|是|在)?(.+)")
DAYS = {"天": 1, "日": 1, "周": 7, "个月": 30, "月": 30}
AGES = ("周岁", "岁")
PERIODS = ("每年", "每月", "一次性")
CAP, FLOOR = ("最高", "最多", "不超过", "以内"), ("不少于", "不低于", "至少", "以上")
RELATIVE = ("增加", "延长", "提高", "上浮")
SAMENESS = re.compile(r"一样|相同|不同|区别|差别|差异")


@dataclass(frozen=True)
class Value:
    region: str
    text: str  # verbatim part of the clause holding the value
    number: float | None
    unit: str
    hit: Hit | None
    sentence: str
    qualifier: str = (
        ""  # the table's qualifier words (每年、累计、不少于), when the value comes from the table
    )
    low: float | None = None  # tiers (独生子女10日、非独生子女7日): the smallest, on the scale of `size`

    @property
    def relative(self) -> bool:
        """An increase over a base the plan does not state (增加60天): not orderable against a total."""
        return any(w in self.text + self.qualifier for w in RELATIVE)

    @property
    def period(self) -> str:
        return next((p for p in PERIODS if p in self.text + self.qualifier), "")

    @property
    def cap(self) -> bool:
        return any(c in self.text + self.qualifier for c in CAP)

    @property
    def floor(self) -> bool:
        return any(f in self.text + self.qualifier for f in FLOOR)

    @property
    def size(self) -> float | None:
        """The number on one scale per kind (days for 周/月; 元 for 万元), for ordering only, never shown."""
        if self.number is None:
            return None
        if self.unit in DAYS:
            return self.number * DAYS[self.unit]
        return self.number * (10000 if self.unit in ("万元", "万个") else 1)

    @property
    def least(self) -> float | None:
        """The smallest tier on the scale of `size` (the value itself when it has no tiers)."""
        if self.low is None or not self.number:
            return self.size
        return self.low * self.size / self.number


def value_in(
    sentence: str, terms: tuple[str, ...], what: str, asked: tuple[str, ...] = ()
) -> tuple[str, float | None, str]:
    """(verbatim part, number, unit) of the value the sentence gives for the benefit named by `terms`: the number
    in the comma part naming the benefit, else in the parts that follow it (设立父母育儿假，…每年各享受10天假期)."""
    parts = [p.strip() for p in PART.findall(sentence) if p.strip()]
    cover = [(_cover(asked, p), _cover(terms, p)) for p in parts]
    if not any(c[1] for c in cover):
        return "", None, ""
    first = cover.index(max(cover))  # the part naming most of the asked words (婴儿死亡率, not 孕产妇死亡率)
    paired = _respective(parts[first], terms, asked)
    if paired is not None:
        return paired
    named = [parts[first]] + [p for i, p in enumerate(parts) if i != first and any(t in p for t in terms)]
    for wanted in (what, "") if what else ("",):
        for p in named + parts[first + 1 :]:
            for m in NUMBER.finditer(p):
                if m.group(2) in AGES:
                    continue  # 3周岁以下 says who qualifies, it is not the benefit's value
                if not wanted or UNIT_KIND.get(m.group(2)) == wanted:
                    return p, float(m.group(1)), m.group(2)
    return parts[first], None, ""


def _cover(words: tuple[str, ...], text: str) -> int:
    return sum(len(w) for w in words if w in text)


def _respective(
    part: str, terms: tuple[str, ...], asked: tuple[str, ...]
) -> tuple[str, float | None, str] | None:
    """The value paired with the asked item in a 分别 list (孕产妇死亡率、婴儿死亡率和…分别控制在8/10万、3.0‰和…):
    the n-th value for the n-th item, never the first number of the part. None when the part lists nothing."""
    m = RESPECTIVE.match(part)
    if m is None:
        return None
    items = [i for i in re.split(r"、|和|及|与", m.group(1)) if i]
    vals = list(NUMBER.finditer(m.group(2)))
    hits = [i for i, item in enumerate(items) if any(t in item for t in terms)]
    if len(items) != len(vals) or not hits:
        return part, None, ""
    best = max(hits, key=lambda i: (_cover(asked, items[i]), _cover(terms, items[i])))
    v = vals[best]
    return f"{items[best].strip()}{v.group(0)}", float(v.group(1)), v.group(2)


def from_table(ctx: Context, slug: str, terms: tuple[str, ...]) -> Value | None:
    """The region's value from the benefits table (built at index time), None when the table has no row for
    the benefit asked. Several values (tiers by child order) are shown but not ordered."""
    table = ctx.table
    key = ctx.q.benefits[0] if ctx.q.benefits else None
    if table is None or key not in getattr(table, "benefit_keys", ()):
        return None
    cell = table.get(slug, key)
    if cell.status == "未规定":
        return None  # the table reads wordings only: the region's retrieved clause may still answer
    ext = _extension_cell(ctx, slug, key) if cell.status == "no_number" else None
    cell = ext or cell
    if cell.status not in ("value", "no_number") or cell.clause_id not in ctx.row:
        return Value(slug, "", None, "", None, "")
    chunk = ctx.index.chunks[ctx.row[cell.clause_id]]
    hit = Hit(chunk, 0.0)
    part = value_in(cell.sentence, terms, "")[0] or cell.sentence
    if cell.status != "value" or not cell.values:
        return Value(slug, part, None, "", hit, cell.sentence)
    if len(cell.values) > 1:
        units = {v.unit for v in cell.values}
        if len(units) > 1:
            return Value(slug, part, 0.0, "tiers", hit, cell.sentence)
        nums = [v.number for v in cell.values]
        top = max(cell.values, key=lambda v: v.number)
        return Value(slug, part, top.number, top.unit, hit, cell.sentence, top.qualifier, low=min(nums))
    v = cell.values[0]
    return Value(slug, part, v.number, v.unit, hit, cell.sentence, v.qualifier)


def _extension_cell(ctx: Context, slug: str, key: str):
    """The value a region states as an increase of the benefit (增加60天产假 under 延长产假) when it states no total:
    that side then shows its increase instead of "没有规定具体的天数"."""
    try:
        ext = ctx.lexicon.get(key).extension if ctx.lexicon is not None else ""
    except KeyError:
        return None
    if not ext or ext not in ctx.table.benefit_keys:
        return None
    cell = ctx.table.get(slug, ext)
    return cell if cell.status == "value" else None


def _asked(ctx: Context) -> tuple[str, ...]:
    """The question's own words: they pick the item among the benefit's wider terms (婴儿死亡率 in a list)."""
    return tuple(w for w in ctx.q.words if len(w) >= 2)


def values(ctx: Context, slugs: list[str]) -> list[Value]:
    terms = ctx.focus_terms() or tuple(w for w in ctx.q.words if len(w) >= 2)
    out = []
    for slug in slugs:
        tabled = from_table(ctx, slug, terms)
        if tabled is not None:
            out.append(tabled)
            continue
        ev = ctx.evidence(slug)
        if ev.ex is None:
            out.append(Value(slug, "", None, "", None, ""))
            continue
        text, number, unit = "", None, ""
        sentence = ""
        for sent in ev.ex.sentences:
            text, number, unit = value_in(sent, terms, ctx.what(), _asked(ctx))
            if number is not None:
                sentence = sent
                break
        hit = ev.ex.hit
        if number is None:
            found = deeper_value(ctx, slug, hit)
            if found is not None:
                hit, sentence, text, number, unit = found
            else:
                sentence = ev.ex.sentences[0]
        out.append(Value(slug, text, number, unit, hit, sentence))
    return out


DEEPER = 4  # clauses of a region searched for the asked figure when the best one has none


def deeper_value(ctx: Context, slug: str, best: Hit):
    """(hit, sentence, part, number, unit) from one of the region's next clauses whose sentence gives a number
    for a word of the question itself (托位 in 谁的托位多 -> 每千人口拥有…托位数达到4.6个), else None: the best
    clause often holds the goal's wording (普惠托育服务体系基本形成) and a nearby one its figure."""
    words = tuple(w for w in ctx.q.words if len(w) >= 2 and not any(c.isdigit() for c in w))
    if not words:
        return None
    for hit in ctx.ranked(slug, DEEPER):
        if hit.chunk.id == best.chunk.id:
            continue
        for sent in chunk_sentences(hit.chunk.text):
            text, number, unit = value_in(sent, words, ctx.what())
            if number is not None and (not ctx.what() or UNIT_KIND.get(unit) == ctx.what()):
                return hit, sent, text, number, unit
    return None


def verdict(ctx: Context, vals: list[Value]) -> str:
    """The first sentence: who has more, or exactly why the values cannot be compared. Both sides stating a
    figure of the same kind always conclude (a floor or cap is said, not a reason to stop)."""
    missing = [v for v in vals if v.hit is None]
    no_number = [v for v in vals if v.hit is not None and v.number is None]
    have = [v for v in vals if v.number is not None]
    what = ctx.what() or (UNIT_KIND.get(have[0].unit, "") if have else "")
    if missing and not have:
        return M.COMPARE_NO_VERDICT.format(
            reason=M.COMPARE_REASON_MISSING.format(regions="、".join(ctx.name(v.region) for v in missing))
        )
    if len(have) < 2:
        return M.COMPARE_NO_VERDICT.format(
            reason=_reason_not_stated(ctx, vals, have, no_number, missing, what)
        )
    shown = "，".join(M.COMPARE_VALUE.format(region=ctx.name(v.region), value=v.text) for v in have)
    years = {v.region: year_of(ctx, v) for v in have}
    if len({y for y in years.values() if y}) > 1:  # a 2025 target is no rival of a 2035 one
        # the years are not named: a year read from an earlier clause is no number of the cited one
        return M.COMPARE_NO_VERDICT.format(reason=M.COMPARE_REASON_YEARS.format(values=shown))
    kinds = {UNIT_KIND.get(v.unit) for v in have}
    if len(kinds) > 1 or "tiers" in kinds or len({v.period for v in have}) > 1 or _mixed_base(have):
        return M.COMPARE_NO_VERDICT.format(reason=M.COMPARE_REASON_UNITS.format(values=shown))
    if have[0].unit in RATES:
        return _rate_verdict(ctx, have, shown)
    ordered = sorted(have, key=lambda v: -v.size)
    top, second = ordered[0], ordered[1]
    if all(v.size == top.size and v.least == top.least for v in have):
        regions = "、".join(ctx.name(v.region) for v in have)
        if any(v.cap or v.floor for v in have) and len({(v.cap, v.floor) for v in have}) > 1:
            if any(v.cap for v in have):  # a cap beside a floor or a plain figure: the order is open
                return M.COMPARE_NO_VERDICT.format(reason=M.COMPARE_REASON_QUALIFIER.format(values=shown))
            floors = "、".join(ctx.name(v.region) for v in have if v.floor)
            return M.COMPARE_VERDICT_SAME_NUMBER.format(
                regions=regions, benefit=_label(ctx, top), values=shown, floors=floors
            )
        return M.COMPARE_VERDICT_SAME.format(regions=regions, benefit=_label(ctx, top), values=shown)
    if top.least <= second.size:
        return M.COMPARE_NO_VERDICT.format(reason=M.COMPARE_REASON_QUALIFIER.format(values=shown))
    adj = M.ADJ_MORE.get(UNIT_KIND.get(top.unit, ""), M.ADJ_MORE[""])
    head = M.MOST_HEAD if ctx.q.superlative else ""
    line = M.COMPARE_VERDICT_MORE.format(
        winner=ctx.name(top.region), benefit=_label(ctx, top), adj=adj, values=shown
    )
    line = line.rstrip("。") + _bound_note(ctx, top, ordered[1:]) + "。"
    unstated = no_number + missing
    if unstated:
        regions = "、".join(ctx.name(v.region) for v in unstated)
        line += M.COMPARE_ALSO_UNSTATED.format(regions=regions, what=M.NO_NUMBER_WHAT.get(what, "标准"))
    return head + line


def _rate_verdict(ctx: Context, have: list[Value], shown: str) -> str:
    """Rate targets (死亡率 8/10万以下 against 14.5/10万以下): the lower is the stricter goal."""
    if len({v.unit for v in have}) > 1:
        return M.COMPARE_NO_VERDICT.format(reason=M.COMPARE_REASON_UNITS.format(values=shown))
    low = min(have, key=lambda v: v.size)
    if all(v.size == low.size for v in have):
        regions = "、".join(ctx.name(v.region) for v in have)
        return M.COMPARE_VERDICT_SAME.format(regions=regions, benefit="目标", values=shown)
    return M.COMPARE_VERDICT_STRICTER.format(winner=ctx.name(low.region), values=shown)


def year_of(ctx: Context, v: Value) -> str:
    """The target year the value's sentence speaks under (到2035年 may stand sentences or clauses before it)."""
    if v.hit is None:
        return ""
    sents = chunk_sentences(v.hit.chunk.text)
    if v.sentence not in sents:
        found = YEAR.findall(v.sentence)
        return found[0] if found else ""
    return periods(sents, ctx.year_before(v.hit.chunk))[sents.index(v.sentence)]


def _label(ctx: Context, v: Value) -> str:
    """The benefit compared, by its lexicon name; the kind of figure when the question names none."""
    if ctx.q.benefits:
        return ctx.q.benefits[0]
    return M.COMPARE_WHAT_LABEL.get(UNIT_KIND.get(v.unit, ""), M.COMPARE_WHAT_LABEL[""])


def _mixed_base(have: list[Value]) -> bool:
    """An increase (增加60天) and a total (产假180天) measure different things."""
    return len({v.relative for v in have}) > 1


def _bound_note(ctx: Context, top: Value, rest: list[Value]) -> str:
    """The qualifier that could still change the order, said after the verdict: a cap on the winner, a floor on
    a side that lost."""
    if top.cap:
        return M.COMPARE_NOTE_CAP.format(region=ctx.name(top.region), value=top.text)
    floor = next((v for v in rest if v.floor), None)
    if floor is not None:
        return M.COMPARE_NOTE_FLOOR.format(region=ctx.name(floor.region), value=floor.text)
    return ""


def _reason_not_stated(ctx: Context, vals, have, no_number, missing, what: str) -> str:
    """Why there is no verdict when fewer than two sides state a figure: which side states none (or only one
    states one), and, to 一样吗, that the rules differ."""
    regions = "、".join(ctx.name(v.region) for v in (no_number or missing))
    what_name = M.NO_NUMBER_WHAT.get(what, "标准")
    if len(have) == 1 and len(vals) > 1:
        what_name = M.NO_NUMBER_WHAT.get(UNIT_KIND.get(have[0].unit, ""), what_name)
        reason = M.COMPARE_REASON_ONLY.format(region=ctx.name(have[0].region), what=what_name, others=regions)
    else:
        reason = (M.COMPARE_REASON_NO_NUMBER if no_number else M.COMPARE_REASON_MISSING).format(
            regions=regions, what=what_name
        )
    quoted = {v.sentence for v in vals if v.hit is not None}
    if SAMENESS.search(ctx.q.topic) and len(quoted) > 1:
        reason += M.COMPARE_REASON_DIFFER
    return reason


def asks_no_figure(ctx: Context) -> bool:
    """一样吗 about a rule that has no figure (评先进还看不看生育情况, 公租房给的照顾): there is nothing to order, so each
    side's rule is shown whole rather than a figure that is not asked for (the 15天 of a neighbouring clause)."""
    if ctx.q.asks_quantity or not SAMENESS.search(ctx.q.topic):
        return False
    return all(getattr(b, "unit", "none") == "none" for b in ctx.benefits())


def _listed_apart(ctx: Context, slugs: list[str], said: dict[str, str]) -> list[str]:
    """Two plans listing the same measures: the items one lists and the other does not, in the plans' words."""
    if len(slugs) != 2:
        return []
    (a, b), out = slugs, []
    for mine, other in ((a, b), (b, a)):
        extra = enumeration.extras(enumeration.items(said[mine]), enumeration.items(said[other]))
        if extra:
            out.append(
                M.COMPARE_LIST_EXTRA.format(
                    region=ctx.docs[mine].name, items="、".join(extra), other=ctx.docs[other].name
                )
            )
    return out


def side_by_side(ctx: Context, slugs: list[str]) -> Answer:
    """Each region's answering sentences under one head line that draws no conclusion the claims cannot carry."""
    lines, cites, highlights, answered = [], [], {}, []
    for slug in slugs:
        doc, ev = ctx.docs[slug], ctx.evidence(slug)
        if ev.ex is None:
            lines.append(M.COMPARE_SIDE_NONE.format(region=doc.name))
            continue
        hit = Hit(ev.ex.hit.chunk, ev.ex.hit.score, rank=len(cites) + 1)
        cites.append(hit)
        answered.append(slug)
        highlights[hit.chunk.id] = list(ev.ex.sentences)
        draft = M.DRAFT_TAG if doc.is_draft else ""
        fact_text = "".join(finish(s) for s in ev.ex.sentences)
        lines.append(M.COMPARE_LINE.format(region=doc.name, draft=draft, fact=fact_text, n=hit.rank))
    if not cites:
        return fact.multi(ctx, slugs)
    quoted = {"".join(highlights[h.chunk.id]) for h in cites}
    # the wording either is the same or is not: literally true, and no judgement of which rule is better
    head = M.COMPARE_SIDE_SAME if len(quoted) == 1 and len(cites) == len(slugs) else M.COMPARE_SIDE_HEAD
    lines += _listed_apart(
        ctx, answered, {s: "".join(highlights[h.chunk.id]) for s, h in zip(answered, cites)}
    )
    ans = finish_answer(ctx, "\n".join([head, *lines]), cites, answered, highlights, ctx.q.kind)
    ans.region = None
    return ans


def _same_year(ctx: Context, vals: list[Value]) -> list[Value]:
    """Each side's figure for one target year when their clauses hold several (北京 2025年4.5个 against 通化's
    2035 8个左右 while 通化 also states 4.5个 for 2025): the year asked, else the earliest year either side names."""
    years = {v.region: year_of(ctx, v) for v in vals if v.number is not None}
    named = {y for y in years.values() if y}
    if len(named) <= 1:
        return vals
    asked = YEAR.findall(ctx.q.topic)
    target = asked[0] if asked else min(named)
    return [
        (_value_for_year(ctx, v, target) or v) if years.get(v.region, target) not in ("", target) else v
        for v in vals
    ]


def _value_for_year(ctx: Context, v: Value, year: str) -> Value | None:
    """The value of the same kind that `v`'s clause states for `year`, or None."""
    terms = ctx.focus_terms() or tuple(w for w in ctx.q.words if len(w) >= 2)
    for chunk in _same_heading(ctx, v.hit.chunk):
        sents = chunk_sentences(chunk.text)
        for sent, period in zip(sents, periods(sents, ctx.year_before(chunk))):
            if period != year:
                continue
            text, number, unit = value_in(sent, terms, ctx.what(), _asked(ctx))
            if number is not None and UNIT_KIND.get(unit) == UNIT_KIND.get(v.unit):
                hit = v.hit if chunk.id == v.hit.chunk.id else Hit(chunk, v.hit.score)
                return Value(v.region, text, number, unit, hit, sent)
    return None


def _same_heading(ctx: Context, chunk) -> list:
    """The clause and the pieces of the same heading around it (a long 发展目标 is cut into several clauses, the
    2025 figures in one and the 2035 ones in the next)."""
    row = ctx.row.get(chunk.id)
    if row is None:
        return [chunk]
    near = ctx.index.chunks[max(0, row - 3) : row + 4]
    return [chunk] + [
        c for c in near if c.id != chunk.id and c.slug == chunk.slug and c.section == chunk.section
    ]


def compose(ctx: Context, slugs: list[str]) -> Answer:
    if asks_no_figure(ctx):
        return side_by_side(ctx, slugs)
    vals = _same_year(ctx, values(ctx, slugs))
    if all(v.hit is None for v in vals):
        return refuse.off_topic(ctx.q.raw, ctx.docs) if not ctx.q.regions else fact.multi(ctx, slugs)
    what = M.NO_NUMBER_WHAT.get(ctx.what(), "标准")
    lines, cites, highlights, answered = [verdict(ctx, vals)], [], {}, []
    for v in vals:
        doc = ctx.docs[v.region]
        draft = M.DRAFT_TAG if doc.is_draft else ""
        if v.hit is None:
            lines.append(M.REGION_NOT_FOUND.format(region=doc.name))
            continue
        hit = Hit(v.hit.chunk, v.hit.score, rank=len(cites) + 1)
        cites.append(hit)
        answered.append(v.region)
        highlights[hit.chunk.id] = [v.sentence]
        if v.number is None:
            line = M.COMPARE_UNSPECIFIED.format(
                region=doc.name,
                draft=draft,
                benefit=ctx.thing(),
                what=what,
                sentence=finish(v.sentence).rstrip("。"),
                n=hit.rank,
            )
        else:
            line = M.COMPARE_LINE.format(region=doc.name, draft=draft, fact=finish(v.sentence), n=hit.rank)
        lines.append(line)
    ans = finish_answer(ctx, "\n".join(lines), cites, answered, highlights, ctx.q.kind)
    ans.region = None
    return ans
