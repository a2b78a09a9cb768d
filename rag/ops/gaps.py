"""The console's data (issue 27): the gap queue, clause usage, filtered log pages and Beijing time.

Everything here reads the question log through SQL with a filter and a bound: the console never loads the
whole log to show one page. The gap queue groups the questions that are work for the office — refused because
the plans are silent (not_stated / not_covered / off_topic) and answers rated 没帮助 — by region and topic
(a follow-up is grouped with its previous question, so "那北京呢" keeps its subject); lock redirects and
refused injections are counted in a bucket of their own, never as plan gaps. A group leaves the queue once an
operator pins an answer, marks it a plan gap (kept for the plan's authors) or ignores it."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from ..errors import RagError
from .labels import BEIJING, CHANNELS, OUTCOMES, beijing  # noqa: F401 - re-exported
from .report import topic_key
from .report_sql import NOT_GAPS
from .stores import messages as M
from .stores.db import Store, feedback, gap_actions, questions, utcnow

PLAN_GAPS = ("not_stated", "not_covered", "off_topic", "refused")
GAP_WINDOW = 5_000  # the newest gap rows grouped per page view: bounded work whatever the log's size
PAGE = 50
MAX_PAGE = 100_000
ACTIONS = {"pin": "已置顶回答", "gap": "已标记为方案空白", "ignore": "已忽略"}


def beijing_day_start(day: str) -> datetime:
    """'2026-12-01' (a Beijing date) -> the naive UTC instant it starts."""
    try:
        d = date.fromisoformat(str(day).strip()[:10])
    except ValueError:
        raise RagError(M.BAD_DATE.format(value=str(day)[:40])) from None
    return datetime(d.year, d.month, d.day, tzinfo=BEIJING).astimezone(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class Filters:
    """The console's filters; every field optional, every value bounded and checked."""

    start: str = ""  # Beijing date, inclusive
    end: str = ""  # Beijing date, inclusive
    region: str = ""
    channel: str = ""
    rating: str = ""  # up | down | none
    outcome: str = ""

    @classmethod
    def from_query(cls, params) -> Filters:
        got = {k: str(params.get(k, "") or "").strip()[:40] for k in cls.__dataclass_fields__}
        if got["rating"] not in ("", "up", "down", "none"):
            raise RagError(M.CONSOLE_BAD_FILTER.format(name="rating"))
        if got["outcome"] and got["outcome"] not in OUTCOMES:
            raise RagError(M.CONSOLE_BAD_FILTER.format(name="outcome"))
        if got["channel"] and got["channel"] not in CHANNELS:
            raise RagError(M.CONSOLE_BAD_FILTER.format(name="channel"))
        for k in ("start", "end"):
            if got[k]:
                beijing_day_start(got[k])
        return cls(**got)

    def query(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}


def _last_rating():
    """Each answer's latest rating (a 👎 then its reason is one 👎)."""
    last = (
        sa.select(feedback.c.answer_id, sa.func.max(feedback.c.id).label("fid"))
        .group_by(feedback.c.answer_id)
        .subquery()
    )
    fb = feedback.alias("fb")
    return last, fb


def _select(f: Filters):
    last, fb = _last_rating()
    q = sa.select(questions, fb.c.rating, fb.c.comment).select_from(
        questions.outerjoin(last, last.c.answer_id == questions.c.answer_id).outerjoin(
            fb, fb.c.id == last.c.fid
        )
    )
    if f.start:
        q = q.where(questions.c.ts >= beijing_day_start(f.start))
    if f.end:
        q = q.where(questions.c.ts < beijing_day_start(f.end) + timedelta(days=1))
    if f.region:
        q = q.where(questions.c.region == f.region)
    if f.channel:
        q = q.where(questions.c.channel == f.channel)
    if f.outcome:
        q = q.where(questions.c.outcome == f.outcome)
    if f.rating == "none":
        q = q.where(fb.c.rating.is_(None))
    elif f.rating:
        q = q.where(fb.c.rating == f.rating)
    return q


def _rows(store: Store, q) -> list[dict]:
    with store.engine.connect() as c:
        rows = [dict(r._mapping) for r in c.execute(q)]
    for r in rows:
        r["clauses"] = json.loads(r["clauses"] or "[]")
    return rows


def page(store: Store, f: Filters, number: int = 1, size: int = PAGE) -> tuple[list[dict], int]:
    """One page of the filtered log, newest first, and the filtered total (a COUNT, not a load)."""
    store.ensure_schema()
    number = max(1, min(int(number), MAX_PAGE))
    q = _select(f)
    with store.engine.connect() as c:
        total = int(c.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar() or 0)
    rows = _rows(
        store,
        q.order_by(questions.c.ts.desc(), questions.c.id.desc()).offset((number - 1) * size).limit(size),
    )
    return rows, total


def filtered_rows(store: Store, f: Filters, limit: int = 1_000_000):
    """Every filtered row, oldest first, streamed in chunks (the CSV export)."""
    store.ensure_schema()
    q = _select(f).order_by(questions.c.ts, questions.c.id).limit(limit)
    with store.engine.connect() as c:
        for r in c.execution_options(stream_results=True, yield_per=2000).execute(q):
            row = dict(r._mapping)
            row["clauses"] = json.loads(row["clauses"] or "[]")
            yield row


