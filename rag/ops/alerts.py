"""`rag report --alert`: one line and a non-zero exit when the last hour went badly, for cron or a monitor.

Two shares are watched over a window (default the last hour): refused answers among questions, and 👎 among
answers rated. A handful of questions proves nothing, so below `min_questions` nothing alerts. Thresholds come
from [alert] in rag.toml < RAG_ALERT_* environment < command-line flags. Two cheap COUNT queries: the check
can run every minute against a busy database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from ..errors import RagError
from .stores import messages as M
from .stores.db import Store, questions, utcnow


@dataclass(frozen=True)
class AlertConfig:
    refused_share: float = 0.30  # alert above this share of refused answers
    down_share: float = 0.20  # alert above this share of 👎 among rated answers
    min_questions: int = 10  # fewer questions in the window: no verdict
    window_minutes: int = 60


@dataclass(frozen=True)
class AlertResult:
    alert: bool
    line: str


def _number(name: str, raw, kind):
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise RagError(M.ALERT_BAD_SETTING.format(name=name, value=raw)) from None
    if value < 0 or (kind is float and value > 1):
        raise RagError(M.ALERT_BAD_SETTING.format(name=name, value=raw))
    return value


def load_alert_config(settings=None, **flags) -> AlertConfig:
    sec = dict((getattr(settings, "extra", None) or {}).get("alert", {}))
    out = {}
    for name, kind in (
        ("refused_share", float),
        ("down_share", float),
        ("min_questions", int),
        ("window_minutes", int),
    ):
        raw = flags.get(name)
        if raw is None:
            raw = os.environ.get(f"RAG_ALERT_{name.upper()}", sec.get(name))
        if raw is not None:
            out[name] = _number(name, raw, kind)
    return AlertConfig(**out)


def check(store: Store, config: AlertConfig) -> AlertResult:
    store.ensure_schema()
    since = utcnow() - timedelta(minutes=config.window_minutes)
    with store.engine.connect() as c:
        n, refused = c.execute(
            sa.select(sa.func.count(), sa.func.sum(sa.cast(questions.c.refused, sa.Integer))).where(
                questions.c.ts >= since
            )
        ).one()
    n, refused = int(n or 0), int(refused or 0)
    fb = store.feedback_counts(since)
    rated = fb["up"] + fb["down"]
    r_share = refused / n if n else 0.0
    d_share = fb["down"] / rated if rated else 0.0
    facts = M.ALERT_FACTS.format(
        minutes=config.window_minutes,
        n=n,
        refused=refused,
        r_share=r_share,
        down=fb["down"],
        rated=rated,
        d_share=d_share,
    )
    if n < config.min_questions:
        return AlertResult(False, M.ALERT_TOO_FEW.format(facts=facts, min=config.min_questions))
    over = []
    if r_share > config.refused_share:
        over.append(M.ALERT_REFUSED_OVER.format(limit=config.refused_share))
    if rated and d_share > config.down_share:
        over.append(M.ALERT_DOWN_OVER.format(limit=config.down_share))
    if over:
        return AlertResult(True, M.ALERT_LINE.format(facts=facts, over="；".join(over)))
    return AlertResult(False, M.ALERT_OK.format(facts=facts))
