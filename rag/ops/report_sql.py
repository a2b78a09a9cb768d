"""The report's aggregates as SQL (SQLite and PostgreSQL): counts, per Beijing day, per column, the newest rows.

The report used to load every row and count in Python: 100,000 rows took minutes on /admin. Here the database
counts, and only the newest rows that are grouped by wording are loaded (report.GROUP_WINDOW)."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa

from .stores.db import Store, feedback, questions

NOT_GAPS = ("locked", "injection")  # refusals that are no gap in the plans


def _since(q, since: datetime | None):
    return q.where(questions.c.ts >= since) if since is not None else q


def counts(store: Store, since: datetime | None) -> dict:
    store.ensure_schema()
    q = _since(sa.select(sa.func.count(), sa.func.sum(sa.cast(questions.c.refused, sa.Integer))), since)
    with store.engine.connect() as c:
        n, refused = c.execute(q).one()
    return {"questions": int(n or 0), "refused": int(refused or 0)}


def latencies(store: Store, since: datetime | None) -> list[float]:
    q = _since(sa.select(questions.c.latency_ms).where(questions.c.latency_ms.is_not(None)), since)
    with store.engine.connect() as c:
        return sorted(float(v) for (v,) in c.execute(q))


def _beijing_day(dialect: str):
    """The Beijing date (UTC+8, no daylight saving) of the stored UTC time, as 'YYYY-MM-DD'."""
    if dialect == "postgresql":
        return sa.func.to_char(questions.c.ts + sa.text("interval '8 hours'"), "YYYY-MM-DD")
    return sa.func.strftime("%Y-%m-%d", questions.c.ts, "+8 hours")


def per_day(store: Store, since: datetime | None) -> list[dict]:
    day = _beijing_day(store.backend).label("day")
    q = _since(
        sa.select(
            day,
            sa.func.count(),
            sa.func.sum(sa.cast(questions.c.refused, sa.Integer)),
            sa.func.count(sa.distinct(questions.c.client)),
        ),
        since,
    ).group_by(day)
    with store.engine.connect() as c:
        rows = c.execute(q.order_by(day)).all()
    return [
        {"day": d, "questions": int(n), "refused": int(r or 0), "visitors": int(v or 0)}
        for d, n, r, v in rows
    ]


def per_column(store: Store, since: datetime | None, name: str) -> dict:
    col = questions.c[name]
    q = _since(sa.select(col, sa.func.count().label("n")), since).group_by(col).order_by(sa.desc("n"), col)
    with store.engine.connect() as c:
        return {k: int(n) for k, n in c.execute(q)}


def newest(
    store: Store, since: datetime | None, limit: int, refused: bool = False, rating: str | None = None
) -> list[dict]:
    """The newest `limit` rows (with each answer's latest rating and comment), oldest first."""
    last = (
        sa.select(feedback.c.answer_id, sa.func.max(feedback.c.id).label("fid"))
        .group_by(feedback.c.answer_id)
        .subquery()
    )
    fb = feedback.alias("fb")
    q = _since(
        sa.select(
            questions.c.question,
            questions.c.region,
            questions.c.refused,
            questions.c.clauses,
            questions.c.previous,
            questions.c.topic,
            fb.c.rating,
            fb.c.comment,
        ).select_from(
            questions.outerjoin(last, last.c.answer_id == questions.c.answer_id).outerjoin(
                fb, fb.c.id == last.c.fid
            )
        ),
        since,
    )
    if refused:  # plan gaps only: lock redirects and refused injections are not (counted apart)
        q = q.where(questions.c.refused.is_(True)).where(
            sa.or_(questions.c.outcome.is_(None), questions.c.outcome.not_in(NOT_GAPS))
        )
    if rating:
        q = q.where(fb.c.rating == rating)
    q = q.order_by(questions.c.ts.desc(), questions.c.id.desc()).limit(limit)
    with store.engine.connect() as c:
        rows = [dict(r._mapping) for r in c.execute(q)]
    for r in rows:
        r["clauses"] = json.loads(r["clauses"] or "[]")
    return rows[::-1]
