"""What every composer reads: the question record, the retrieval scores, per-region evidence, and the short
helpers that turn evidence into citizen-facing lines. Built once per question by the assistant."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .. import messages as M
from ..benefits import claims as C
from ..ingest.chunker import chunk_sentences, split_sentences
from ..models import Answer, Document, Hit
from ..question.query import expansions, synonyms
from ..question.record import Question, states_figure
from ..text.normalize import normalize_query
from . import ages, aspects
from .extract import YEAR, Extract, extract, finish, periods
from .gate import Thresholds, benefit_terms, passes


@lru_cache(maxsize=1024)
def clause_benefits(lexicon, text: str) -> dict[str, frozenset[str]]:
    """Lexicon keys each sentence of a clause names, read with the sentence before it as context: a bare 护理假
    right after a sentence on parents in hospital is 独生子女护理假, after one on births the spouse's leave.
    (The whole clause is too wide a context: one clause may list both.) Clause texts are fixed: read once."""
    out, prev = {}, ""
    for sent in chunk_sentences(text):
        p, n = normalize_query(prev), normalize_query(sent)
        out[sent] = frozenset(m.benefit.key for m in lexicon.matches(p + n) if m.start >= len(p))
        prev = sent
    return out


SENSE_DEPTH = (
    6  # clauses of a region searched for the benefit itself when the best ones speak of a look-alike
)
RELATED_DEPTH = 12  # clauses searched for one on the benefit asked, shown as related when none answers


@dataclass
class Evidence:
    slug: str
    ex: Extract | None  # best extract, None when no clause of the region passes the gate
    near: Extract | None = None  # best extract whatever the gate said (the nearest related measure)


@dataclass
class Context:
    """Per-question state shared by the composers (the assistant builds it; composers never retrieve)."""

    q: Question
    docs: dict[str, Document]
    retriever: object
    scored: object
    index: object
    idf: dict[str, float]
    thresholds: Thresholds
    row: dict[str, int]
    lexicon: object = None
    table: object = None
    _evidence: dict = field(default_factory=dict)

    # ---- retrieval views -------------------------------------------------------------------------------
    def ranked(self, slug: str, k: int) -> list[Hit]:
        return self.retriever.rank(self.scored, [slug], k)

    def dense(self, hit: Hit) -> float | None:
        if self.retriever.mode == "bm25":
            return None
        return float(self.scored.dense[self.row[hit.chunk.id]])

    def sims(self, hit: Hit):
        if self.scored.query_vector is None:
            return None
        i = self.row[hit.chunk.id]
        a, b = self.index.sentence_offsets[i], self.index.sentence_offsets[i + 1]
        return self.index.sentence_vectors[a:b] @ self.scored.query_vector

    def clause_tokens(self, chunk):
        return self.index.tokens[self.row[chunk.id]]

    def benefits(self) -> list:
        if self.lexicon is None:
            return []
        out = []
        for key in self.q.benefits:
            try:
                out.append(self.lexicon.get(key))
            except KeyError:
                continue
        return out

    def focus_terms(self) -> tuple[str, ...]:
        return tuple(t for b in self.benefits() for t in benefit_terms(b))

    def names_asked(self, chunk, sentences=None) -> bool:
        """Some sentence of the clause (or the given ones of it) speaks of a benefit the question names, as the
        lexicon reads it in context (clause_benefits)."""
        if self.lexicon is None or not self.q.benefits:
            return False
        per = clause_benefits(self.lexicon, chunk.text)
        asked = set(self.q.benefits)
        return any(asked & per.get(s, frozenset()) for s in (sentences if sentences is not None else per))

    def _plan_phrase(self, hits: list[Hit], ex):
        """The clause that says, verbatim, the plan phrase of one measure (benefits.toml [measures]) the question
        names or its everyday words stand for (在自己家里开个小托育点 -> 家庭托育), when the best clauses do not."""
        if ex is None:
            return None
        measures = getattr(self.lexicon, "measures", ())
        implied = expansions(self.q.topic)
        phrases = [m for m in measures if m in implied or m in self.q.topic]
        if not phrases or any(p in "".join(ex.sentences) for p in phrases):
            return None
        for h in hits:
            if any(p in h.chunk.text for p in phrases):
                cand = self.extract_from([h])
                if any(p in "".join(cand.sentences) for p in phrases):
                    return cand
        return None

    def table_sentence(self, slug: str, key: str):
        """(hit, sentence) of the region's row of the benefits table for `key`, None when it states nothing."""
        table = self.table
        if not key or table is None or key not in getattr(table, "benefit_keys", ()):
            return None
        cell = table.get(slug, key)
        if cell.status == "未规定" or not cell.sentence or cell.clause_id not in self.row:
            return None
        return Hit(self.index.chunks[self.row[cell.clause_id]], 0.0, rank=1), cell.sentence

    def shows_near(self, near) -> bool:
        """A nearest clause is worth showing as related: it shares a question term, or speaks of the benefit asked
        (差异化购房优惠 for 多买一套房, reached through the lexicon, not a shared word)."""
        if near is None:
            return False
        return near.term_idf > 0.0 or self.names_asked(near.hit.chunk, near.sentences)

    def _focus(self, hits: list[Hit]):
        if self.lexicon is None or not self.q.benefits:
            return None
        asked, per, whole = set(self.q.benefits), {}, set()
        for h in hits:
            per.update(clause_benefits(self.lexicon, h.chunk.text))
            named = {b.key for b in self.lexicon.find(h.chunk.section.split(" > ")[-1])}
            if named and named <= asked:  # a heading naming several benefits (…育儿假和照护假) heads several
                # a clause headed by the benefit (加强计划生育特殊家庭保障) speaks of it in every sentence: 完善“暖心
                # 计划”综合保险 is about those families although it does not name them again
                whole.update(chunk_sentences(h.chunk.text))
        return lambda sentence: sentence in whole or bool(asked & per.get(sentence, frozenset()))

    def extract_from(self, hits: list[Hit], max_sentences: int = 2) -> Extract:
        sims = [self.sims(h) for h in hits] if self.scored.query_vector is not None else None
        return extract(
            hits,
            self.q.query,
            self.idf,
            sims,
            max_sentences,
            wants_number=self.q.asks_quantity,
            clause_tokens=self.clause_tokens,
            focus=self._focus(hits),
            asked=frozenset(self.q.benefits),
            named_in=self._named_in if self.lexicon is not None else None,
            year_before=self.year_before,
        )

    def year_before(self, chunk) -> str:
        """The target year in force where `chunk` begins: the last one named in the clauses before it under the
        same heading (a long 总体目标 is cut into several clauses; 到2035年 may stand in the previous one)."""
        row = self.row.get(chunk.id)
        for back in range(1, 4):
            if row is None or row - back < 0:
                return ""
            prev = self.index.chunks[row - back]
            if prev.slug != chunk.slug or prev.section != chunk.section:
                return ""
            years = YEAR.findall(prev.text)
            if years:
                return years[-1]
        return ""

    def place_limit(self, ex: Extract) -> str:
        """What the quoted rule is limited to, said before it: another district (M.PLACE_LIMITED) or another
        target year than the one asked (M.OTHER_YEAR: 到2035年…8个 over the plan's 2025 target)."""
        return self._place_limit(ex) + self._year_limit(ex)

    def _year_limit(self, ex: Extract) -> str:
        found = YEAR.search(self.q.text)
        if not found:
            return ""
        sents = chunk_sentences(ex.hit.chunk.text)
        period = dict(zip(sents, periods(sents, self.year_before(ex.hit.chunk))))
        said = {period.get(s, "") for s in ex.sentences} - {""}
        if not said or found.group(1) in said:
            return ""
        return M.OTHER_YEAR.format(asked=found.group(1), said="、".join(sorted(said)))

    def _place_limit(self, ex: Extract) -> str:
        """M.PLACE_LIMITED when the question names a district of the plan's region (黄岛区) and the rule quoted
        names other districts of it but not that one (在市南区、市北区…范围内), else ""."""
        doc = self.docs.get(ex.hit.chunk.slug)
        if doc is None or not self.q.places:
            return ""
        own = {doc.region_name, doc.short_name}
        districts = [a for a in doc.aliases if len(a) >= 2 and a not in own]
        text = "".join(ex.sentences)
        named = [d for d in districts if d in text]
        listed = [d for d in named if not any(d != o and d in o for o in named)]  # 黄岛 inside 黄岛区: once
        asked = [p for p in self.q.places if p in districts]
        if not listed or not asked or any(a in d or d in a for a in asked for d in listed):
            return ""
        return M.PLACE_LIMITED.format(place=asked[0], places="、".join(listed))

    def _named_in(self, parts: list[str]) -> list[frozenset[str]]:
        """Lexicon keys each comma-separated part of one sentence names, read with the parts before it."""
        out = []
        for i, part in enumerate(parts):
            p, n = normalize_query("".join(parts[:i])), normalize_query(part)
            out.append(frozenset(m.benefit.key for m in self.lexicon.matches(p + n) if m.start >= len(p)))
        return out

    def relevant(self, ex: Extract) -> bool:
        if not passes(ex, self.thresholds, self.dense(ex.hit)) and not self._in_plan_words(ex):
            return False
        # sense rule: when the question names a benefit, the clause (read as a whole, so a bare 护理假 is read in
        # its context) and the answering sentences must name it, not a look-alike
        if not self.q.benefits or self.lexicon is None:
            return True
        return self.names_asked(ex.hit.chunk, ex.sentences) or self.says_specific(ex.sentences)

    def says_specific(self, sentences) -> bool:
        """The sentences say the one thing asked under a heading benefit in the plans' words (婚检 in 推进婚前孕前
        保健服务: claims.toml settled_by), though the lexicon reads no benefit there."""
        said = "".join(sentences)
        settled = C.data().get("specifics", {}).get("settled_by", {})
        terms = [t for b in self.benefits() for t in b.specific if t in self.q.topic]
        return any(t in said or any(w in said for w in settled.get(t, ())) for t in terms)

    def _in_plan_words(self, ex: Extract) -> bool:
        """The answering sentence says the benefit asked in the plans' own wording (休假期间工资照发吗 over
        其他假期待遇保障均由用工单位承担): no word of the question need be in it, as the dense score agrees."""
        said = "".join(ex.sentences)
        dense = self.dense(ex.hit)
        if dense is not None and dense < self.thresholds.dense:
            return False
        return any(len(w) >= 4 and w in said for b in self.benefits() for w in b.wordings)

    def evidence(self, slug: str) -> Evidence:
        """The region's answering extract. When the top clauses speak of a look-alike of the benefit asked, the
        next clauses that name the benefit itself are tried (SENSE_DEPTH of them)."""
        if slug not in self._evidence:
            hits = self.ranked(slug, RELATED_DEPTH)
            ex = self.extract_from(hits[:2]) if hits else None
            ex = self._plan_phrase(hits[:SENSE_DEPTH], ex) or ex
            found = ex if ex and self.relevant(ex) else None
            near = ex
            if found is None and ex is not None and self.q.benefits and self.lexicon is not None:
                named = None
                for i, h in enumerate(hits):
                    if self.names_asked(h.chunk):
                        cand = self.extract_from([h])
                        if i < SENSE_DEPTH and self.relevant(cand):
                            found = cand
                            break
                        named = named or cand
                # the related clause shown beside "not stated" speaks of the benefit asked (多买一套房 → 购房优惠)
                # when one does, not of a word the question only mentions on the way (生了三胎)
                if named is not None and not self.names_asked(ex.hit.chunk, ex.sentences):
                    near = named
            self._evidence[slug] = Evidence(slug, found, near)
        return self._evidence[slug]

    # ---- wording helpers -------------------------------------------------------------------------------
    def name(self, slug: str) -> str:
        return self.docs[slug].name

    def what(self) -> str:
        """The kind of quantity asked (天数 / 金额 / 比例), from the wording or else the benefit's unit."""
        if self.q.wants:
            return self.q.wants
        for b in self.benefits():
            if getattr(b, "unit", "") in M.NO_NUMBER_WHAT:
                return b.unit
        return ""

    def fact(self, ex: Extract) -> str:
        """The answering fact: a complete lead, then any other chosen sentence; never the lead twice."""
        # the kind the wording asks (多少钱 → 金额) must be stated; a bare 多少 takes any figure (提高10万元)
        if self.q.asks_quantity and not (
            ex.has_number and states_figure(self.q.wants, "".join(ex.sentences))
        ):
            return M.NO_NUMBER.format(
                sentence=finish(ex.sentences[0]).rstrip("。"), what=M.NO_NUMBER_WHAT.get(self.what(), "标准")
            )
        core = ex.lead.rstrip("。")
        rest = [finish(s) for s in ex.sentences if core not in s and s.rstrip("。；;") not in ex.lead]
        if aspects.speaking(self.q.topic, [ex.lead]):
            return ex.lead + "".join(rest)
        first = aspects.speaking(self.q.topic, rest)
        if first:  # 60天产假 单位还照发工资不: the pay sentence answers, the days follow
            return first + ex.lead + "".join(r for r in rest if r != first)
        quoted = "".join(ex.sentences)
        beside = aspects.stated_beside(self.q.topic, quoted, split_sentences(ex.hit.chunk.text))
        if beside:  # 员工休婚假 工资谁出: the clause's sentence on pay answers, the days follow
            return finish(beside[0]) + ex.lead + "".join(rest)
        return ex.lead + "".join(rest)

    def thing(self) -> str:
        """What the question asks about, in its own words (for "方案中没有提到…")."""
        if self.q.benefits:
            return self._specific_thing() or self.q.benefits[0]
        return _cover(self.q.topic, self.q.words) or "这方面的内容"

    def _specific_thing(self) -> str:
        """The one thing asked under a heading benefit, as the question writes it (HPV疫苗, not 妇幼健康): a plan
        that never mentions HPV疫苗 may well speak of 妇幼健康."""
        topic = self.q.topic
        spans = [
            (m.start(), m.end())
            for b in self.benefits()
            for t in b.specific
            for m in re.finditer(re.escape(t), topic)
        ]
        if not spans:
            return ""
        thing = topic[min(a for a, _ in spans) : max(b for _, b in spans)]
        return re.sub(r"[a-z]+", lambda m: m.group().upper(), thing)

    def lead_lines(self, slugs) -> list[str]:
        return lead_lines(self.q.scope, self.docs, slugs)

    def scope_lines(self, slugs) -> list[str]:
        return scope_lines(self.q.scope, self.docs, slugs)


