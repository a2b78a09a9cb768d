"""What a question asks about a rule (where, papers, places, today's figure, a sum, 户籍) and whether the quoted
clause speaks of it: questions differing in region, wording and person (rag/data/aspects.toml)."""

from __future__ import annotations

import pytest

from rag.answers import aspects

SILENT_CLAUSE = "对按政策在我市医疗保健机构分娩产妇，给予不低于500元住院分娩补贴。"


@pytest.mark.parametrize(
    "question, named, phrase",
    [
        ("住院分娩补贴 去哪申请 要带啥材料", {"where", "papers"}, "申请"),
        ("免费孕前检查 在哪做 要预约不", {"where"}, "到哪里"),
        ("想开个托育点 备案去哪个部门办", {"where"}, "备案"),
        ("我是外婆，孙女的生育津贴找谁领", {"where"}, "领取"),
        ("上户口要带哪些证件", {"papers"}, "材料"),
        ("儿童早期发展示范基地具体建在哪几个区县", {"which_places"}, "名单"),
        ("现在全省一共有多少个托位了", {"today"}, "目前"),
        ("生孩子一共能休多少天假 全加起来", {"total"}, "合计"),
        ("外地户口在这边生的也给吗", {"household"}, "户籍"),
        ("我老公是农村户口，能休陪产假不", {"household"}, "户籍"),
    ],
)
def test_asked_aspects_are_named_when_the_clause_is_silent(question, named, phrase):
    assert {a.name for a in aspects.asked(question)} == named
    assert phrase in aspects.unstated(question, SILENT_CLAUSE)


@pytest.mark.parametrize(
    "question",
    ["育儿假有几天", "在哪些方面支持托育", "生孩子能报销吗", "那边的产假多长", "婚假几天"],
)
def test_ordinary_questions_ask_no_aspect(question):
    assert aspects.asked(question) == ()


@pytest.mark.parametrize(
    "question, clause",
    [
        ("育儿补贴去哪申请", "由父母向户籍地乡镇（街道）提出申请。"),
        ("要带什么材料", "申请时需提供结婚证、出生医学证明等材料。"),
        ("外地户口能领吗", "对本市户籍符合生育政策生育子女的家庭给予生育补贴。"),
    ],
)
def test_a_clause_that_speaks_of_the_aspect_is_left_alone(question, clause):
    assert aspects.unstated(question, clause) == ""
