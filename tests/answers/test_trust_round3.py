"""Issue 22, third round: the classes an outside batch found, each with questions of our own that differ in region,
wording and person, on the real model and index (slow). Document numbers asserted in a question, recommendations,
pensions, target years, follow-ups that ask only a quantity or switch the person, comparisons of rules without a
figure, heading benefits (HPV疫苗 under 妇幼健康), 鼓励 with a figure, 免费 the plan does not state, pinyin."""

from __future__ import annotations

import re

import pytest

from rag import messages as M

pytestmark = pytest.mark.slow
VERDICT = re.compile(r"^(有|可以|是|能)[。，,！!]")


def _h(question: str, answer: str) -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


@pytest.mark.parametrize(
    "question, must, must_not",
    [
        ("重庆那个文件是渝委发〔2022〕9号不", ["是的，文号为渝委发〔2022〕9号"], ["不是"]),
        ("重庆文号是渝委发〔2022〕8号对吧", ["不是", "文号为渝委发〔2022〕9号"], ["是的"]),
        ("通化的文件是吉发[2022]3号吗", ["未载明", "无法核对"], ["不是：", "是的"]),
        ("青岛方案的文号是中发〔2021〕30号吗", ["不是", "另一份文件", "中共中央、国务院"], ["是的"]),
    ],
)
def test_a_document_number_in_the_question_is_checked_never_guessed(assistant, question, must, must_not):
    ans = assistant.ask(question)
    assert ans.kind == "meta" and not ans.refused
    assert all(m in ans.answer for m in must), ans.answer
    assert not any(m in ans.answer for m in must_not), ans.answer


@pytest.mark.parametrize(
    "question, must",
    [
        ("北京文件落款是哪个单位", "中共北京市委"),
        ("贵州那个方案只是个草案吗", "正式"),
        ("通化这个文件是不是只是征求意见稿", "征求意见稿，不是正式文件"),
    ],
)
def test_more_wordings_of_meta_questions(assistant, question, must):
    ans = assistant.ask(question)
    assert ans.kind == "meta" and must in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question",
    ["重庆哪个幼儿园最好", "青岛给推荐几家月子中心", "通化哪家托育机构最靠谱", "北京哪家托育园口碑好"],
)
def test_recommendations_get_no_verdict_and_say_the_plans_rank_nothing(assistant, question):
    ans = assistant.ask(question)
    assert "不评价、不推荐" in ans.answer, ans.answer
    assert not VERDICT.match(ans.answer) and "没有规定具体的" not in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question",
    ["贵州养老保险交满15年 退休每月能领多少", "北京退休金一个月多少", "青岛退休以后每个月能领多少钱"],
)
def test_pensions_are_out_of_scope(assistant, question):
    ans = assistant.ask(question)
    assert ans.refused and "15天" not in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question, lead, not_lead",
    [
        ("通化到2035年孕产妇死亡率要降到多少", "12/10万", "14.5/10万"),
        ("通化2025年婴儿死亡率目标", "4‰", "3‰"),
        ("通化2035年每千人口托位数", "8个左右", "4.5个"),
        ("北京到2025年托位要多少", "4.5 个", "到 2025 年，积极"),
    ],
)
def test_a_year_named_picks_that_years_target(assistant, question, lead, not_lead):
    first = assistant.ask(question).answer.splitlines()[0]
    assert lead in first and not_lead not in first, first


def test_targets_of_different_years_are_not_compared(assistant):
    """贵州 states its 托位 target for 2025 only: no rival of 通化's 2035 one (round 5 takes each side's figure for
    the same year when both state one: tests/answers/test_trust_round5.py)."""
    first = assistant.ask("贵州和通化到2035年托位数目标谁高").answer.splitlines()[0]
    assert first.startswith("无法直接比较") and "不同年份" in first, first


def test_equal_figures_with_a_floor_on_one_side_are_said_to_be_the_same_number(assistant):
    first = assistant.ask("北京跟通化到2025年每千人口托位目标哪个高").answer.splitlines()[0]
    assert "数字相同" in first and "下限" in first, first


