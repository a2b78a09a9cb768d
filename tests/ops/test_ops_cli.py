"""`rag report`, `rag pin`, `rag log purge` and the pin check after `rag index` (in-process, SQLite, hashing
embedder). The same commands as subprocesses against PostgreSQL: tests/ops/test_ops_live.py."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from _ops_helpers import clause_with, hash_settings_in

from rag.cli import main
from rag.ops.pins import index_chunks
from rag.ops.stores import QuestionRow, Store, utcnow


@pytest.fixture
def env(tmp_path, monkeypatch):
    s = hash_settings_in(tmp_path)
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    for k, v in {
        "RAG_DATABASE_URL": url,
        "RAG_SEEDS_DIR": str(s.seeds_dir),
        "RAG_INDEX_DIR": str(s.index_root),
        "RAG_EMBEDDER": "hash",
        "RAG_LOG_SALT": "x",
    }.items():
        monkeypatch.setenv(k, v)
    return s, Store(url)


def _row(i, days_ago=0, refused=False):
    return QuestionRow(
        f"{i:032x}",
        "api",
        "青岛育儿假有几天?",
        "qingdao",
        "fact",
        refused,
        ts=utcnow() - timedelta(days=days_ago),
    )


def test_report_json_since_1d_shows_the_counts(env, capsys, tmp_path):
    _, store = env
    store.add_questions([_row(1), _row(2, refused=True), _row(3, days_ago=5)])
    store.add_feedback(f"{1:032x}", "up")
    assert main(["report", "--json", "--since", "1d"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert (r["questions"], r["refused"], r["feedback"]) == (2, 1, {"up": 1, "down": 0})
    html, csv = tmp_path / "r.html", tmp_path / "r.csv"
    assert main(["report", "--since", "all", "--html", str(html), "--csv", str(csv)]) == 0
    assert html.read_text(encoding="utf-8").count("<img") >= 2
    assert len(csv.read_text(encoding="utf-8-sig").splitlines()) == 4
    assert main(["report", "--since", "someday"]) == 2
    assert "7d" in capsys.readouterr().err


def test_empty_report_says_so(env, capsys):
    assert main(["report"]) == 0
    assert "没有记录到任何提问" in capsys.readouterr().err


def test_log_purge_removes_old_rows(env, capsys):
    _, store = env
    store.add_questions([_row(1, days_ago=400), _row(2)])
    day = (utcnow() - timedelta(days=30)).date().isoformat()
    assert main(["log", "purge", "--before", day]) == 0
    assert "1 条提问记录" in capsys.readouterr().err
    assert [r["answer_id"] for r in store.question_rows()] == [f"{2:032x}"]
    assert main(["log", "purge", "--before", "yesterday"]) == 2


def test_pin_add_list_rm_and_suspension_after_rag_index(env, capsys):
    s, store = env
    cid = clause_with(index_chunks(s), "qingdao", "不少于10天育儿假")
    q, a = "青岛育儿假有几天？", "3周岁以下婴幼儿父母各享受每年累计不少于10天育儿假。"
    assert main(["pin", "add", "--question", q, "--answer", a.replace("10", "14"), "--cite", cid]) == 2
    assert "14" in capsys.readouterr().err
    assert main(["pin", "add", "--question", q, "--answer", a, "--cite", cid]) == 0
    assert main(["pin", "list", "--json"]) == 0
    (pin,) = json.loads(capsys.readouterr().out)
    assert pin["status"] == "active" and pin["clauses"] == [cid]
    # the plan text changes; the rebuilt index re-checks the pin and suspends it
    doc = next(p for p in s.seeds_dir.iterdir() if p.name.startswith("qingdao") and p.suffix == ".txt")
    doc.write_text(
        doc.read_text(encoding="utf-8").replace("不少于10天育儿假", "不少于15天育儿假"), encoding="utf-8"
    )
    assert main(["index"]) == 0
    assert "已暂停" in capsys.readouterr().err
    (pin,) = store.pins()
    assert pin.status == "suspended" and cid in pin.reason
    assert main(["report", "--json", "--since", "all"]) == 0
    assert json.loads(capsys.readouterr().out)["pins"]["suspended"][0]["id"] == pin.id
    assert main(["pin", "rm", str(pin.id)]) == 0 and store.pins() == []
    assert main(["pin", "rm", str(pin.id)]) == 2