def _cover(topic: str, words) -> str:
    """The question's words as the question writes them, overlaps merged (the tokenizer's 双胞 / 胞胎 / 双胞胎 read
    as 双胞胎, never 双胞胞胎双胞胎); words not found in the topic are appended once."""
    spans, extra = [], []
    for w in dict.fromkeys(words):
        i = topic.find(w)
        if i < 0:
            extra.append(w)
        else:
            spans.append((i, i + len(w)))
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return "".join(topic[a:b] for a, b in merged) + "".join(extra)


def _on_the_thing(ctx: Context, regions) -> str:
    """The sentences of the answered plans that name one of the question's own words (婚检): where a plan-wide
    aspect is looked for."""
    asked = [p for a in aspects.asked(ctx.q.topic) for p in (a.asked, a.stated)]
    # the thing asked in the plans' words: not the aspect's own word (免费), nor a word no plan uses (听说)
    words = [
        w
        for w in ctx.q.words
        if len(w) >= 2 and ctx.idf.get(w, 0) > 0 and not any(p.search(w) for p in asked)
    ]
    # and the plans' other words for it (婚前检查 -> 婚检 in 推行免费婚检孕检制度)
    topic = ctx.q.topic
    words += [
        v
        for term, variants in synonyms()
        if words and (term in topic or any(v in topic for v in variants if len(v) >= 2))
        for v in (term, *variants)
        if len(v) >= 2 and not any(p.search(v) for p in asked)
    ]
    out = []
    for chunk in ctx.index.chunks:
        if chunk.slug in regions and any(w in chunk.text for w in words):
            out += [s for s in chunk_sentences(chunk.text) if any(w in s for w in words)]
    return "".join(out)