@pytest.mark.parametrize(
    "history, question, region, must",
    [
        (_h("青岛育儿假几天", "青岛市：…不少于10天育儿假"), "通化是多少", "tonghua", "育儿假累计20天"),
        (_h("北京托位目标是多少", "北京市：…4.5个"), "重庆定的多少", "chongqing", "托位数"),
        (_h("贵州婚假几天", "贵州省：…"), "通化那边给的是多少", "tonghua", "婚假15天"),
    ],
)
def test_a_turn_asking_only_a_quantity_keeps_the_topic(assistant, history, question, region, must):
    ans = assistant.ask(question, history=history)
    assert ans.region == region and must in ans.answer, ans.answer


@pytest.mark.parametrize(
    "history, question, must",
    [
        (
            _h("青岛我是独生女 爸妈住院我能请几天护理假", "青岛市：独生子女每年累计10日的护理假"),
            "那我老公呢 他有个哥哥 他能请几天",
            "非独生子女每年累计7日",
        ),
        (
            _h("通化独生子女父母住院能请几天照护假", "通化市：…"),
            "那我媳妇呢 她有个姐姐 她能请几天",
            "照护",
        ),
        (
            _h("重庆独生子女父母住院能请几天假", "重庆市：…"),
            "那要是爸妈住院 孩子他爸能请几天",
            "护理假",
        ),
    ],
)
def test_a_turn_about_another_family_member_keeps_the_topic(assistant, history, question, must):
    ans = assistant.ask(question, history=history)
    assert must in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question",
    [
        "北京和重庆的出生一件事一样吗",
        "贵州和青岛对失独家庭的帮扶一样吗",
        "孩子多租公租房 北京跟重庆照顾一样不",
    ],
)
def test_rules_without_a_figure_are_shown_side_by_side(assistant, question):
    ans = assistant.ask(question)
    assert ans.answer.startswith(M.COMPARE_SIDE_HEAD), ans.answer
    assert "没有规定具体的" not in ans.answer and len(ans.citations) == 2, ans.answer


@pytest.mark.parametrize("question", ["通化打HPV疫苗免费吗", "北京HPV疫苗免费吗", "重庆宫颈癌疫苗免费吗"])
def test_a_thing_under_a_heading_benefit_is_not_settled_by_another_thing_under_it(assistant, question):
    ans = assistant.ask(question)
    assert not VERDICT.match(ans.answer), ans.answer
    assert "没有提到妇幼健康" not in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question",
    [
        "贵州独生子女照顾生病的爸妈能请陪护假吗，几天",
        "贵州独生子女父母住院 单位能给几天陪护假吗",
        "贵州我是独生子 爸住院能请陪护假吗 多少天",
    ],
)
def test_an_encouraged_figure_is_said_to_be_no_requirement(assistant, question):
    first = assistant.ask(question).answer.splitlines()[0]
    assert not VERDICT.match(first) and "没有规定具体的天数" not in first, first
    assert "15天" in first and "鼓励" in first, first


@pytest.mark.parametrize(
    "question, note",
    [
        ("听说重庆公办幼儿园全部免费了 真的假的", True),
        ("重庆公办幼儿园全免费吗", True),
        ("北京托育是不是都免费", True),
        ("青岛婚检免费吗", False),  # 推行免费婚检 stands in another clause of the plan: never "not stated"
    ],
)
def test_free_of_charge_is_said_not_stated_only_when_no_sentence_of_the_plan_says_it(
    assistant, question, note
):
    ans = assistant.ask(question)
    assert ("没有写明是否免费" in ans.answer) is note, ans.answer
    assert not VERDICT.match(ans.answer), ans.answer


@pytest.mark.parametrize(
    "question, must",
    [
        ("贵州生二胎还要审pi吗", "取消再生育审批"),
        ("qingdao的yuerjia有几天", "10天育儿假"),
        ("通化chanjia能休多少天", "产假"),
    ],
)
def test_pinyin_in_a_question_is_read_as_the_word(assistant, question, must):
    ans = assistant.ask(question)
    assert not ans.refused and must in ans.answer, ans.answer


