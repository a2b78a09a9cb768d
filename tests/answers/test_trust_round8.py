"""Issue 22, eighth round (real model and index, slow): what batch 8 left and fresh batch 9's classes. A refused
off-topic question names where such a matter is settled; 托育名额 is read as 托位."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "question, step",
    [
        ("我在重庆上班 怀孕了公司把我辞了 去仲裁能赔好多钱", "劳动人事争议仲裁委员会"),
        ("青岛公司不给我续劳动合同了 能赔多少", "劳动人事争议仲裁委员会"),
        ("贵州离婚了 娃的抚养权归谁", "12348"),
        ("北京 宝宝吐奶厉害 吃啥药", "12320"),
        ("通化积分落户要多少分", "户籍"),
    ],
)
def test_a_refused_off_topic_question_gets_a_next_step(assistant, question, step):
    r = assistant.ask(question)
    assert r.refused and step in r.answer, r.answer


def test_an_off_topic_question_with_no_known_subject_gets_no_invented_step(assistant):
    r = assistant.ask("青岛托育公司的股票能买不")
    assert r.refused and "热线" not in r.answer and "咨询" not in r.answer, r.answer


@pytest.mark.parametrize(
    "question, figure",
    [
        ("通化这边到2035年 一千个人里能有几个托育名额", "8个左右"),
        ("青岛每千人有几个托育名额", "4.6个"),
        ("贵州到2025年 每千人口的入托名额有多少", "3个"),
    ],
)
def test_a_nursery_place_said_as_a_quota_is_the_places_per_thousand(assistant, question, figure):
    first = assistant.ask(question).answer.split("\n")[0]
    assert figure in first, first


@pytest.mark.parametrize(
    "question, word",
    [
        ("我俩准备结婚 以后在贵州要是生了三胎 是不是可以多买一套房", "差异化购房优惠"),
        ("通化生了二胎能多买一套房吗", "购买房屋时"),
        ("贵州两个娃的家庭 能不能再多买一套房", "差异化购房优惠"),
    ],
)
def test_the_related_clause_speaks_of_the_benefit_asked_in_the_plans_word(assistant, question, word):
    # the plan never says 多买一套房: the lead names what it does say, and the related clause is its housing rule,
    # not the 三孩 clause the question mentions on the way
    r = assistant.ask(question)
    first = r.answer.split("\n")[0]
    assert not first.startswith(("有", "可以", "是")) and "提到了多买一套房" not in first, first
    assert word in first and not r.refused, first


def _turns(assistant, first: str, second: str):
    a1 = assistant.ask(first)
    return assistant.ask(
        second, history=[{"role": "user", "content": first}, {"role": "assistant", "content": a1.answer}]
    )


@pytest.mark.parametrize(
    "first, second, topic",
    [
        ("青岛住院生孩子 有补贴吗", "那北京有没有这个", "分娩"),
        ("通化婚假几天", "那重庆有没有这个", "婚假"),
        ("贵州育儿假几天", "北京呢 有没有这个", "育儿假"),
    ],
)
def test_a_bare_pointer_closing_a_follow_up_stands_for_the_last_benefit(assistant, first, second, topic):
    r = _turns(assistant, first, second)
    assert "没有提到没有" not in r.answer and topic in r.answer and not r.refused, r.answer


@pytest.mark.parametrize(
    "first, second, figure",
    [
        ("贵州有没有育儿假", "几天啊 孩子多大以前能休", "10天"),
        ("青岛有没有产假", "多少天", "60天"),
        ("通化育儿假有吗", "一年能休几天啊", "20天"),
    ],
)
def test_a_figure_asked_with_no_benefit_is_asked_of_the_last_one(assistant, first, second, figure):
    r = _turns(assistant, first, second)
    first_line = r.answer.split("\n")[0]
    assert figure in first_line and not first_line.startswith(("有。", "可以。")), first_line


def test_how_old_a_child_is_does_not_read_as_many_children():
    from rag.question.query import expansions

    assert "多子女" not in expansions("孩子多大以前能休")
    assert "多子女" in expansions("我们家孩子多的能多领点不")


@pytest.mark.parametrize(
    "question",
    ["北京住院生孩子有补贴吗", "北京生孩子住院 给不给补助", "重庆住院分娩有补贴吗"],
)
def test_a_word_several_benefits_share_does_not_grant_a_birth_subsidy(assistant, question):
    # 补贴 of 家庭养育补贴制度 / 生育津贴 is no 住院分娩补贴: never a false 有
    first = assistant.ask(question).answer.split("\n")[0]
    assert first.startswith("方案中没有提到分娩补助"), first


@pytest.mark.parametrize(
    "question",
    [
        "通化那个生育具体措施 到底是哪个区出的 发文单位是谁",
        "通化的方案是哪个区发的",
        "通化这个文件的发文单位是谁",
    ],
)
def test_which_body_issued_a_plan_that_does_not_say_is_answered_from_the_record(assistant, question):
    r = assistant.ask(question)
    assert "发文机关" in r.answer and "未载明" in r.answer, r.answer


@pytest.mark.parametrize(
    "question, said, related",
    [
        ("听说北京生三胎奖励十万块钱 找谁领 要带啥材料", "“十万块钱”", "家庭养育补贴制度"),
        ("北京生二孩听说发两万 是真的吗", "“两万”", "家庭养育补贴制度"),
        ("听说北京三孩家庭一次性给五万元 靠谱不", "“五万元”", "家庭养育补贴制度"),
    ],
)
def test_an_unconfirmed_sum_is_quoted_and_the_plans_own_words_shown(assistant, question, said, related):
    r = assistant.ask(question)
    first = r.answer.split("\n")[0]
    assert f"无法证实{said}这个说法" in first and related in first and not r.refused, r.answer


@pytest.mark.parametrize(
    "question, phrase",
    [
        ("我在怀柔 想在自己家里开个小托育点 带几个邻居家的娃 北京政策支持不", "家庭托育点"),
        ("青岛在家里办托育点 政策允许不", "家庭托育服务"),
        ("重庆 我想在自己家带几个娃 开家庭托育 政府管不管", "家庭托育服务"),
    ],
)
def test_a_home_nursery_is_answered_by_the_family_nursery_measure(assistant, question, phrase):
    first = assistant.ask(question).answer.split("\n")[0]
    assert phrase in first, first


@pytest.mark.parametrize(
    "question, region",
    [
        ("重庆 家里三个娃 买商品房有没有啥优惠或者补贴", "重庆市"),
        ("北京二孩家庭买商品房有啥优惠", "北京市"),
        ("重庆多孩家庭买新房 有啥优惠政策", "重庆市"),
    ],
)
def test_a_list_on_buying_a_home_says_when_the_plan_has_no_purchase_rule(assistant, question, region):
    first = assistant.ask(question).answer.split("\n")[0]
    assert first.startswith(f"{region}的方案中没有写到"), first


def test_a_list_on_buying_a_home_is_not_said_missing_where_the_plan_has_a_purchase_rule(assistant):
    r = assistant.ask("贵州三孩家庭买商品房有啥政策")
    assert "没有写到" not in r.answer and "差异化购房优惠" in r.answer, r.answer


@pytest.mark.parametrize(
    "question, clause",
    [
        ("湄潭县城新修的小区 要不要配套建托育养老这些设施", "新建居住小区配套建设抚幼养老服务设施"),
        ("遵义城区新小区要配养老托育设施吗", "新建居住小区配套建设抚幼养老服务设施"),
        ("贵阳市区的新楼盘 配不配一老一小的设施", "新建居住小区配套建设抚幼养老服务设施"),
    ],
)
def test_new_housing_areas_are_answered_by_the_facilities_rule(assistant, question, clause):
    r = assistant.ask(question)
    assert clause in r.answer and "“城" not in r.answer, r.answer


@pytest.mark.parametrize(
    "question",
    [
        "通化 小孩看病保健有啥政策",
        "通化这边 小孩看病保健这块 医院都有哪些加强的措施",
        "北京小孩看病保健有啥服务",
    ],
)
def test_the_head_of_overlapping_words_names_the_benefit(assistant, question):
    # 小孩看病保健 is 看病保健 (child health care), not 小孩看病 (a medical bill)
    r = assistant.ask(question)
    assert not r.refused and "保健" in "".join(r.answer.split("\n")[:3]), r.answer


def test_overlapping_terms_keep_the_head_in_the_lexicon():
    from rag.question.lexicon import load_lexicon

    lex = load_lexicon()
    assert [b.key for b in lex.find("小孩看病保健")] == ["妇幼健康"]
    assert [b.key for b in lex.find("小孩看病能报销吗")] == ["医保报销"]


@pytest.mark.parametrize(
    "question, added",
    [
        ("青岛产假是不是158天", "60天"),
        ("青岛的产假一共是158天对吧", "60天"),
        ("听说青岛产假有188天 是真的吗", "60天"),
    ],
)
def test_a_total_asserted_over_days_added_to_national_leave_gets_no_false_no(assistant, question, added):
    first = assistant.ask(question).answer.split("\n")[0]
    assert not first.startswith("不是") and "没有写明合计" in first and added in first, first


def test_a_total_below_the_days_added_is_still_not_so(assistant):
    first = assistant.ask("青岛产假是不是30天").answer.split("\n")[0]
    assert first.startswith("不是。"), first


@pytest.mark.parametrize(
    "question, region",
    [
        ("听说贵州生二孩一次性给两万 真的吗", "贵州省"),
        ("听说重庆生二胎给5万块 真的假的", "重庆市"),
        ("听说青岛生三孩给一万 真的吗", "青岛市"),
    ],
)
def test_a_sum_for_having_a_child_is_read_as_a_birth_grant_and_never_refused(assistant, question, region):
    r = assistant.ask(question)
    first = r.answer.split("\n")[0]
    assert first.startswith(f"方案中没有规定生育补贴具体的金额（{region}）") and not r.refused, r.answer
    assert "5个百分点" not in r.answer, r.answer


@pytest.mark.parametrize(
    "first, second, who",
    [
        ("青岛育儿假几天", "那爷爷奶奶能休不", "爷爷奶奶"),
        ("通化育儿假一年多少天", "那姥姥姥爷可以休吗", "姥姥姥爷"),
        ("贵州育儿假几天", "那外公外婆也有吗", "外公外婆"),
    ],
)
def test_a_follow_up_asking_yes_or_no_for_another_person_is_checked_for_that_person(
    assistant, first, second, who
):
    # the turn's own 能休不 decides the form, not the carried-over 几天: a grandparent is not the 父母 of the rule
    r = _turns(assistant, first, second)
    assert not r.answer.startswith(("有", "可以")) and who in r.answer, r.answer


@pytest.mark.parametrize(
    "first, second, region",
    [
        ("贵州育儿假几天", "这个假工资照发不", "贵州"),
        ("重庆婚假有规定吗", "这个假期间工资咋算", "重庆"),
        ("北京育儿假有吗", "这个假扣不扣工资", "北京"),
    ],
)
def test_a_singular_pointer_keeps_the_leave_when_pay_is_asked(assistant, first, second, region):
    r = _turns(assistant, first, second)
    assert not r.refused and not r.answer.startswith(("有", "可以", "是")) and "[1]" in r.answer, r.answer


@pytest.mark.parametrize(
    "question, granted",
    [
        ("青岛多子女家庭公积金贷款能多贷点吗", "上浮20%"),
        ("重庆娃儿住院 医保能多报点不", "提高5个百分点"),
        ("通化女职工产假能多休点吗", "180天"),
    ],
)
def test_a_bit_more_asked_is_settled_by_the_rule_that_gives_more(assistant, question, granted):
    r = assistant.ask(question)
    assert granted in r.answer and "没有写到“" not in r.answer, r.answer


@pytest.mark.parametrize(
    "question, meant",
    [
        ("青岛生育经贴咋领", "生育津贴"),
        ("北京身育保险能报多少", "生育保险"),
        ("贵州计划身育特殊家庭有啥帮扶", "计划生育"),
    ],
)
def test_front_and_back_nasals_typed_for_each_other_are_read_as_meant(assistant, question, meant):
    lead = "".join(assistant.ask(question).answer.split("\n")[:3])
    assert meant in lead, lead


def test_a_nasal_slip_is_not_taken_in_a_two_character_word():
    from rag.question.lexicon import load_lexicon

    # 经费 is a word of its own: only a longer surface vouches for the slip
    assert load_lexicon().correct("托育经费").text == "托育经费"


@pytest.mark.parametrize(
    "question, who",
    [
        ("青岛陪产假是给孕妇的吧", "孕妇"),
        ("重庆女职工能休陪产假不", "女职工"),
        ("我是宝妈 通化的陪产假我能休吗", "宝妈"),
        ("我是孩子他妈 北京陪产假我也能请吗", "孩子他妈"),
    ],
)
def test_the_mother_asking_for_the_fathers_leave_is_pointed_to_maternity_leave(assistant, question, who):
    first = assistant.ask(question).answer.split("\n")[0]
    assert first.startswith(f"没有。陪产假不适用于您说的“{who}”这种情况，对应的是产假。"), first


def test_the_fathers_leave_asked_for_the_father_is_no_trap(assistant):
    first = assistant.ask("青岛陪产假几天").answer.split("\n")[0]
    assert "15天" in first and not first.startswith("没有"), first


@pytest.mark.parametrize(
    "question", ["青岛有什么托育方面的政策", "通化有什么住房方面的优惠", "贵州有啥教育这块的措施"]
)
def test_the_measures_of_a_field_named_in_between_are_listed(assistant, question):
    r = assistant.ask(question)
    assert r.kind == "list" and "相关的规定" in r.answer.split("\n")[0], r.answer


@pytest.mark.parametrize(
    "question, off",
    [
        ("重庆娃看病医保这块有哪些照顾", "育儿假"),
        ("重庆小孩住院报销有啥优惠政策", "婚假"),
        ("青岛多孩家庭买房租房都有哪些优惠", "金融支持"),
    ],
)
def test_a_list_leaves_out_sentences_on_benefits_of_another_kind(assistant, question, off):
    r = assistant.ask(question)
    items = [x for x in r.answer.split("\n") if x.startswith("- ")]
    assert items and not any(off in x for x in items), r.answer


def test_a_list_keeps_a_sentence_holding_the_questions_own_word(assistant):
    r = assistant.ask("青岛生孩子 从休假到报销到补贴 都有哪些政策 帮我一条条列一下")
    assert "休假政策" in r.answer and "500元" in r.answer, r.answer


@pytest.mark.parametrize(
    "question",
    [
        "贵州的育儿假是娃6岁以前 爸妈每年都能休10天 对吧",
        "通化孩子5岁了 育儿假是不是还有20天",
        "青岛孩子4岁了 育儿假是不是每年还有10天",
    ],
)
def test_a_true_figure_with_an_age_past_the_limit_is_not_confirmed(assistant, question):
    first = assistant.ask(question).answer.split("\n")[0]
    assert not first.startswith("是") and "周岁" in first, first


@pytest.mark.parametrize(
    "question, who",
    [
        ("俺是孩子奶奶 今年55还在通化厂里上班 帮儿子带孙子 俺能休那个育儿假不", "奶奶"),
        ("青岛爷爷奶奶能休育儿假吗", "爷爷奶奶"),
        ("我是外婆 在重庆上班 我可以请育儿假帮忙带外孙吗", "外婆"),
    ],
)
def test_a_grandparent_asking_for_parental_leave_gets_no_yes(assistant, question, who):
    first = assistant.ask(question).answer.split("\n")[0]
    assert first.startswith(f"没有。育儿假不适用于您说的“{who}”这种情况。"), first


@pytest.mark.parametrize(
    "question",
    [
        "俺媳妇在重庆 怀孕七个月了 最近老是腿抽筋 吃啥钙片好",
        "北京孕妇补钙吃什么牌子的钙片好",
        "青岛孕妇吃哪种维生素好",
    ],
)
def test_which_supplement_to_take_is_refused_with_where_to_ask(assistant, question):
    r = assistant.ask(question)
    assert r.refused and "12320" in r.answer, r.answer