def lead_lines(notes, docs, slugs) -> list[str]:
    """Said before the answer: a place whose own plan is not held, answered from its province's (issue 25)."""
    out = []
    for note in notes:
        if note.kind == "own" and note.slug in slugs:
            where = M.NO_OWN_WHERE.get(note.asked[-1], M.NO_OWN_WHERE_ELSE)
            out.append(M.NO_OWN_PLAN.format(place=note.asked, plan=docs[note.slug].name, where=where))
    return out


def scope_lines(notes, docs, slugs) -> list[str]:
    """The scope note of each place asked that lies below, beside or above the plan answering (the question's
    `scope`), for the plans in `slugs`; a place without its own plan is said before the answer (lead_lines)."""
    out = []
    for note in notes:
        if note.slug not in slugs or note.kind == "own":
            continue
        doc = docs[note.slug]
        if note.kind == "parent":
            out.append(M.SCOPE_PARENT.format(asked=note.asked, plan=doc.name))
        elif note.kind == "within" and not doc.scope:
            out.append(M.SCOPE_WITHIN.format(asked=note.asked, plan=doc.name))
        else:
            out.append(M.SCOPE_NEARBY.format(asked=note.asked, scope=doc.scope or doc.name))
    return out


def cite(ex: Extract, n: int) -> Hit:
    return Hit(ex.hit.chunk, ex.hit.score, rank=n)


