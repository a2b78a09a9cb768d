"""Issue 22, fourth round: classes found by probing with questions of our own (real model and index, slow). A
non-local 户口 written as 没有X户口 / 户口没迁过来; the asker's trade (个体户) mistaken for the benefit asked; a
can-question naming the figure it hopes for (能休30天不); an announced money scheme asked as 政府给钱不; 提拔 read as the
plans' 评先选优 / 晋升职级."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow
VERDICT = re.compile(r"^(有|可以|是|能)[。，,！!]")


@pytest.mark.parametrize(
    "question",
    [
        "北京没有北京户口能享受这些政策吗",
        "我不是青岛户口，在青岛上班，能休育儿假不",
        "我老家是河南的，户口没迁过来，在青岛生娃有托育补助吗",
        "不是通化本地人能享受育儿假吗",
    ],
)
def test_a_non_local_household_gets_no_verdict_and_is_told_the_plan_is_silent(assistant, question):
    ans = assistant.ask(question)
    assert not VERDICT.match(ans.answer), ans.answer
    assert "对户籍有没有要求" in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question, must",
    [
        ("我是个体户，在青岛生孩子能领生育津贴吗", "生育津贴"),
        ("我在北京开了个小店，个体户，生孩子有生育保险吗", "生育保险"),
        ("重庆个体工商户能休产假吗", "产假"),
    ],
)
def test_the_askers_trade_does_not_replace_the_benefit_asked(assistant, question, must):
    ans = assistant.ask(question)
    assert "创业税收优惠" not in ans.answer and "增值税" not in ans.answer, ans.answer
    assert must in ans.answer and not VERDICT.match(ans.answer), ans.answer


def test_a_trade_alone_still_asks_about_its_tax_relief(assistant):
    ans = assistant.ask("个体户在通化有啥税收优惠")
    assert "增值税" in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question, lead, must",
    [
        ("青岛陪产假能休30天不", "青岛市的方案对陪产假规定的是", "不少于15天"),
        ("重庆产假能休一年吗", "没有规定产假具体的天数", ""),
        ("北京男方陪产假能休一个月吗", "没有规定陪产假具体的天数", ""),
        ("北京生孩子能领3000块吗", "没有规定", ""),
        ("通化育儿假能请20天吗", "可以。", "20天"),
        ("通化婚假能休15天吗", "可以。", "婚假15天"),
    ],
)
def test_a_hoped_for_figure_is_checked_against_the_plan(assistant, question, lead, must):
    ans = assistant.ask(question)
    assert ans.answer.startswith(lead) or lead in ans.answer.split("。")[0], ans.answer
    assert must in ans.answer, ans.answer
    if lead != "可以。":
        assert not VERDICT.match(ans.answer) and not ans.answer.startswith("不"), ans.answer


@pytest.mark.parametrize(
    "question, region_words",
    [
        ("北京生二胎政府给钱不", "逐步建立"),
        ("北京生老二国家发钱吗", "逐步建立"),
        ("重庆生三胎政府给钱吗", "鼓励"),
        ("重庆生二孩能领钱不", "鼓励"),
    ],
)
def test_an_announced_money_scheme_says_no_amount_is_set(assistant, question, region_words):
    ans = assistant.ask(question)
    assert ans.answer.startswith("方案中没有规定具体的金额"), ans.answer
    assert region_words in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question, must",
    [
        ("贵州公务员多生孩子影响提拔吗", "评先选优"),
        ("通化生三胎会影响我升职不", "晋升职级"),
        ("贵州多生娃会不会影响评优", "评先选优"),
    ],
)
def test_promotion_is_read_as_the_plans_words(assistant, question, must):
    ans = assistant.ask(question)
    assert must in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question, person",
    [("贵州男的能休产假吗", "男的"), ("青岛老公也能休产假吗", "老公"), ("通化当爹的能不能请产假", "当爹的")],
)
def test_a_man_asking_for_maternity_leave_is_shown_the_leave_for_fathers(assistant, question, person):
    ans = assistant.ask(question)
    assert ans.answer.startswith("没有。产假不适用于") and person in ans.answer.split("。")[1], ans.answer
    assert "陪产假的规定是" in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question", ["青岛孩子看病能报销吗", "通化小孩生病了医保能报不", "北京宝宝看病有补贴不"]
)
def test_a_childs_illness_is_not_answered_yes_from_a_childbirth_rule(assistant, question):
    ans = assistant.ask(question)
    assert not VERDICT.match(ans.answer), ans.answer


def test_childbirth_in_hospital_keeps_its_verdict(assistant):
    assert assistant.ask("青岛生孩子住院能报销吗").answer.startswith("可以。")


@pytest.mark.parametrize(
    "question, unsaid",
    [
        ("通化婚假15天是不是只有第一次结婚才有", "第一次"),
        ("贵州的10天育儿假是每个孩子10天吗", "每个"),
        ("青岛育儿假是不是每年10天，只有妈妈能休", "只有妈妈"),
    ],
)
def test_a_true_figure_with_an_unstated_condition_is_no_yes(assistant, question, unsaid):
    ans = assistant.ask(question)
    assert not ans.answer.startswith("是。"), ans.answer
    assert "规定的是" in ans.answer.split("\n")[0] and unsaid in ans.answer, ans.answer


@pytest.mark.parametrize("question", ["青岛育儿假是不是10天", "通化产假是180天吗", "通化婚假是15天对吧"])
def test_a_true_figure_alone_is_still_yes(assistant, question):
    assert assistant.ask(question).answer.startswith("是。")


@pytest.mark.parametrize(
    "question, rule",
    [
        ("通化那个25天的假是给妈妈的吧", "护理假25天"),
        ("青岛那个60天是给爸爸的吧", "增加60天产假"),
        ("贵州那15天的假是给谁的，是给男的吗", "15天的陪护假"),
    ],
)
def test_a_figure_without_a_benefit_shows_the_rule_that_holds_it(assistant, question, rule):
    ans = assistant.ask(question)
    assert ans.answer.split("：")[0].endswith("这个数字出自这项规定") and rule in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question",
    ["北京有没有育儿补贴 每个孩子能领到钱不", "重庆生娃 每个月政府给钱不", "青岛35岁以上做试管能补钱不"],
)
def test_an_announced_scheme_sets_no_sum_whatever_else_is_asked(assistant, question):
    assert assistant.ask(question).answer.startswith("方案中没有规定具体的金额")


@pytest.mark.parametrize("question", ["青岛孩子上托育有补助没", "青岛送娃入托 政府给补钱不"])
def test_no_sum_is_never_said_where_another_clause_grants_one(assistant, question):
    ans = assistant.ask(question)
    assert not ans.answer.startswith("方案中没有规定具体的金额"), ans.answer


@pytest.mark.parametrize(
    "question",
    ["北京的文件现在还有效吗", "通化那个方案过期了没", "重庆的文件还在执行吗", "贵州方案有效期多久"],
)
def test_validity_is_a_meta_question_answered_without_a_guess(assistant, question):
    ans = assistant.ask(question)
    assert ans.kind == "meta" and "没有写明有效期" in ans.answer, ans.answer
    assert not re.match(r"^(有|没有|可以|是|不是)[。，]", ans.answer), ans.answer


def test_a_benefit_still_in_force_is_no_meta_question(assistant):
    assert assistant.ask("北京育儿假还有效吗").kind != "meta"


@pytest.mark.parametrize("question", ["青岛买车有补贴吗", "通化买电动车给补贴不"])
def test_a_thing_the_plans_never_name_is_not_answered_as_an_announced_scheme(assistant, question):
    ans = assistant.ask(question)
    assert not ans.answer.startswith("方案中没有规定具体的金额"), ans.answer


def _h(question: str, answer: str) -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


@pytest.mark.parametrize(
    "question, history",
    [
        ("青岛孩子4岁了还能休育儿假吗", []),
        ("贵州娃都五岁了父母还有育儿假不", []),
        ("孩子4岁了还能休吗", _h("通化育儿假几天", "通化市：每人每年各享受育儿假累计20天。")),
    ],
)
def test_a_child_past_the_rules_age_limit_gets_no_yes_and_the_limit_is_said(assistant, question, history):
    ans = assistant.ask(question, history=history)
    assert not VERDICT.match(ans.answer), ans.answer
    assert "您说的孩子年龄已不在这个范围内" in ans.answer, ans.answer


def test_a_child_under_the_limit_gets_no_age_note(assistant):
    assert "年龄已不在" not in assistant.ask("青岛孩子两岁能休育儿假吗").answer


@pytest.mark.parametrize(
    "question, history",
    [
        ("外地户口可以吗", _h("青岛二孩能多买一套房吗", "青岛市：…二孩、三孩居民家庭可增购1套住房。")),
        ("我不是青岛户口，市南区二孩能增购一套房吗", []),
        ("户口不在青岛，生了三孩能多买一套房不", []),
    ],
)
def test_a_rule_for_local_households_gives_a_non_local_asker_no_yes(assistant, question, history):
    ans = assistant.ask(question, history=history)
    assert not VERDICT.match(ans.answer), ans.answer
    assert "这条规定写明适用于" in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question, history",
    [
        ("双胞胎能多休吗", _h("通化育儿假几天", "通化市：每人每年各享受育儿假累计20天。")),
        ("那我能多请几天不", _h("青岛陪产假几天", "青岛市：配偶享受不少于15天陪产假。")),
        (
            "还能多领点吗",
            _h("青岛入托有补助吗", "青岛市：二孩每人每月300元、三孩每人每月380元的保育费补助。"),
        ),
    ],
)
def test_a_turn_asking_more_of_the_same_keeps_the_topic(assistant, question, history):
    rec = assistant.question(question, history)
    assert rec.benefits, (rec.topic, rec.benefits)
    assert "胞胞" not in assistant.ask(question, history=history).answer


@pytest.mark.parametrize(
    "history, question, must",
    [
        (_h("通化产假多少天", "通化市：女职工享受产假180天。"), "那我老公呢", "护理假25天"),
        (_h("通化产假多少天", "通化市：女职工享受产假180天。"), "那爸爸能休几天", "护理假25天"),
        (_h("青岛陪产假几天", "青岛市：配偶享受不少于15天陪产假。"), "那我老婆呢", "60天产假"),
    ],
)
def test_a_turn_naming_the_other_parent_asks_that_parents_leave(assistant, history, question, must):
    ans = assistant.ask(question, history=history)
    assert must in ans.answer, ans.answer


def test_a_benefit_named_only_in_a_heading_is_never_said_to_be_unmentioned(assistant):
    ans = assistant.ask("通化再婚家庭生孩子能享受三孩政策吗")
    assert "没有提到三孩" not in ans.answer and ans.answer.startswith("方案提到了三孩生育政策"), ans.answer


@pytest.mark.parametrize("question", ["贵州生孩子有生育补贴吗", "重庆在医院生孩子 有没有住院分娩补贴"])
def test_a_benefit_the_plan_never_words_is_still_unmentioned(assistant, question):
    assert assistant.ask(question).answer.startswith("方案中没有提到")


@pytest.mark.parametrize(
    "question, must",
    [
        ("重庆住公租房 家里添了二娃 能换个大点的不", "调换公租房房源"),
        ("青岛住公租房的，生了三孩能换房吗", "调换"),
    ],
)
def test_changing_to_a_bigger_rented_flat_is_read_as_the_plans_swap(assistant, question, must):
    assert must in assistant.ask(question).answer.split("\n")[0]


@pytest.mark.parametrize(
    "question, lead",
    [
        ("通化男的护理假180天 女的产假25天 是这么规定的不", "不是。"),
        ("青岛陪产假60天 产假15天对吧", "不是。"),
        ("通化女的产假180天 男的护理假25天 是这么规定的不", "是。"),
    ],
)
def test_figures_asserted_for_two_benefits_are_each_checked_with_their_own(assistant, question, lead):
    assert assistant.ask(question).answer.startswith(lead)


def test_an_encouraged_rule_with_an_age_is_no_stated_sum(assistant):
    ans = assistant.ask("青岛女的过了35岁做试管婴儿 政府给不给补贴 能给多少")
    assert ans.answer.startswith("方案中没有规定具体的金额"), ans.answer


@pytest.mark.parametrize(
    "question, must",
    [
        ("青岛那个生育方案 是正式出台了 还是在征求意见", "这是征求意见稿"),
        ("重庆优化生育的实施方案 文号是好多 哪天印发的", "渝委发〔2022〕9号"),
        ("北京的方案还在征求意见吗", "正式印发"),
    ],
)
def test_meta_questions_in_more_wordings(assistant, question, must):
    ans = assistant.ask(question)
    assert ans.kind == "meta" and must in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question",
    [
        "重庆娃娃生下来过了三四个月才上医保 前头住院的钱也能补报吧",
        "重庆宝宝满100天才参保，出生时的医疗费能报吗",
    ],
)
def test_a_time_since_birth_past_the_rules_window_gets_no_yes(assistant, question):
    ans = assistant.ask(question)
    assert not VERDICT.match(ans.answer) and "这条规定写的是90天内" in ans.answer, ans.answer


@pytest.mark.parametrize("question", ["重庆坐月子请月嫂 政府给补贴不", "北京请保姆带娃政府给补贴吗"])
def test_a_thing_no_plan_names_is_said_unwritten(assistant, question):
    ans = assistant.ask(question)
    assert not VERDICT.match(ans.answer) and "没有" in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question, must",
    [
        ("俺闺女在青岛上班快生了 她跟女婿各能休哪些假 都是几天", "60天产假"),
        ("通化生孩子夫妻俩能休哪些假", "产假180天"),
        ("北京生娃能放哪些假", "产假"),
    ],
)
def test_which_leaves_lists_the_leaves(assistant, question, must):
    assert must in assistant.ask(question).answer


def test_a_function_word_is_never_repaired_into_a_plan_word(assistant):
    assert assistant.question("青岛产假都是几天", []).fixes == ()


@pytest.mark.parametrize(
    "question, must",
    [
        ("贵州那个15天陪护假 是给媳妇生娃的男人休的吧", "独生子女职工"),
        ("通化那个25天的假 是给生孩子的妈妈休的吧", "男方享受护理假25天"),
    ],
)
def test_a_figure_said_to_be_for_someone_shows_whom_the_plan_gives_it(assistant, question, must):
    ans = assistant.ask(question)
    assert not VERDICT.match(ans.answer) and must in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question", ["通化我有兄弟，爸妈住院我能请独生子女照护假吗", "青岛我们兄妹三个，能休独生子女护理假吗"]
)
def test_siblings_are_no_only_child(assistant, question):
    assert assistant.ask(question).answer.startswith("没有。")
