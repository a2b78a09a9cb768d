"""Questions about a plan itself: when it was issued, by whom, its document number, whether it is final, its name.

These are answered from seeds/documents.toml (the record every plan is indexed from), not from a clause: no clause
of a plan says "this plan was issued on …", so retrieval could only return a neighbouring clause (issue 22: 贵州的方案
什么时候开始实施 got a clause on 2025 targets). A field the record leaves empty is said to be empty, never guessed.
The rules that recognise such questions are data (rag/data/meta.toml); see that file for why a match must leave
nothing but plan words behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .. import messages as M
from ..config import tomllib
from ..models import Answer, Chunk, Document, Hit

FIELDS = (
    "title",
    "issuer",
    "date",
    "doc_number",
    "status",
    "validity",
)  # the order answer lines are written in
_FILLER = re.compile(r"[\s,，。.?？!！、:：;；~～\"“”'‘’（）()]+")
# a sentence of the plan that sets its own start date (自印发之日起施行 / 自2022年1月1日起实施)
_IN_FORCE = re.compile(r"[^。；;\n]*自[^。；;\n]{0,30}起(?:施行|实施|执行|生效)[^。；;\n]*[。；;]?")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# a document number written in the question (文号是鲁发〔2022〕14号吧): a claim to check, not words to understand
DOC_NUMBER = re.compile(
    r"(?:(?![文号是为的])[\u4e00-\u9fff]){0,6}[发字函][〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\s*\d{1,4}\s*号"
)


@dataclass(frozen=True)
class MetaRules:
    fields: tuple[tuple[str, tuple[re.Pattern, ...]], ...]
    rest: re.Pattern


@lru_cache(maxsize=1)
def rules() -> MetaRules:
    with (resources.files("rag.data") / "meta.toml").open("rb") as fh:
        data = tomllib.load(fh)
    fields = tuple((f["name"], tuple(re.compile(p) for p in f["patterns"])) for f in data["field"])
    unknown = {name for name, _ in fields} - set(FIELDS)
    if unknown:
        raise ValueError(f"rag/data/meta.toml names unknown fields: {sorted(unknown)}")
    words = sorted(data["rest"]["words"].split("|"), key=len, reverse=True)
    return MetaRules(fields, re.compile("|".join(map(re.escape, words))))


def asked(topic: str, titles: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The metadata fields a question asks for, or () when it asks about anything else as well. `titles`: the
    plans' titles, whose words name the plan (那个优化生育的方案)."""
    r = rules()
    found, rest = (["doc_number"] if DOC_NUMBER.search(topic) else []), DOC_NUMBER.sub(" ", topic)
    for name, patterns in r.fields:
        for p in patterns:
            if p.search(rest):
                found.append(name)
                rest = p.sub(" ", rest)
    if not found or _FILLER.sub("", r.rest.sub("", _without_title_words(rest, titles))):
        return ()
    return tuple(f for f in FIELDS if f in found)


def _without_title_words(text: str, titles: tuple[str, ...]) -> str:
    """`text` without its runs of two characters or more that stand in a plan's title (longest first)."""
    out, i, longest = [], 0, max(map(len, titles), default=0)
    while i < len(text):
        top = min(len(text), i + longest)
        j = next((j for j in range(top, i + 1, -1) if any(text[i:j] in t for t in titles)), None)
        if j is None:
            out.append(text[i])
            i += 1
        else:
            i = j
    return "".join(out)


def cn_date(value: str) -> str:
    """2021-12-19 -> 2021年12月19日 (other spellings are shown as written)."""
    m = _ISO_DATE.match(value.strip())
    return f"{m[1]}年{int(m[2])}月{int(m[3])}日" if m else value.strip()


def _date_lines(doc: Document) -> list[str]:
    if not doc.date:
        return [M.META_DATE_EMPTY]
    rule = _IN_FORCE.search(doc.text or "")
    tail = M.META_DATE_RULE.format(sentence=rule.group().strip()) if rule else M.META_DATE_NO_RULE
    return [M.META_DATE.format(date=cn_date(doc.date)), tail]