def basis(doc: Document, hit: Hit) -> str:
    return M.BASIS.format(title=doc.title, section=hit.chunk.section, n=hit.rank)


def next_step(doc) -> str:
    """Who to ask next: the plan's issuing government (documents.toml `issuer`), else the 12345 hotline."""
    body = next((p for p in reversed(doc.issuer.split()) if p.endswith("政府")), "")
    return M.NEXT_STEP.format(issuer=body) if body else M.NEXT_STEP_HOTLINE


def _aspect_lines(ctx: Context, text: str, cites: list[Hit], regions: list[str], highlights) -> list[str]:
    """The sentence saying what the plan does not state of what is asked (去哪申请 / 带什么材料), and where to ask;
    nothing when the quoted sentences speak of it (aspects.toml): a clause whose other sentence names 户籍 for
    another benefit does not settle a 外地户口 question about this one."""
    quoted = "".join("".join(highlights.get(h.chunk.id) or (h.chunk.text,)) for h in cites)
    elsewhere = _on_the_thing(ctx, regions) if aspects.plan_wide(ctx.q.topic) else ""
    beside = [
        s
        for h in cites
        for s in aspects.stated_beside(ctx.q.topic, quoted, split_sentences(h.chunk.text))
        if s.rstrip("。；;") not in text
    ]
    if beside:
        return [M.ASPECT_BESIDE.format(said="".join(dict.fromkeys(beside)))]
    what = aspects.unstated(ctx.q.topic, quoted, elsewhere)
    if not what:
        return []
    lines = [M.ASPECT_UNSTATED.format(what=what)]
    if M.NEXT_STEP_HOTLINE[:8] not in text:
        lines.append(next_step(ctx.docs[regions[0]]) if len(regions) == 1 else M.NEXT_STEP_HOTLINE)
    return lines


