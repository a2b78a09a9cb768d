"""Personal data through `rag serve` for real (issue 28): questions and feedback comments carrying generated
phone, ID, bank-card and e-mail forms are answered, then the SQLite database, the CSV export, the JSON report
and the server's log are searched: no raw form anywhere."""

from __future__ import annotations

import sqlite3
import time

import httpx
import pytest
from _live_server import rag_serve_process
from _personal_forms import in_sentence, leaks, personal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow  # a `rag serve` process, the real answerer
TOKEN = "privacy-test-token-0123456789"


def test_no_generated_form_reaches_any_store_export_or_log(tmp_path):
    db, log = tmp_path / "rag.sqlite", tmp_path / "serve.log"
    env = {
        "RAG_DATABASE_URL": f"sqlite:///{db}",
        "RAG_ADMIN_TOKEN": TOKEN,
        "RAG_RATE_LIMIT": "0",
        "RAG_LOG_SALT": "s",
    }
    secrets: list[str] = []
    with log.open("w") as err, rag_serve_process(env, stderr=err) as (url, _), httpx.Client(timeout=60) as c:

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(st.data())
        def ask_and_rate(data):
            form, secret = data.draw(personal())
            comment_form, comment_secret = data.draw(personal())
            r = c.post(url + "/api/ask", json={"question": data.draw(in_sentence(form))})
            assert r.status_code == 200, r.text
            answer_id = r.json()["answer_id"]
            secrets.extend([secret, comment_secret])
            deadline = time.monotonic() + 15
            while True:  # the log writer stores the answer id shortly after the answer
                f = c.post(
                    url + "/api/feedback",
                    json={
                        "answer_id": answer_id,
                        "rating": "down",
                        "comment": f"答案不对，联系我{comment_form}",
                    },
                )
                if f.status_code != 404 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert f.status_code == 200, f.text
            c.get(url + f"/api/nowhere/{form}")  # a 404 whose path carries the form, for the log

        ask_and_rate()
        auth = {"Authorization": f"Bearer {TOKEN}"}
        time.sleep(3)  # the writer's batch window
        exports = [
            c.get(url + "/admin/export.csv", params={"since": "all"}, headers=auth),
            c.get(url + "/admin/report.json", params={"since": "all"}, headers=auth),
            c.get(url + "/admin", params={"since": "all"}, headers=auth),
        ]
    assert all(r.status_code == 200 for r in exports), [r.status_code for r in exports]
    with sqlite3.connect(db) as con:
        stored = [q for (q,) in con.execute("select question from questions")]
        stored += [m or "" for (m,) in con.execute("select comment from feedback")]
    assert len(stored) >= 2 * 25 and any("＊" in s for s in stored)
    places = {"database": "\n".join(stored), "log": log.read_text(encoding="utf-8")}
    places |= {r.request.url.path: r.text for r in exports}
    found = [(where, s) for s in secrets for where, text in places.items() if leaks(s, text)]
    assert not found, found[:5]
