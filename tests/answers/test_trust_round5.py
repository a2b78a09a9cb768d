"""Issue 22, fifth round: classes found by probing and by fresh batch 6 (real model and index, slow). Pay during a
leave asked over a clause that grants only the days; meta-questions worded 由哪个机关印发 / 市里定的还是区里出的;
medicine asked (孕吐吃啥药); an announced money scheme asked with an adverb (直接给钱没); the father named as 孩子他爸 /
娃他爹; a follow-up with a question of its own; a father asking for the mother's 产假; a figure of the plan asked
what it means; comparisons across target years and of rate targets; areas below a county (亦庄)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow
VERDICT = re.compile(r"^(有|可以|是|能)[。，,！!]")


def _h(question: str, answer: str) -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


@pytest.mark.parametrize(
    "question, said",
    [
        ("通化育儿假工资照发吗", "待遇保障均由用工单位承担"),
        ("重庆休育儿假扣工资不", "没有提到假期工资待遇"),
        ("贵州陪产假期间有没有工资", "没有写明休假期间工资是否照发"),
        ("北京育儿假是带薪的吗", "没有写明休假期间工资是否照发"),
        ("通化员工休婚假 工资得我们单位出吗", "待遇保障均由用工单位承担"),
    ],
)
def test_pay_during_a_leave_gets_no_verdict_from_a_clause_that_grants_only_the_days(
    assistant, question, said
):
    ans = assistant.ask(question)
    assert not VERDICT.match(ans.answer), ans.answer
    assert said in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question",
    ["青岛多出来的那60天产假 单位还照发工资不", "青岛陪产假期间工资照发吗", "青岛休育儿假单位扣工资不"],
)
def test_a_pay_question_leads_with_the_sentence_on_pay(assistant, question):
    lead = re.sub(r"^(有|可以|是)。", "", assistant.ask(question).answer).split("。")[0]
    assert "工资照发" in lead, lead


@pytest.mark.parametrize(
    "question, must",
    [
        (
            "请问贵州省《关于优化生育政策促进人口长期均衡发展的实施方案》由哪个机关印发，印发日期是哪天？",
            "2021年12月19日",
        ),
        ("通化的方案是市里定的还是哪个区出的", "发文机关"),
        ("青岛这个文件是哪个部门牵头起草的", "发文机关"),
        ("北京那个实施方案是省里发的吗", "中共北京市委"),
    ],
)
def test_issuer_questions_in_other_words_are_answered_from_the_record(assistant, question, must):
    ans = assistant.ask(question)
    assert "收录文件信息" in ans.answer and must in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question",
    ["通化这边怀孕三个月 孕吐得厉害 该吃啥药", "重庆坐月子期间乳腺发炎能吃什么药", "北京孩子湿疹用啥药膏好"],
)
def test_medicine_is_refused(assistant, question):
    assert assistant.ask(question).refused


@pytest.mark.parametrize(
    "question", ["北京生了二胎 政府直接给发钱没", "重庆现在生三孩马上给钱吗", "北京生了二胎 政府发钱没"]
)
def test_an_announced_money_scheme_asked_with_an_adverb_says_no_sum_is_set(assistant, question):
    ans = assistant.ask(question)
    assert ans.answer.startswith("方案中没有规定具体的金额"), ans.answer


@pytest.mark.parametrize(
    "question, history, must",
    [
        (
            "那孩子他爸呢",
            _h("通化女职工产假能休多少天", "通化市：符合法律法规规定生育的女职工享受产假180天。"),
            "25天",
        ),
        ("那娃他爹呢", _h("青岛产假多少天", "青岛市：女职工增加60天产假。"), "15天"),
        ("那孩子他妈呢", _h("通化男方护理假几天", "通化市：男方享受护理假25天。"), "180天"),
    ],
)
def test_the_other_parent_named_as_a_childs_father_or_mother_gets_their_own_leave(
    assistant, question, history, must
):
    ans = assistant.ask(question, history=history)
    assert must in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question, history",
    [
        (
            "那孩子没了的老人呢 能住公办养老院不",
            _h("北京独生子女家庭现在还有奖励吗", "北京市：继续实行现行各项奖励扶助制度和优惠政策。"),
        ),
        ("那失独的老人呢 能优先住养老院不", _h("重庆独生子女父母有护理假吗", "重庆市：独生子女父母护理假。")),
        (
            "那孩子去世的老人 住敬老院有照顾吗",
            _h("通化独生子女家庭有奖励吗", "通化市：继续实行现行各项奖励扶助制度。"),
        ),
    ],
)
def test_a_follow_up_with_a_question_of_its_own_is_not_the_last_topic(assistant, question, history):
    ans = assistant.ask(question, history=history)
    assert "特殊家庭" in ans.answer or "养老机构" in ans.answer, ans.answer
    assert "独生子女" not in ans.answer.split("\n")[0], ans.answer


@pytest.mark.parametrize(
    "question, must",
    [
        ("我是孩子爸 在青岛上班 媳妇生娃那多出来的60天产假 我能休不", "15天"),
        ("我是娃他爹，通化这180天产假我也能休吗", "25天"),
        ("作为丈夫 重庆老婆的产假我可以请吗", "陪产假"),
    ],
)
def test_a_father_asking_the_mothers_leave_for_himself_is_told_his_own(assistant, question, must):
    ans = assistant.ask(question)
    assert ans.answer.startswith("没有。") and must in ans.answer, ans.answer


@pytest.mark.parametrize(
    "question, must",
    [
        ("贵州方案里那个60% 是说生孩子能报销60%吗", "二甲"),
        ("通化文件上写的2000元是每个孩子每月发的钱吗", "个人所得税"),
        ("通化2000元是每个孩子每月发的钱吗", "个人所得税"),
    ],
)
def test_a_figure_of_the_plan_asked_what_it_means_shows_where_it_stands(assistant, question, must):
    ans = assistant.ask(question)
    assert not VERDICT.match(ans.answer), ans.answer
    assert must in ans.answer, ans.answer


def test_a_figure_pointed_at_leads_with_its_own_rule(assistant):
    lead = assistant.ask("贵州方案里那个60% 是说生孩子能报销60%吗").answer.split("。")[0]
    assert "二甲" in lead, lead


@pytest.mark.parametrize(
    "question, must",
    [
        ("北京跟通化 每千人托位目标一样不", "数字相同"),
        ("通化和青岛每千人口托位数哪个目标高", "青岛市的托育服务更多"),
    ],
)
def test_a_comparison_takes_each_sides_figure_for_the_same_year(assistant, question, must):
    ans = assistant.ask(question)
    assert ans.answer.startswith(must) or must in ans.answer.split("\n")[0], ans.answer
    assert "8个左右" not in ans.answer.split("\n")[0], ans.answer


@pytest.mark.parametrize(
    "question, values",
    [
        ("青岛与通化两地，到2025年孕产妇死亡率的控制目标，哪一方要求更严格？", ("8/10万", "14.5/10万")),
        ("青岛、通化的孕产妇死亡率目标分别是多少", ("8/10万", "14.5/10万")),
        ("通化和青岛婴儿死亡率目标哪个低", ("3.0‰", "4‰")),
    ],
)
def test_rate_targets_compare_the_lower_as_stricter(assistant, question, values):
    head = assistant.ask(question).answer.split("\n")[0]
    assert head.startswith("青岛市的目标更严"), head
    assert all(v in head for v in values), head


@pytest.mark.parametrize(
    "question, region",
    [
        ("我在亦庄上班 孩子还小 单位能给弹性上班不", "beijing"),
        ("住在西海岸新区 育儿假几天", "qingdao"),
        ("两江新区生三孩有补贴吗", "chongqing"),
    ],
)
def test_a_named_area_below_a_county_maps_to_its_plan(assistant, question, region):
    ans = assistant.ask(question)
    assert ans.region == region, ans.answer


@pytest.mark.parametrize(
    "question", ["我在通化 老婆怀孕了 产检能报销吗", "重庆产检可以报销不", "北京怀孕产检能报吗"]
)
def test_prenatal_checks_get_no_yes_from_a_rule_on_the_costs_of_birth(assistant, question):
    ans = assistant.ask(question)
    assert not VERDICT.match(ans.answer), ans.answer


@pytest.mark.parametrize(
    "question",
    ["通化育儿假工资照发吗", "通化男方护理假期间工资谁发", "通化员工休婚假 工资得我们单位出吗"],
)
def test_the_clauses_sentence_on_pay_leads(assistant, question):
    lead = assistant.ask(question).answer.split("。")[0]
    assert "用工单位承担" in lead, lead
