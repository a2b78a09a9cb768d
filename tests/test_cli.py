"""The `rag` command as a user runs it: real process, real index, JSON contract."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HIT_FIELDS = {"rank", "score", "region", "region_name", "doc_title", "clause_id", "section", "text"}


def rag(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        input=stdin,
        timeout=300,
    )


@pytest.fixture(scope="module", autouse=True)
def _index(assistant):  # makes sure the project index is built and current
    return assistant


def test_ask_json_contract():
    p = rag("ask", "青岛育儿假有几天？", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert set(d) == {"id", "answer", "refused", "region", "citations", "kind", "notice"}
    assert d["kind"] == "fact"
    assert d["region"] == "qingdao" and d["refused"] is False and "10天" in d["answer"]
    assert HIT_FIELDS <= set(d["citations"][0]) and d["citations"][0]["region"] == "qingdao"


def test_ask_compare_json_opens_with_the_verdict():
    p = rag("ask", "贵州和通化哪个育儿假长？", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["kind"] == "compare" and d["answer"].split("。")[0].startswith("通化市")
    assert {c["region"] for c in d["citations"]} == {"guizhou", "tonghua"}


def test_search_batch_jsonl(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text(
        '{"id": "a", "question": "青岛育儿假有几天？"}\n{"id": "b", "question": "上海产假"}\n'
        '{"id": "c", "question": "  "}\n',
        encoding="utf-8",
    )
    p = rag("search", "--batch", str(f), "--json", "-k", "3")
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["region_detected"] == "qingdao" and len(rows[0]["hits"]) == 3
    assert HIT_FIELDS <= set(rows[0]["hits"][0])
    assert rows[1]["hits"] == [] and "error" in rows[2]


def test_ask_batch_from_stdin():
    p = rag("ask", "--batch", "-", "--json", stdin='{"id": 7, "question": "通化婚假几天"}\n')
    d = json.loads(p.stdout)
    assert d["id"] == 7 and "15天" in d["answer"]


@pytest.mark.parametrize("cmd", ["ask", "search"])
@pytest.mark.parametrize("q", ["", "   "])
def test_empty_question_exit_2_one_line(cmd, q):
    p = rag(cmd, q)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert "不能为空" in p.stderr


def test_bad_inputs_are_clear_messages(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    for args in (
        ("ask", "--batch", str(bad)),
        ("ask", "--batch", str(tmp_path / "missing.jsonl")),
        ("ask", "育儿假", "--region", "mars"),
        ("search", "育儿假", "-k", "0"),
    ):
        p = rag(*args)
        assert p.returncode == 2 and "Traceback" not in p.stderr and p.stderr.startswith("rag:"), args
