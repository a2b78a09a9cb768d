"""`rag benefits` and `rag benefits rules` as a user runs them: a real process over the real index."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def rag(*args):
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", "benefits", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


@pytest.fixture(scope="module", autouse=True)
def _index(assistant):  # the project index is built and current
    return assistant


def test_the_issue_example_in_text_and_json():
    args = [
        "--region",
        "青岛",
        "--child",
        "2:3",
        "--parent",
        "mother:employed",
        "--parent",
        "father:employed",
    ]
    p = rag(*args)
    assert p.returncode == 0, p.stderr
    assert "【符合】延长产假：女职工增加60天产假" in p.stdout and "依据：《" in p.stdout
    assert "补充以下情况可让结果更准确" in p.stdout and "征求意见稿" in p.stdout
    d = json.loads(rag(*args, "--json").stdout)
    assert d["region"] == "qingdao" and {"items", "questions", "notes", "message"} <= set(d)
    assert {i["status"] for i in d["items"]} == {"符合", "可能符合"}


def test_rules_beside_their_clause():
    p = rag("rules", "--region", "通化")
    assert p.returncode == 0, p.stderr
    assert (
        "tonghua-2.1.4-1\t产假\t180天\t规定" in p.stdout and "原文：符合法律法规规定生育的女职工" in p.stdout
    )
    d = json.loads(rag("rules", "--region", "tonghua", "--json").stdout)
    assert d["region"] == "tonghua" and all(r["clause_id"].startswith("tonghua-") for r in d["rules"])


@pytest.mark.parametrize(
    "args, words",
    [
        (["--region", "火星", "--child", "1:1"], "已收录的地区"),
        (["--region", "青岛", "--child", "2:-3"], "月龄"),
        (["--region", "青岛", *["--child", "1:1"] * 11], "最多填写 10 个"),
        (["--child", "1:1"], "--region"),
        (["--region", "青岛", "--parent", "boss:employed"], "mother / father"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, words):
    p = rag(*args)
    assert p.returncode == 2 and words in p.stderr and "Traceback" not in p.stderr