# ---- gap queue -----------------------------------------------------------------------------------------
@dataclass
class GapGroup:
    key: str
    bucket: str  # gap | down | other
    region: str | None
    terms: list[str]
    intent: str
    rows: list[dict] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    def examples(self, n: int = 3) -> list[str]:
        return [q for q, _ in Counter(r["question"] for r in self.rows).most_common(n)]

    def previous(self, n: int = 3) -> list[str]:
        return [q for q, _ in Counter(r["previous"] for r in self.rows if r.get("previous")).most_common(n)]

    def answers(self, n: int = 2) -> list[str]:
        return [a for a, _ in Counter(r["answer"] for r in self.rows if r.get("answer")).most_common(n)]

    def clauses(self, n: int = 5) -> list[str]:
        return [c for c, _ in Counter(c for r in self.rows for c in r["clauses"]).most_common(n)]

    def comments(self, n: int = 3) -> list[str]:
        return [c for c, _ in Counter(r["comment"] for r in self.rows if r.get("comment")).most_common(n)]

    def outcomes(self) -> dict[str, int]:
        return dict(Counter(r.get("outcome") or "refused" for r in self.rows).most_common())


def bucket_of(row: dict) -> str | None:
    outcome = row.get("outcome") or ("refused" if row["refused"] else "answered")
    if outcome in NOT_GAPS:
        return "other"
    if row.get("rating") == "down":
        return "down"
    if outcome in PLAN_GAPS:
        return "gap"
    return None


def _key(bucket: str, region: str | None, terms, intent: str) -> str:
    raw = json.dumps([bucket, region or "", list(terms), intent], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def gap_groups(store: Store, f: Filters = Filters(), include_done: bool = False) -> list[GapGroup]:
    """The open groups (largest first): refused, not-stated or rated 没帮助 rows of the newest GAP_WINDOW, grouped."""
    store.ensure_schema()
    q = _select(f)
    q = q.where(
        sa.or_(
            questions.c.refused.is_(True),
            questions.c.outcome == "not_stated",  # answered "the plan does not mention it": still a plan gap
            q.selected_columns.rating == "down",
        )
    )
    q = q.order_by(questions.c.ts.desc()).limit(GAP_WINDOW)
    done = set() if include_done else done_keys(store)
    groups: dict[str, GapGroup] = {}
    keys: dict[tuple, tuple] = {}
    for r in _rows(store, q):
        bucket = bucket_of(r)
        if bucket is None:
            continue
        region, terms, intent = topic_key(r, keys)
        key = _key(bucket, region, terms, intent)
        if key in done:
            continue
        g = groups.get(key) or groups.setdefault(
            key, GapGroup(key, bucket, region or None, list(terms), intent)
        )
        g.rows.append(r)
    return sorted(groups.values(), key=lambda g: (-g.count, g.key))


def done_keys(store: Store) -> set[str]:
    with store.engine.connect() as c:
        return {k for (k,) in c.execute(sa.select(gap_actions.c.key).distinct())}


def act(store: Store, key: str, action: str, label: str, pin_id: int | None = None) -> None:
    if action not in ACTIONS:
        raise RagError(M.CONSOLE_BAD_FILTER.format(name="action"))
    store.ensure_schema()
    with store.engine.begin() as c:
        c.execute(
            gap_actions.insert().values(
                key=key[:64], action=action, label=label[:2000], pin_id=pin_id, ts=utcnow()
            )
        )


def plan_gaps(store: Store) -> list[dict]:
    """What operators marked as plan gaps (newest first): the list for the plan's authors."""
    store.ensure_schema()
    q = sa.select(gap_actions).where(gap_actions.c.action == "gap").order_by(gap_actions.c.ts.desc())
    with store.engine.connect() as c:
        return [dict(r._mapping) for r in c.execute(q.limit(500))]


# ---- clause usage --------------------------------------------------------------------------------------
def clause_usage(store: Store, chunks: dict, f: Filters = Filters()) -> dict:
    """Per clause: answers citing it, 👍/👎 on those answers; the clauses of the index never cited; per
    region and Beijing day, questions and refusals."""
    store.ensure_schema()
    q = _select(f)
    q = q.with_only_columns(
        questions.c.ts,
        questions.c.region,
        questions.c.refused,
        questions.c.clauses,
        q.selected_columns.rating,
    )
    cited: Counter = Counter()
    up: Counter = Counter()
    down: Counter = Counter()
    per_plan: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    with store.engine.connect() as c:
        for ts, region, refused, clauses, rating in c.execution_options(yield_per=5000).execute(q):
            ids = json.loads(clauses or "[]")
            cited.update(ids)
            if rating == "up":
                up.update(ids)
            elif rating == "down":
                down.update(ids)
            day = ts.replace(tzinfo=timezone.utc).astimezone(BEIJING).strftime("%Y-%m-%d")
            cell = per_plan[(region or "", day)]
            cell[0] += 1
            cell[1] += bool(refused)
    usage = [
        {"clause_id": cid, "cited": n, "up": up[cid], "down": down[cid], "known": cid in chunks}
        for cid, n in cited.most_common()
    ]
    never = [cid for cid in chunks if cid not in cited]
    return {
        "clauses": usage,
        "never_cited": never,
        "per_plan": [
            {"region": r, "day": d, "questions": v[0], "refused": v[1]}
            for (r, d), v in sorted(per_plan.items())
        ],
    }
