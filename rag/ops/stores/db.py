"""The database behind the question log, feedback and pinned answers (SQLAlchemy 2 Core).

One URL decides where: SQLite by default (WAL, a busy timeout, so several `rag serve` workers can write),
PostgreSQL with `postgresql+psycopg://…`. The app creates the schema and applies migrations itself: the
`meta` table holds the schema version and every step in MIGRATIONS runs once, in order."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from ...errors import RagError
from ...question.validate import MAX_QUESTION_CHARS
from . import messages as M

log = logging.getLogger("rag.ops.stores")
SCHEMA_VERSION = 2
MAX_QUESTION = MAX_QUESTION_CHARS  # a logged question is a checked one: the answerer's own bound
MAX_COMMENT = 300
MAX_ANSWER = 2000

metadata = sa.MetaData()
questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("answer_id", sa.String(32), nullable=False, unique=True),
    sa.Column("ts", sa.DateTime, nullable=False, index=True),  # UTC, naive
    sa.Column("channel", sa.String(16), nullable=False),  # ui | widget | api | v1
    sa.Column("question", sa.String(MAX_QUESTION), nullable=False),  # normalised, never the raw input
    # a comparison or a no-place question names several regions ("beijing,chongqing,…"): no fixed width
    sa.Column("region", sa.Text),
    sa.Column("kind", sa.String(16)),
    sa.Column("refused", sa.Boolean, nullable=False),
    sa.Column("clauses", sa.Text, nullable=False, default="[]"),  # JSON list of cited clause ids
    sa.Column("latency_ms", sa.Float),
    sa.Column("client", sa.String(16)),  # salted daily hash of the address (privacy.py), never the address
    sa.Column("pin_id", sa.Integer),  # set when a pinned answer was served
    # v2, for the console's gap queue: how the question ended (ops.outcome_of), the answer given (so a 👎 can be
    # read with what it rated) and a follow-up's previous question (so "那北京呢" keeps its topic)
    sa.Column("outcome", sa.String(16)),
    sa.Column("answer", sa.Text),
    sa.Column("previous", sa.String(MAX_QUESTION)),
    sa.Column("topic", sa.Text),  # JSON [region, terms, intent] (rag/ops/wording.py), set by the log's writer
)
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("answer_id", sa.String(32), nullable=False, index=True),
    sa.Column("ts", sa.DateTime, nullable=False, index=True),
    sa.Column("rating", sa.String(4), nullable=False),  # up | down
    sa.Column("comment", sa.String(MAX_COMMENT)),
)
pins = sa.Table(
    "pins",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("question", sa.String(MAX_QUESTION), nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("clauses", sa.Text, nullable=False),  # JSON {clause_id: sha256 of its text when pinned}
    sa.Column("region", sa.Text),
    sa.Column("status", sa.String(16), nullable=False, default="active"),  # active | suspended
    sa.Column("reason", sa.Text),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("checked", sa.DateTime, nullable=False),
)
gap_actions = sa.Table(  # what an operator did with a group of the gap queue (console: pin, gap, ignore)
    "gap_actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(64), nullable=False, index=True),
    sa.Column("action", sa.String(16), nullable=False),  # pin | gap | ignore
    sa.Column(
        "label", sa.Text
    ),  # the group as shown (region, topic, an example), kept for the plan's authors
    sa.Column("pin_id", sa.Integer),
    sa.Column("ts", sa.DateTime, nullable=False),
)
meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# version -> statements bringing the schema from version-1 to version, per dialect ("*": every dialect).
# v2: region held several comma-joined slugs in varchar(32); PostgreSQL refused such rows (SQLite ignores widths).
MIGRATIONS: dict[int, dict[str, list[str]]] = {
    2: {
        "postgresql": [
            "ALTER TABLE questions ALTER COLUMN region TYPE TEXT",
            "ALTER TABLE pins ALTER COLUMN region TYPE TEXT",
        ]
    },
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass
class QuestionRow:
    """One answered question as the log stores it."""

    answer_id: str
    channel: str
    question: str
    region: str | None
    kind: str
    refused: bool
    clauses: list[str] = field(default_factory=list)
    latency_ms: float | None = None
    client: str | None = None
    pin_id: int | None = None
    ts: datetime = field(default_factory=utcnow)
    outcome: str | None = None
    answer: str | None = None
    previous: str | None = None
    topic: str | None = None

    def values(self) -> dict:
        return {
            "topic": self.topic,
            "outcome": (self.outcome or None) and self.outcome[:16],
            "answer": (self.answer or None) and self.answer[:MAX_ANSWER],
            "previous": (self.previous or None) and self.previous[:MAX_QUESTION],
            "answer_id": self.answer_id,
            "ts": self.ts,
            "channel": self.channel[:16],
            "question": self.question[:MAX_QUESTION],
            "region": self.region,
            "kind": (self.kind or "")[:16],
            "refused": bool(self.refused),
            "clauses": json.dumps(self.clauses, ensure_ascii=False),
            "latency_ms": self.latency_ms,
            "client": self.client,
            "pin_id": self.pin_id,
        }


@dataclass
class FeedbackRow:
    """One rating of an answer as the log stores it (written by the log's writer, like the questions)."""

    answer_id: str
    rating: str
    comment: str | None = None
    ts: datetime = field(default_factory=utcnow)

    def values(self) -> dict:
        comment = (self.comment or None) and self.comment[:MAX_COMMENT]
        return {"answer_id": self.answer_id, "ts": self.ts, "rating": self.rating, "comment": comment}


@dataclass(frozen=True)
class Pin:
    id: int
    question: str
    answer: str
    clauses: dict  # clause_id -> sha256 of the clause text when pinned
    region: str | None
    status: str
    reason: str | None
    created: datetime
    checked: datetime

    @property
    def active(self) -> bool:
        return self.status == "active"

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "clauses": list(self.clauses),
            "region": self.region,
            "status": self.status,
            "reason": self.reason,
            "created": self.created.isoformat(timespec="seconds"),
            "checked": self.checked.isoformat(timespec="seconds"),
        }


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer; safe across worker processes
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str) -> sa.Engine:
    try:
        parsed = sa.make_url(url)
    except Exception as exc:
        raise RagError(M.STORE_BAD_URL.format(error=exc)) from None
    kw: dict = {"future": True, "pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kw["connect_args"] = {"timeout": 10, "check_same_thread": False}
    elif parsed.get_backend_name() == "postgresql":
        kw["connect_args"] = {"connect_timeout": 3}
        kw["pool_size"], kw["max_overflow"] = 4, 4
    try:
        engine = sa.create_engine(parsed, **kw)
    except Exception as exc:  # unknown driver, missing module
        raise RagError(M.STORE_BAD_URL.format(error=exc)) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Store:
    """Typed reads and writes; every method opens its own short transaction (thread-safe through the pool)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._ready = False
        self._identity: tuple[int, int] | None = None  # (device, inode) of the SQLite file when opened
        self.reopened = 0

    @property
    def path(self) -> Path | None:
        """The SQLite file, None for other databases and in-memory SQLite."""
        parsed = self.engine.url
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return None
        return Path(parsed.database)

    def file_problem(self) -> str | None:
        """Why the SQLite file on disk is not the one this process writes to (deleted or replaced while
        serving: rows would go to an unlinked inode nobody can read), None when it is. A stat, cheap."""
        path, known = self.path, self._identity
        if path is None or known is None:
            return None
        try:
            st = path.stat()
        except FileNotFoundError:
            return M.STORE_FILE_GONE.format(path=path)
        except OSError as exc:
            return M.STORE_FILE_UNREADABLE.format(path=path, error=exc.strerror)
        if (st.st_dev, st.st_ino) != known:
            return M.STORE_FILE_REPLACED.format(path=path)
        if not os.access(path, os.W_OK):
            return M.STORE_FILE_READONLY.format(path=path)
        return None

    def reopen(self) -> None:
        """Drops every connection so the next write opens (and if need be recreates) the file on disk. The
        write-ahead files of a deleted database are removed first: SQLite must not replay them into a new one."""
        self.engine.dispose()
        path = self.path
        if path is not None and not path.exists():
            for suffix in ("-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        self._ready, self._identity = False, None
        self.reopened += 1

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def ensure_schema(self) -> None:
        """Creates missing tables and runs pending migrations; cheap after the first call."""
        if self._ready:
            return
        for attempt in (1, 2):  # two workers creating the schema at once: the loser retries and finds it
            try:
                self._create_or_migrate()
                break
            except sa.exc.SQLAlchemyError as exc:
                if attempt == 2:
                    raise RagError(M.STORE_DOWN.format(error=_short(exc))) from None
        self._ready = True
        path = self.path
        if path is not None:
            try:
                st = path.stat()
                self._identity = (st.st_dev, st.st_ino)
            except OSError:
                self._identity = None

    def _create_or_migrate(self) -> None:
        with self.engine.begin() as c:
            metadata.create_all(c)
            _add_missing_columns(c)
            row = c.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).first()
            version = int(row[0]) if row else 0
            if version == 0:
                c.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
                version = SCHEMA_VERSION
            for v in range(version + 1, SCHEMA_VERSION + 1):
                steps = MIGRATIONS.get(v, {})
                for stmt in steps.get(c.dialect.name, []) + steps.get("*", []):
                    c.execute(sa.text(stmt))
                c.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(v)))

    def dispose(self) -> None:
        self.engine.dispose()

    # ---- question log -------------------------------------------------------------------------------
    def add_questions(self, rows: Iterable[QuestionRow]) -> int:
        values = [r.values() for r in rows]
        if not values:
            return 0
        self.ensure_schema()
        with self.engine.begin() as c:
            c.execute(questions.insert(), values)
        return len(values)

    def has_answer(self, answer_id: str) -> bool:
        self.ensure_schema()
        with self.engine.connect() as c:
            return (
                c.execute(sa.select(questions.c.id).where(questions.c.answer_id == answer_id)).first()
                is not None
            )

    def add_feedback(self, answer_id: str, rating: str, comment: str | None = None) -> int:
        self.ensure_schema()
        with self.engine.begin() as c:
            res = c.execute(feedback.insert().values(FeedbackRow(answer_id, rating, comment).values()))
            return int(res.inserted_primary_key[0])

    def write_batch(self, items: Iterable[QuestionRow | FeedbackRow]) -> int:
        """Questions and ratings in one transaction (questions first: a rating follows its answer)."""
        items = list(items)
        qs = [i.values() for i in items if isinstance(i, QuestionRow)]
        fb = [i.values() for i in items if isinstance(i, FeedbackRow)]
        if not items:
            return 0
        self.ensure_schema()
        with self.engine.begin() as c:
            if qs:
                c.execute(questions.insert(), qs)
            if fb:
                c.execute(feedback.insert(), fb)
        return len(items)

    def question_rows(self, since: datetime | None = None, limit: int = 1_000_000) -> list[dict]:
        """Questions (newest last) with their feedback joined: rating 'up'/'down'/None and the comment."""
        self.ensure_schema()
        last = (
            sa.select(feedback.c.answer_id, sa.func.max(feedback.c.id).label("fid"))
            .group_by(feedback.c.answer_id)
            .subquery()
        )
        fb = feedback.alias("fb")
        q = (
            sa.select(questions, fb.c.rating, fb.c.comment)
            .select_from(
                questions.outerjoin(last, last.c.answer_id == questions.c.answer_id).outerjoin(
                    fb, fb.c.id == last.c.fid
                )
            )
            .order_by(questions.c.ts)
            .limit(limit)
        )
        if since is not None:
            q = q.where(questions.c.ts >= since)
        with self.engine.connect() as c:
            rows = [dict(r._mapping) for r in c.execute(q)]
        for r in rows:
            r["clauses"] = json.loads(r["clauses"] or "[]")
        return rows

    def feedback_counts(self, since: datetime | None = None) -> dict[str, int]:
        """Answers rated up / down, counting each answer's latest rating once (a 👎 then its reason is one 👎)."""
        self.ensure_schema()
        last = sa.select(sa.func.max(feedback.c.id).label("fid")).group_by(feedback.c.answer_id)
        if since is not None:
            last = last.where(feedback.c.ts >= since)
        last = last.subquery()
        q = (
            sa.select(feedback.c.rating, sa.func.count())
            .select_from(feedback.join(last, last.c.fid == feedback.c.id))
            .group_by(feedback.c.rating)
        )
        with self.engine.connect() as c:
            got = dict(c.execute(q).all())
        return {"up": int(got.get("up", 0)), "down": int(got.get("down", 0))}

    def purge(self, before: datetime) -> tuple[int, int]:
        """Deletes question and feedback rows older than `before`: (questions, feedback) removed."""
        self.ensure_schema()
        with self.engine.begin() as c:
            nq = c.execute(questions.delete().where(questions.c.ts < before)).rowcount
            nf = c.execute(feedback.delete().where(feedback.c.ts < before)).rowcount
            c.execute(meta.delete().where(meta.c.key == "last_purge"))
            c.execute(meta.insert().values(key="last_purge", value=utcnow().isoformat()))
        return int(nq or 0), int(nf or 0)

    def last_purge(self) -> datetime | None:
        self.ensure_schema()
        with self.engine.connect() as c:
            row = c.execute(sa.select(meta.c.value).where(meta.c.key == "last_purge")).first()
        return datetime.fromisoformat(row[0]) if row else None

    # ---- pins ---------------------------------------------------------------------------------------
    def add_pin(self, question: str, answer: str, clauses: dict, region: str | None) -> int:
        self.ensure_schema()
        now = utcnow()
        with self.engine.begin() as c:
            res = c.execute(
                pins.insert().values(
                    question=question,
                    answer=answer,
                    clauses=json.dumps(clauses, ensure_ascii=False),
                    region=region,
                    status="active",
                    created=now,
                    checked=now,
                )
            )
            return int(res.inserted_primary_key[0])

    def pins(self, active_only: bool = False) -> list[Pin]:
        self.ensure_schema()
        q = sa.select(pins).order_by(pins.c.id)
        if active_only:
            q = q.where(pins.c.status == "active")
        with self.engine.connect() as c:
            return [
                Pin(**{**dict(r._mapping), "clauses": json.loads(r._mapping["clauses"])})
                for r in c.execute(q)
            ]

    def remove_pin(self, pin_id: int) -> bool:
        self.ensure_schema()
        with self.engine.begin() as c:
            return bool(c.execute(pins.delete().where(pins.c.id == pin_id)).rowcount)

    def set_pin_status(self, pin_id: int, status: str, reason: str | None) -> None:
        with self.engine.begin() as c:
            c.execute(
                pins.update()
                .where(pins.c.id == pin_id)
                .values(status=status, reason=reason, checked=utcnow())
            )

    def pins_version(self) -> tuple:
        """Cheap change marker (count, max id, last check) so servers reload their pin cache only on change."""
        self.ensure_schema()
        with self.engine.connect() as c:
            row = c.execute(
                sa.select(sa.func.count(), sa.func.max(pins.c.id), sa.func.max(pins.c.checked))
            ).first()
        return tuple(row)


def _add_missing_columns(c) -> None:
    """Columns added to a table since it was created (nullable, no default): ALTER TABLE … ADD COLUMN, so a
    migration is the column's declaration above and nothing else."""
    inspector = sa.inspect(c)
    for table in metadata.sorted_tables:
        have = {col["name"] for col in inspector.get_columns(table.name)}
        for col in table.columns:
            if col.name not in have:
                kind = col.type.compile(dialect=c.dialect)
                c.execute(sa.text(f'ALTER TABLE {table.name} ADD COLUMN "{col.name}" {kind}'))


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
