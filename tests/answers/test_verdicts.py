"""Verdicts come from claims only: the real model and index on every question of the project's sets, plus the false
verdicts, premises, comparisons and not-stated answers of issue 22 (slow)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag import messages as M
from rag.answers import premise
from rag.benefits import claims as C

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
VERDICT = re.compile(r"^(有|可以|是|能)[。，,！!]")


def _questions(assistant) -> list[tuple[str, list]]:
    """(question, history) of eval/citizen.jsonl, the page's example questions, and those of eval/gold.jsonl that
    a verdict could open (yes/no form or an asserted figure: the fact, list and compare composers write no
    verdict word, and asking all 217 gold questions would double the test's time)."""
    out = []
    for name in ("citizen.jsonl", "gold.jsonl"):
        for line in (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            q, history = row["question"], row.get("history") or []
            if name == "gold.jsonl":
                rec = assistant.question(q, history)
                if rec.form != "yesno" and premise.asserted(rec.topic) is None:
                    continue
            out.append((q, history))
    for name in (
        "citizen-fresh1.jsonl",
        "citizen-fresh2.jsonl",
        "citizen-fresh3.jsonl",
        "citizen-fresh4.jsonl",
        "citizen-fresh5.jsonl",
        "citizen-fresh6.jsonl",
        "citizen-fresh7.jsonl",
        "citizen-fresh8.jsonl",
        "citizen-fresh9.jsonl",
        "citizen-fresh10.jsonl",
    ):
        # the fresh batches written from the plans by people who had not read the code (outside scorer format)
        path = ROOT / "eval" / name
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else ()
        out += [(r["question"], r.get("history") or []) for r in map(json.loads, filter(str.strip, lines))]
    out += [(q, []) for q in M.PAGE_EXAMPLES_AUTO]
    for r in ("北京", "重庆", "贵州", "青岛", "通化"):
        out += [(t.format(r=r), []) for t in M.PAGE_EXAMPLE_TEMPLATES]
    return out


def _body(ans) -> str:
    text = ans.answer
    if ans.notice and text.startswith(ans.notice):
        text = text[len(ans.notice) :].lstrip("\n")
    return text


def _supported(assistant, q, ans) -> str:
    """ "" when a 规定 claim of the first cited clause names the benefit asked (and, for 是, states the asserted
    figure); else why not."""
    if not ans.citations:
        return "a verdict without a cited clause"
    hit = ans.citations[0]
    sentences = ans.highlights.get(hit.chunk.id) or []
    lex = assistant.questions.lexicon
    mine = C.about(C.sentence_claims(lex, hit.chunk.text, sentences), q.benefits)
    granted = [c for c in mine if c.grants]
    if not granted:
        return f"no 规定 claim about {q.benefits} in {sentences}"
    if _body(ans).startswith("是"):
        fig = premise.asserted(q.topic)
        vals = {premise._value(v) for c in granted for v in c.values}
        if fig is None or fig not in vals:
            return f"是 without the asserted figure in {sentences}"
    return ""


def test_no_answer_of_the_project_sets_opens_with_an_unsupported_verdict(assistant):
    bad = []
    for question, history in _questions(assistant):
        ans = assistant.ask(question, history=history)
        if ans.refused or not VERDICT.match(_body(ans)):
            continue
        why = _supported(assistant, assistant.question(question, history), ans)
        if why:
            bad.append((question, _body(ans)[:60], why))
    assert not bad, bad


@pytest.mark.parametrize(
    "question, must, must_not",
    [
        ("北京育儿假今年没休完，能攒到明年吗", "没有写到", "可以"),
        ("重庆的育儿假没休完可以留到下一年用吗", "没有写到", "可以"),
        ("通化多子女家庭买房，公积金能多贷点不", "没有提到住房公积金", "可以"),
        ("北京家里孩子多，买房能用公积金多贷吗", "没有提到住房公积金", "可以"),
        ("北京生三胎有奖励吗", "逐步建立", "有。"),
        ("重庆有没有育儿补贴", "鼓励", "有。"),
        ("贵州生三孩有没有养育补贴", "", "有。"),
    ],
)
def test_no_false_verdict(assistant, question, must, must_not):
    a = assistant.ask(question)
    assert not _body(a).startswith(must_not), a.answer
    assert must in a.answer, a.answer


@pytest.mark.parametrize(
    "question, lead, fact",
    [
        ("青岛育儿假是不是20天", "不是。", "10天"),
        ("听说通化婚假是10天，对吗", "不是。", "15天"),
        ("通化产假是180天吗", "是。", "180天"),
        ("我老公在青岛，陪产假有15天吗", "是。", "15天"),
    ],
)
def test_asserted_figures_are_checked(assistant, question, lead, fact):
    a = assistant.ask(question)
    assert _body(a).startswith(lead) and fact in a.answer, a.answer


def test_a_same_number_elsewhere_never_confirms(assistant):
    a = assistant.ask("听说青岛生孩子给3000块")
    assert not _body(a).startswith("是") and "无法证实" in a.answer and "另一项规定" in a.answer, a.answer
    b = assistant.ask("北京生三孩奖励一万块是真的吗")
    assert not _body(b).startswith(("是", "有")) and "无法证实" in b.answer, b.answer


def test_comparisons_conclude_when_both_sides_state_a_figure(assistant):
    a = assistant.ask("贵州 青岛 通化 男的陪产假哪里最长")
    first = a.answer.split("\n")[0]
    assert "通化市" in first and "更长" in first and "下限" in first, a.answer
    b = assistant.ask("青岛和通化独生子女父母住院，子女的护理假哪边多")
    assert b.answer.split("\n")[0].startswith("通化市"), b.answer


def test_comparison_says_which_side_states_none(assistant):
    a = assistant.ask("重庆产假跟青岛比 哪边长")
    first = a.answer.split("\n")[0]
    assert "只有青岛市" in first and "重庆市的方案没有规定" in first, a.answer
    assert "青岛市（征求意见稿）：方案中提到产假，但没有规定" not in a.answer  # 青岛 adds 60天: not misstated
    b = assistant.ask("北京 青岛 通化 三岁以下孩子个税 每月各能扣多少")
    assert b.answer.startswith("无法直接比较：只有通化市"), b.answer


def test_not_stated_gives_the_next_step(assistant):
    a = assistant.ask("北京办托育园 水电能按居民价交吗")
    assert "没有写到" in a.answer and "便民热线" in a.answer and "北京市人民政府" in a.answer, a.answer
    assert not _body(a).startswith(("有", "可以")), a.answer
    assert (
        "并非您问的内容" not in a.answer
    )  # the nearest clause is labelled nearest, not "not what you asked"
    b = assistant.ask("青岛哪家医院生孩子比较好")
    assert b.refused, b.answer


@pytest.mark.parametrize(
    "question, says",
    [
        ("通化的婚假要去哪儿申请", "到哪里、怎样申请"),
        ("我是孩子奶奶，北京的出生一件事去哪办", "到哪里"),
        ("贵州免费孕前优生健康检查要带什么证件", "需要带哪些材料"),
        ("重庆普惠托位现在已经建了多少个", "目前实际已经达到多少"),
    ],
)
def test_procedure_questions_say_what_the_plan_does_not_state(assistant, question, says):
    """The nearest clause stays, but never reads as if it answered where / how / with which papers."""
    a = assistant.ask(question)
    assert not a.refused and "方案没有写明" in a.answer and says in a.answer, a.answer
    assert "建议咨询" in a.answer and not VERDICT.match(_body(a)), a.answer


@pytest.mark.parametrize(
    "question, history",
    [
        ("外地户口在青岛生的也给吗", [{"role": "user", "content": "青岛生孩子有住院分娩补贴没"}]),
        ("我是外地人，在重庆生娃，生育津贴能拿吗", []),
        ("非本地户籍的在北京能休育儿假不", []),
    ],
)
def test_household_questions_get_no_verdict_the_plan_does_not_support(assistant, question, history):
    a = assistant.ask(question, history=history)
    assert not VERDICT.match(_body(a)) and "户籍" in a.answer, a.answer


@pytest.mark.parametrize(
    "question, history, must",
    [
        ("贵州婚假能休几天", [], "贵州省的方案中没有提到婚假"),
        ("那贵州呢", [{"role": "user", "content": "通化结婚能休几天婚假"}], "没有提到婚假"),
        ("那一年能休几天", [{"role": "user", "content": "重庆独生子女照顾住院的老人 有护理假吗"}], "天数"),
        ("那青岛能休几天", [{"role": "user", "content": "北京独生子女父母住院 子女有护理假吗"}], "10日"),
    ],
)
def test_a_benefit_a_plan_never_names_is_said_not_refused(assistant, question, history, must):
    """A named or carried-over benefit the region's plan is silent on: an answer saying so, not a refusal."""
    a = assistant.ask(question, history=history)
    assert not a.refused and must in a.answer, a.answer


def test_the_part_naming_the_asked_words_decides_the_verdict(assistant):
    """各区县逐步建立…运营补贴制度，…对示范性托育机构给予奖补: 运营补贴 is only announced."""
    a = assistant.ask("重庆的托育机构能拿到运营补贴吗")
    assert not VERDICT.match(_body(a)) and "逐步建立" in a.answer, a.answer


@pytest.mark.parametrize(
    "question",
    ["网上说北京生二胎奖两万 真假", "朋友说贵州产假有200天，是真是假", "有人说通化生三孩奖励五万块 真的假的"],
)
def test_hearsay_figures_are_checked_not_echoed(assistant, question):
    """Hearsay (网上说 / 朋友说 / 有人说 … 真假) asserts a figure just as 听说 does."""
    a = assistant.ask(question)
    assert not VERDICT.match(_body(a)) and ("无法证实" in a.answer or _body(a).startswith("不是")), a.answer


@pytest.mark.parametrize("question", ["通化送托 每个月补多少", "青岛托育机构 有什么支持", "北京育儿假几天"])
def test_no_rule_is_said_only_of_a_benefit_the_plan_never_names(assistant, question):
    """ "…的方案中没有提到…" is a claim about the whole plan: never made for a benefit some clause of it names."""
    a = assistant.ask(question)
    assert "的方案中没有提到" not in a.answer, a.answer


@pytest.mark.parametrize(
    "question, before, must",
    [
        ("外地户口的也给吗", "青岛生孩子有住院分娩补贴没", "500元"),
        ("男方也有吗", "通化育儿假有几天", "20天"),
        ("二胎也能领吗", "青岛三孩保育费补助每月多少", "300元"),
    ],
)
def test_also_turns_keep_the_topic(assistant, question, before, must):
    """也给吗 / 也有吗 / 也能领吗 ask the same benefit again for another person or case."""
    a = assistant.ask(question, history=[{"role": "user", "content": before}])
    assert must in a.answer and not a.refused, a.answer