@pytest.mark.parametrize(
    "history, question, must, must_not",
    [
        (
            _h("北京育儿假几天", "北京市：设立父母育儿假"),
            "这个去哪申请",
            "没有写明到哪里、怎样申请",
            "没有规定具体的天数",
        ),
        (_h("青岛育儿假几天", "青岛市：…10天"), "这个假外地户口能休吗", "育儿假", "没有找到"),
        (_h("重庆育儿补贴怎么发", "重庆市：…"), "这个文件是谁发的", "中共重庆市委", "育儿补贴"),
        (_h("北京育儿假几天", "北京市：…"), "这个政策啥时候开始的", "2022年1月21日", "没有规定"),
    ],
)
def test_this_refers_to_the_rule_just_answered_or_to_the_document(
    assistant, history, question, must, must_not
):
    ans = assistant.ask(question, history=history)
    assert must in ans.answer and must_not not in ans.answer, ans.answer


@pytest.mark.parametrize(
    "history, question, must",
    [
        (_h("通化个税能扣多少", "通化市：…2000元"), "那青岛呢", "个人所得税专项扣除"),
        (_h("青岛孕产妇死亡率目标", "青岛市：8/10万"), "通化的呢 2035年", "12/10万"),
        (_h("贵州婚假几天", "贵州省：…"), "那通化呢", "婚假15天"),
    ],
)
def test_a_region_switch_is_asked_as_if_the_place_were_named(assistant, history, question, must):
    ans = assistant.ask(question, history=history)
    assert not ans.refused and must in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question",
    ["青岛外地户口生孩子有育儿补贴吗", "青岛生孩子有补贴吗", "青岛非本市户籍的家庭生二孩能领生育补贴吗"],
)
def test_what_an_encouraged_system_would_give_is_no_benefit(assistant, question):
    # 鼓励各级建立生育补助制度，对本市户籍…家庭给予生育补贴: the 对… part says what the encouraged system would give
    ans = assistant.ask(question)
    assert not VERDICT.match(ans.answer), ans.answer
    assert "青岛" in ans.answer and not ans.refused


@pytest.mark.parametrize(
    "question, region",
    [
        ("能休陪产假吗，北京几天", "beijing"),
        ("重庆陪产假能休吗？能休几天", "chongqing"),
        ("贵州男方能休护理假吗，几天", "guizhou"),
    ],
)
def test_days_not_stated_do_not_deny_the_leave(assistant, question, region):
    # the plan grants the leave (严格落实…陪产假) without its days: "没有" would read as "no leave"
    ans = assistant.ask(question)
    assert ans.region == region and not ans.answer.startswith(M.NO), ans.answer
    assert "没有规定具体的天数" in ans.answer, ans.answer


def test_whether_a_figure_is_set_is_answered_no_when_it_is_not(assistant):
    ans = assistant.ask("贵州有没有规定陪产假多少天")
    assert ans.answer.startswith(M.NO) and "没有规定具体的天数" in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question",
    ["通化多子女家庭能多买一套房吗", "北京三孩家庭可以多买一套房吗", "重庆二孩家庭买房能增购一套吗"],
)
def test_a_housing_clause_on_another_thing_does_not_allow_another_home(assistant, question):
    # 公租房 户型照顾 or 公积金 for a first home is no word on buying one more home
    ans = assistant.ask(question)
    assert not VERDICT.match(ans.answer), ans.answer


@pytest.mark.parametrize(
    "question",
    ["青岛休产假扣工资吗", "通化请育儿假扣工资吗", "重庆取消社会抚养费了吗", "贵州社会抚养费取消了没有"],
)
def test_a_question_about_a_loss_gets_no_verdict_word(assistant, question):
    # 扣工资吗 over …工资照发: "有" would say the pay is docked; 取消了吗 over 取消社会抚养费: "没有" would deny it
    ans = assistant.ask(question)
    assert not re.match(r"^(有|可以|没有|不可以)[。，]", ans.answer), ans.answer


