"""A replica started while PostgreSQL is down serves the pins once PostgreSQL is back (issue 28): a real PostgreSQL,
stopped before `rag serve` starts and started again while it serves (slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from _live_server import rag_serve
from _postgres import postgres_server, unavailable

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
Q = "青岛育儿假有几天？"


def _rag(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_replica_started_while_postgresql_is_down_serves_the_pins_once_it_is_back():
    why = unavailable()
    if why:
        if os.environ.get("CI"):
            raise RuntimeError(f"PostgreSQL tests cannot run in CI: {why}")
        pytest.skip(why)
    with postgres_server() as pg:
        env = {"RAG_DATABASE_URL": pg.url, "RAG_RATE_LIMIT": "0", "RAG_LOG_SALT": "pg-back"}
        lines = _rag(env, "chunks", "--region", "qingdao", "--json").stdout.splitlines()
        cid = next(c["id"] for c in map(json.loads, lines) if "不少于10天育儿假" in c["text"])
        text = "青岛市：3周岁以下婴幼儿父母各享受每年累计不少于10天育儿假（工作人员置顶）。"
        added = _rag(env, "pin", "add", "--question", Q, "--answer", text, "--cite", cid)
        assert added.returncode == 0, added.stderr
        pg.stop()
        with rag_serve(env) as url:
            first = httpx.post(url + "/api/ask", json={"question": Q}, timeout=60).json()
            assert not first.get("pinned") and "10天" in first["answer"]  # answered from the plan meanwhile
            pg.start()
            deadline, got = time.monotonic() + 60, {}
            while time.monotonic() < deadline and not got.get("pinned"):
                time.sleep(1)
                got = httpx.post(url + "/api/ask", json={"question": Q}, timeout=60).json()
            assert got.get("pinned") and got["answer"].startswith(text), got
