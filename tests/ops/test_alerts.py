"""`rag report --alert` (issue 27): one line, exit 1 when refusals or 👎 in the last hour exceed their share,
exit 0 (with the figures) otherwise; old rows and thin traffic do not alert; bad thresholds are one sentence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rag.cli import main
from rag.ops.stores import QuestionRow, Store, utcnow


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'alert.sqlite'}"
    monkeypatch.setenv("RAG_DATABASE_URL", url)
    monkeypatch.setenv("RAG_LOG_SALT", "x")
    s = Store(url)
    yield s
    s.dispose()


def add(store, n, refused=0, minutes_ago=5, start=0, region="beijing"):
    store.add_questions(
        QuestionRow(
            answer_id=f"{start + i:032x}",
            channel="widget",
            question=f"{region}的产假有几天？{i}",
            region=region,
            kind="refuse" if i < refused else "fact",
            refused=i < refused,
            ts=utcnow() - timedelta(minutes=minutes_ago),
        )
        for i in range(n)
    )


def run(capsys, *flags):
    code = main(["report", "--alert", *flags])
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, out  # exactly one line, whatever happened
    return code, out[0]


def test_refusals_over_the_share_alert_with_one_line(store, capsys):
    add(store, 20, refused=8)  # 40 %
    code, line = run(capsys)
    assert code == 1 and line.startswith("告警") and "40%" in line and "未能回答比例超过 30%" in line
    code, line = run(capsys, "--refused-share", "0.5")
    assert code == 0 and line.startswith("正常")


def test_thumbs_down_over_the_share_alert(store, capsys, monkeypatch):
    add(store, 12, region="qingdao")
    for i in range(4):
        store.add_feedback(f"{i:032x}", "down" if i < 2 else "up")  # 2 of 4 rated: 50 %
    monkeypatch.setenv("RAG_ALERT_DOWN_SHARE", "0.4")
    code, line = run(capsys)
    assert code == 1 and "没帮助比例超过 40%" in line and "2/4" in line


def test_old_rows_and_thin_traffic_do_not_alert(store, capsys):
    add(store, 30, refused=30, minutes_ago=90)  # refused, but more than an hour ago
    add(store, 3, refused=3, start=100)  # this hour: all refused, but only three questions
    code, line = run(capsys)
    assert code == 0 and "不作判断" in line and "提问 3 条" in line
    code, line = run(capsys, "--window-minutes", "120")
    assert code == 1


def test_a_bad_threshold_is_one_sentence(store, capsys):
    assert main(["report", "--alert", "--refused-share", "3"]) == 2
    assert "0 到 1" in capsys.readouterr().err
