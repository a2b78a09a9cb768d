"""Issue 28 (data lost): a server started while the database was down serves the pins once it is back, and
while it is down no answer waits for it (the pin table is then read beside the answers, not in their way)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from _ops_helpers import clause_with, hash_settings_in

from rag.assistant import Assistant
from rag.ops.pins import _chunks_of, add_pin
from rag.ops.stores import Store, StoreConfig
from rag.server.ops import Ops, _matcher

Q = "青岛育儿假有几天？"


class Away:
    """A store that is unreachable until `up` is set (every read raises, and slowly: a hung database)."""

    def __init__(self, store):
        self.inner, self.up = store, False

    def __getattr__(self, name):
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        def call(*a, **kw):
            if not self.up:
                time.sleep(0.3)
                raise sa.exc.OperationalError("select", {}, Exception("connection refused"))
            return attr(*a, **kw)

        return call


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    return Assistant.load(settings=hash_settings_in(tmp_path_factory.mktemp("pins-recovery")))


def test_pins_are_served_once_the_database_returns_and_answers_never_wait(assistant, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'pins.sqlite'}")
    cid = clause_with(_chunks_of(assistant), "qingdao", "不少于10天育儿假")
    add_pin(store, _chunks_of(assistant), Q, "父母各享受每年累计不少于10天育儿假。", [cid])
    away = Away(store)
    ops = Ops(StoreConfig(url=store.url, log_enabled=False, salt="x"))
    ops.store = away
    matcher = _matcher(assistant, ops)  # as a replica starting while PostgreSQL is down
    assert matcher is not None and matcher.failing and not matcher.verified
    matcher.refresh_seconds = 0
    for _ in range(3):
        t = time.perf_counter()
        assert matcher.match(Q) is None
        assert time.perf_counter() - t < 0.2  # the 0.3 s of the hung database is not on the answer's path
    away.up = True
    deadline = time.monotonic() + 15
    found = None
    while found is None and time.monotonic() < deadline:
        found = matcher.match(Q)
        time.sleep(0.05)
    assert found is not None and matcher.verified and not matcher.failing
    ops.store = store
    ops.close()
