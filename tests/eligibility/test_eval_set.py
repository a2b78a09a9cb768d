"""The hand-written family scenarios (eval/eligibility.jsonl) against the screen: nothing marked 符合 that the plan
does not grant that family (precision of 符合 = 1.0) and at least 0.9 of the scenarios' items found."""

from __future__ import annotations

from pathlib import Path

import pytest
from _plans import ROOT, plans

from rag.eligibility import family as F
from rag.evaluation import eligibility as EV

SET = ROOT / "eval" / "eligibility.jsonl"


@pytest.fixture(scope="module")
def scenarios():
    return EV.load(SET)


def test_the_set_covers_what_the_issue_asks(scenarios):
    assert len(scenarios) >= 40
    regions = {F.from_dict(s["family"]).region for s in scenarios}
    assert {"北京", "重庆", "贵州", "青岛", "通化"} <= regions
    fams = [F.from_dict(s["family"]) for s in scenarios]
    assert sum(not s["expected"] for s in scenarios) >= 3  # qualify for nothing specific
    assert any(f.local_hukou == "no" for f in fams)
    assert any(any(c.order == 3 for c in f.children) for f in fams)
    assert any(any((c.age_months or 0) > 36 for c in f.children) for f in fams)
    assert any(all(c.order is None and c.age_months is None for c in f.children) for f in fams)


def test_met_precision_is_one_and_recall_at_least_point_nine(scenarios, tmp_path):
    scores = EV.run(plans(), SET, tmp_path)
    assert scores["met_precision"] == 1.0, (tmp_path / "eligibility.md").read_text(encoding="utf-8")
    assert scores["item_recall"] >= 0.9 and scores["status_agreement"] >= 0.95
    assert (tmp_path / "eligibility.json").is_file()


def test_a_wrong_met_is_caught(tmp_path):
    """The metric can fail: a scenario expecting 可能符合 where the screen says 符合 lowers the precision of 符合."""
    line = (
        '{"id": "x", "family": {"region": "青岛", "children": [{"order": 2, "age_months": 3}], "parents": '
        '[{"role": "mother", "employment": "employed"}]}, "expected": [{"benefit": "延长产假", "figure": "60天", '
        '"status": "可能符合"}]}'
    )
    path = Path(tmp_path / "one.jsonl")
    path.write_text(line + "\n", encoding="utf-8")
    scores = EV.run(plans(), path, tmp_path)
    assert scores["met_precision"] == 0.0 and scores["status_agreement"] == 0.0