@pytest.mark.parametrize(
    "question, must", [("贵州超生了还罚款不", "取消社会抚养费"), ("通化生四胎会被罚款吗", "取消社会抚养费")]
)
def test_fines_for_births_are_read_as_the_social_maintenance_fee(assistant, question, must):
    ans = assistant.ask(question)
    assert must in ans.answer and not ans.refused, ans.answer


@pytest.mark.parametrize(
    "history, question, must",
    [
        (
            _h("通化育儿假有几天", "通化市：…每人每年各享受育儿假累计20天。"),
            "我是开厂的 这些假休的时候工资谁出",
            "用工单位承担",
        ),
        (_h("通化婚假几天", "通化市：婚假15天"), "休假期间工资照发吗", "用工单位承担"),
        (
            _h("青岛住院分娩补贴多少", "青岛市：…给予不低于500元住院分娩补贴。"),
            "是不是只有青岛户口的才能拿",
            "在我市医疗保健机构分娩",
        ),
        (_h("通化托育补贴多少钱", "通化市：…"), "外地户口的能领吗", "户籍"),
    ],
)
def test_a_follow_up_on_who_may_have_it_or_its_pay_keeps_the_rule(assistant, history, question, must):
    ans = assistant.ask(question, history=history)
    assert must in ans.answer and not ans.refused, ans.answer


@pytest.mark.parametrize(
    "question, must",
    [
        ("贵州独生子女职工每年那个15天的假 是育儿假不", ["不是", "10天", "陪护假"]),
        ("通化育儿假是不是15天", ["不是", "20天", "婚假15天"]),
        ("通化那个25天的假是陪产假吗", ["是", "护理假25天"]),
    ],
)
def test_a_figure_asserted_for_another_benefit_is_corrected_with_where_it_stands(assistant, question, must):
    ans = assistant.ask(question)
    assert all(m in ans.answer for m in must), ans.answer


@pytest.mark.parametrize(
    "question",
    ["北京到2035年 每千人托位是不是要达到8个", "北京2035年托位目标是多少", "青岛2035年每千人托位多少个"],
)
def test_a_target_year_the_plan_has_no_figure_for_is_said(assistant, question):
    ans = assistant.ask(question)
    assert ans.answer.startswith("方案没有写到2035年的这项目标，下面是到2025年的目标"), ans.answer


@pytest.mark.parametrize(
    "question, must",
    [
        ("青岛这个生育方案 正式出台了没得 还是征求意见稿", ["征求意见稿", "2023年5月11日"]),
        ("通化那个生育措施 是哪个区发的 文号多少", ["未载明"]),
        ("贵州的方案是哪个部门发的", ["中共贵州省委"]),
    ],
)
def test_meta_questions_with_two_asks_or_dialect(assistant, question, must):
    ans = assistant.ask(question)
    assert ans.kind == "meta" and all(m in ans.answer for m in must), ans.answer


def test_two_enumerations_of_the_same_measures_are_compared_item_by_item(assistant):
    ans = assistant.ask("北京和重庆的出生一件事联办 办的事项有啥不一样")
    assert "区别：北京市列出的“生育保险报销”，重庆市的这条规定没有列出" in ans.answer, ans.answer
    ans = assistant.ask("青岛和通化出生一件事能一起办的事有啥区别")
    assert "区别" not in ans.answer, ans.answer  # the same five items, in another order


@pytest.mark.parametrize("question", ["重庆二孩家庭买房有啥优惠"])
def test_a_list_of_a_thing_no_rule_speaks_of_says_so(assistant, question):
    ans = assistant.ask(question)
    assert "没有写到“买房”" in ans.answer, ans.answer


@pytest.mark.parametrize("question", ["青岛婚前检查免费吗", "贵州结婚前做婚检免费吗", "通化孕前检查免费吗"])
def test_free_is_looked_for_under_the_plans_other_words_for_the_thing(assistant, question):
    ans = assistant.ask(question)
    plan_says_free = not question.startswith("贵州")
    assert ("没有写明是否免费" in ans.answer) != plan_says_free, ans.answer