def _number_lines(doc: Document, claimed: str) -> list[str]:
    """The document number, checked against one the question asserts: a number the plan quotes for another
    document (the province's notice it implements) is named as that, so the citizen sees where it came from."""
    if not claimed:
        return [M.META_NUMBER.format(number=doc.doc_number) if doc.doc_number else M.META_NUMBER_EMPTY]
    if doc.doc_number and claimed == _compact(doc.doc_number):
        return [M.META_NUMBER_YES.format(number=doc.doc_number)]
    own = M.META_NUMBER.format(number=doc.doc_number) if doc.doc_number else M.META_NUMBER_EMPTY
    quoted = next((s for s in re.split(r"(?<=[。；;\n])", doc.text or "") if claimed in _compact(s)), "")
    if quoted:  # the plan itself cites that number for another document
        return [
            M.META_NUMBER_NO.format(claimed=claimed)
            + own
            + M.META_NUMBER_QUOTED.format(sentence=quoted.strip())
        ]
    if not doc.doc_number:  # nothing to check it against: say so, never 是 or 不是
        return [own + M.META_NUMBER_UNCHECKED.format(claimed=claimed)]
    return [M.META_NUMBER_NO.format(claimed=claimed) + own]


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text or "").translate(str.maketrans("[［(（【]］)）】", "〔〔〔〔〔〕〕〕〕〕"))


def field_lines(doc: Document, fields: tuple[str, ...], claimed: str = "") -> list[str]:
    """One sentence per asked field, each saying plainly when the record holds nothing. `claimed`: a document
    number the question asserts."""
    out: list[str] = []
    for f in fields:
        if f == "title":
            out.append(M.META_TITLE.format(title=doc.title))
        elif f == "issuer":
            out.append(M.META_ISSUER.format(issuer=doc.issuer) if doc.issuer else M.META_ISSUER_EMPTY)
        elif f == "date":
            out += _date_lines(doc)
        elif f == "doc_number":
            out += _number_lines(doc, claimed)
        elif f == "status":
            template = M.META_STATUS_DRAFT if doc.is_draft else M.META_STATUS_FINAL
            out.append(template.format(status=doc.status))
            if doc.is_draft and doc.date and "date" not in fields:
                out.append(M.META_DRAFT_DATE.format(date=cn_date(doc.date)))  # which draft: its date
        elif f == "validity":
            out += _validity_lines(doc, fields)
    return out


def _validity_lines(doc: Document, fields: tuple[str, ...]) -> list[str]:
    """还有效吗: the record knows only status, date and whether a newer version replaced it; the plans state no
    term of validity, and that is said, never 有效 / 无效 on a guess."""
    if doc.superseded_by:
        return [M.META_SUPERSEDED]
    out = [M.META_VALIDITY]
    if "status" not in fields:
        template = M.META_STATUS_DRAFT if doc.is_draft else M.META_STATUS_FINAL
        out.append(template.format(status=doc.status))
    if "date" not in fields and doc.date:
        out.append(M.META_DATE.format(date=cn_date(doc.date)))
    return out


def document_hit(doc: Document, n: int) -> Hit:
    """The document itself as a citation: its record from documents.toml, under the section 文件信息."""
    record = "；".join(
        f"{label}：{value or '未载明'}"
        for label, value in (
            ("标题", doc.title),
            ("发文机关", doc.issuer),
            ("文号", doc.doc_number),
            ("日期", cn_date(doc.date)),
            ("状态", doc.status),
        )
    )
    chunk = Chunk(
        id=f"{doc.slug}-doc",
        slug=doc.slug,
        region_name=doc.region_name,
        doc_title=doc.title,
        status=doc.status,
        section=M.META_SECTION,
        text=record + "。",
        embed_text="",
    )
    return Hit(chunk, 1.0, rank=n)


def compose(raw: str, fields: tuple[str, ...], slugs: list[str], docs: dict[str, Document]) -> Answer:
    """Each asked region's plan: one head line, the asked fields, the document as the citation."""
    lines, cites = [], []
    claim = DOC_NUMBER.search(raw)
    claimed = _compact(claim.group()) if claim else ""
    for n, slug in enumerate(slugs, 1):
        doc = docs[slug]
        head = M.META_HEAD.format(region=doc.name, title=doc.title)
        lines.append(head + "".join(field_lines(doc, fields, claimed)))
        date = f"，{cn_date(doc.date)}" if doc.date else ""
        lines.append(
            M.META_BASIS.format(title=doc.title, issuer=doc.issuer or "发文机关未载明", date=date, n=n)
        )
        cites.append(document_hit(doc, n))
    if "status" not in fields and any(docs[s].is_draft for s in slugs):
        lines.append(M.DRAFT_NOTE if len(slugs) == 1 else M.DRAFT_MANY)
    region = slugs[0] if len(slugs) == 1 else None
    return Answer(
        question=raw,
        answer="\n".join(lines),
        refused=False,
        region=region,
        citations=cites,
        regions=list(slugs),
        highlights={},
        kind="meta",
    )