def finish_answer(
    ctx: Context, text: str, cites: list[Hit], regions: list[str], highlights, kind: str
) -> Answer:
    """Adds the no-own-plan lead, the not-stated aspect, scope and draft notes once, in the same order everywhere."""
    quoted = "".join("".join((highlights or {}).get(h.chunk.id) or (h.chunk.text,)) for h in cites)
    limit = ages.outside(ctx.q.topic, quoted)
    lines = [
        *ctx.lead_lines(regions),
        text,
        *([M.AGE_OUTSIDE.format(limit=limit)] if limit else []),
        *([M.ONLY_FOR.format(who=only)] if (only := aspects.restricted(ctx.q.topic, quoted)) else []),
        *_aspect_lines(ctx, text, cites, regions, highlights or {}),
        *ctx.scope_lines(regions),
    ]
    drafts = [s for s in regions if ctx.docs[s].is_draft]
    if drafts and len(regions) == 1:
        lines.append(M.DRAFT_NOTE)
    elif drafts:
        lines.append(M.DRAFT_MANY)
    region = regions[0] if len(regions) == 1 else None
    return Answer(
        question=ctx.q.raw,
        answer="\n".join(lines),
        refused=False,
        region=region,
        citations=cites,
        regions=list(regions),
        highlights=highlights,
        kind=kind,
    )
