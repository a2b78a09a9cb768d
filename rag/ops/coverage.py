"""`rag coverage` and the coverage section of /admin (issue 25): per province, which levels have a plan, which are
drafts or superseded, and which places resolve to which plan — so an operator sees that 望澜市 is answered from
澜海省's plan (no city plan held) before a citizen asks.

Read from seeds/documents.toml and data/divisions.tsv through the same RegionDetector the assistant uses, so what is
listed is what a question resolves to.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from ..ingest.seeds import LEVELS, load_documents
from ..models import Document
from ..question.regions import STRONG, RegionDetector, divisions

NO_PROVINCE = "（未能确定所属省份）"
LEVEL_NAMES = {"province": "省级", "city": "市级", "district": "区级", "county": "县级", "town": "乡镇级"}
SHOWN = 12  # places listed per plan in the text form; the JSON form lists all


@dataclass(frozen=True)
class PlanCoverage:
    slug: str
    name: str
    level: str
    status: str
    draft: bool
    superseded_by: str  # the newer version's slug ("" when current)
    parent: str  # the plan of the enclosing region
    names: tuple[str, ...]  # names a question may use for the plan's own region (name, short name, aliases)
    divisions: int  # divisions of data/divisions.tsv inside the region that resolve to the plan
    without_own_plan: tuple[str, ...]  # places answered from it whose own plan is not held (贵阳市, 望澜市)


@dataclass(frozen=True)
class ProvinceCoverage:
    province: str
    levels: dict[str, list[str]]  # level -> slugs of current plans
    plans: list[PlanCoverage]


def province_of(doc: Document, by_slug: dict[str, Document]) -> str:
    """The province a plan lies in: its top plan's region when that is a province, else the province its
    `parents` or its own name name in data/divisions.tsv."""
    top, seen = doc, {doc.slug}
    while top.parent in by_slug and top.parent not in seen:
        seen.add(top.parent)
        top = by_slug[top.parent]
    if top.level == "province":
        return top.region_name
    provinces = {p.name for p in divisions().values() if p.level == "province"}
    for name in (*top.parents, top.region_name, top.short_name):
        for cand in (name, name + "省", name + "市", name + "自治区"):
            if cand in provinces:
                return cand
    for place in divisions().values():
        if place.name in (top.region_name, top.name) and place.chain:
            return place.chain[0]
    return NO_PROVINCE


def _plan(doc: Document, det: RegionDetector | None) -> PlanCoverage:
    names, inside, below = [doc.region_name, doc.short_name, *doc.aliases], 0, []
    if det is not None and not doc.superseded_by:
        mine = [s for s, (kind, target) in det.names.items() if kind == STRONG and target == doc.slug]
        inside = len({det.within[s].code for s in mine if s in det.within and not det.within[s].is_area})
        below = [p for s in mine if (p := det.place_below(s, doc))]
    return PlanCoverage(
        slug=doc.slug,
        name=doc.name,
        level=doc.level or "city",
        status=doc.status,
        draft=doc.is_draft,
        superseded_by=doc.superseded_by,
        parent=doc.parent,
        names=tuple(dict.fromkeys(n for n in names if n)),
        divisions=inside,
        without_own_plan=tuple(sorted(set(below))),
    )


def coverage(docs: list[Document]) -> list[ProvinceCoverage]:
    """Every plan (superseded ones too), grouped by province, larger levels first."""
    by_slug = {d.slug: d for d in docs}
    det = RegionDetector([d for d in docs if not d.superseded_by])
    groups: dict[str, list[Document]] = {}
    for d in docs:
        groups.setdefault(province_of(d, by_slug), []).append(d)
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    out = []
    for province, members in sorted(groups.items()):
        members.sort(key=lambda d: (rank.get(d.level or "city", 9), d.slug))
        levels: dict[str, list[str]] = {}
        for d in members:
            if not d.superseded_by:
                levels.setdefault(d.level or "city", []).append(d.slug)
        out.append(ProvinceCoverage(province, levels, [_plan(d, det) for d in members]))
    return out


def load(seeds_dir: Path) -> list[ProvinceCoverage]:
    return coverage(load_documents(seeds_dir, include_superseded=True))


def load_cached(seeds_dir: Path) -> list[ProvinceCoverage]:
    """For /admin: read again only when documents.toml changed (the plans are read to resolve supersedes)."""
    meta = Path(seeds_dir) / "documents.toml"
    return _cached(str(seeds_dir), meta.stat().st_mtime_ns if meta.is_file() else 0)


@lru_cache(maxsize=2)
def _cached(seeds_dir: str, _stamp: int) -> list[ProvinceCoverage]:
    return load(Path(seeds_dir))


def as_json(rows: list[ProvinceCoverage]) -> dict:
    return {"provinces": [asdict(r) for r in rows]}


def as_text(rows: list[ProvinceCoverage]) -> list[str]:
    """The operator's listing, one block per province."""
    lines = []
    for r in rows:
        held = (
            "、".join(f"{LEVEL_NAMES.get(lv, lv)} {len(s)} 份" for lv, s in r.levels.items()) or "无现行方案"
        )
        lines.append(f"{r.province}：{held}")
        for p in r.plans:
            lines.append("  " + plan_line(p))
    return lines


def plan_line(p: PlanCoverage) -> str:
    state = f"已被 {p.superseded_by} 取代" if p.superseded_by else ("征求意见稿" if p.draft else "正式文件")
    head = f"{p.name}（{p.slug}，{LEVEL_NAMES.get(p.level, p.level)}，{state}"
    head += f"，上级方案 {p.parent}）" if p.parent else "）"
    if p.superseded_by:
        return head
    names = "、".join(p.names[:SHOWN]) + (f" 等 {len(p.names)} 个" if len(p.names) > SHOWN else "")
    out = f"{head} 地名：{names}；下辖区划 {p.divisions} 个解析到本方案"
    if p.without_own_plan:
        shown = "、".join(p.without_own_plan[:SHOWN])
        more = f" 等 {len(p.without_own_plan)} 处" if len(p.without_own_plan) > SHOWN else ""
        out += f"；未收录自己方案、按本方案作答：{shown}{more}"
    return out
