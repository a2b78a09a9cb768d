"""Issue 22, the places half: questions about a plan itself (answered from documents.toml), county-level places
inside a covered region, follow-ups that keep their topic, and typos read by their sound.

Fast tests run the rules on the project's data (no model); tests taking the `assistant` fixture run the real model
and index (marked slow by conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answers import meta
from rag.ingest.seeds import load_documents
from rag.question.regions import RegionDetector, derive_stems, stem_candidates
from rag.text.normalize import normalize_query

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def docs():
    return {d.slug: d for d in load_documents(ROOT / "seeds")}


@pytest.fixture(scope="module")
def det(docs):
    return RegionDetector(list(docs.values()))


# ---- meta-questions: the rules (rag/data/meta.toml) --------------------------------------------------------------
@pytest.mark.parametrize(
    "topic,fields",
    [
        ("的方案什么时候开始实施", ("date",)),
        ("这个政策是谁发的", ("issuer",)),
        ("方案是哪个部门制定的", ("issuer",)),
        ("那个文件文号是多少", ("doc_number",)),
        ("的是不是正式文件", ("status",)),
        ("这个方案还是征求意见稿吗", ("status",)),
        ("的方案叫什么名字", ("title",)),
        ("的文件是什么时候发布的，文号多少", ("date", "doc_number")),
        ("的生育政策是正式发布的吗", ("status",)),
    ],
)
def test_meta_questions_are_recognised(topic, fields):
    assert meta.asked(topic) == fields


@pytest.mark.parametrize(
    "topic",
    [
        "育儿假什么时候开始休",  # a benefit is left: an ordinary question
        "正式工能享受产假吗",  # 正式 of a worker, not of the plan
        "的政策是什么",  # what the plan says, not its name
        "补贴标准叫什么",
        "产假是几号开始算",
        "的生育补贴是正式的吗",
        "托育机构的名称怎么备案",
    ],
)
def test_questions_about_benefits_are_not_meta(topic):
    assert meta.asked(topic) == ()


def test_meta_answer_says_an_empty_field_plainly(docs):
    a = meta.compose("北京方案的文号是多少", ("doc_number",), ["beijing"], docs)
    assert "未载明这份文件的文号" in a.answer and a.region == "beijing" and not a.refused and a.kind == "meta"
    assert a.citations[0].chunk.slug == "beijing" and a.citations[0].chunk.section == "文件信息"


def test_meta_answer_fields_come_from_documents_toml(docs):
    a = meta.compose("q", ("issuer", "doc_number", "date"), ["chongqing"], docs)
    assert "中共重庆市委 重庆市人民政府" in a.answer and "渝委发〔2022〕9号" in a.answer
    assert "2022年4月30日" in a.answer and "没有另写施行" in a.answer  # the plan sets no date of its own
    draft = meta.compose("q", ("status",), ["qingdao"], docs)
    assert "征求意见稿，不是正式文件" in draft.answer
    final = meta.compose("q", ("status",), ["guizhou"], docs)
    assert "正式印发的文件" in final.answer
    undated = meta.compose("q", ("date",), ["tonghua"], docs)
    assert "未载明这份文件的日期" in undated.answer and "征求意见稿" in undated.answer


def test_a_sentence_setting_the_start_date_is_quoted(docs):
    from dataclasses import replace

    doc = replace(docs["guizhou"], text="……本方案自2022年1月1日起施行。各地要抓好落实。")
    lines = meta.field_lines(doc, ("date",))
    assert lines[1] == "方案写明：“……本方案自2022年1月1日起施行。”"


# ---- county-level places ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question,slug,asked",
    [
        ("清镇这边办非营利的托育机构用地能划拨吗", "guizhou", "清镇市"),
        ("清镇市育儿假几天", "guizhou", "清镇市"),
        ("秀山农村双女户还有奖励扶助吗", "chongqing", "秀山土家族苗族自治县"),
        ("秀山县的产假", "chongqing", "秀山土家族苗族自治县"),
        ("三都县生孩子有补贴吗", "guizhou", "三都水族自治县"),
        ("忠县有托育补贴吗", "chongqing", "忠县"),
        ("遵义湄潭生孩子", "guizhou", "湄潭县"),
        ("黔东南州的婚假", "guizhou", "黔东南苗族侗族自治州"),
    ],
)
def test_counties_inside_a_covered_region_map_to_its_plan(det, question, slug, asked):
    m = det.detect(normalize_query(question))
    assert m.slugs == [slug]
    text = normalize_query(question)
    assert asked in [det.within[text[s:e]].name for s, e in m.spans if text[s:e] in det.within]


@pytest.mark.parametrize(
    "question",
    [
        "公司正安排人陪产",  # 正安 (正安县) inside 正安排
        "三都有什么补贴",  # 三/都/有: 三都 is not a word here
        "长寿老人住院护理假",  # 长寿 is long life
        "沿河的村子有托育吗",  # 沿河 is along the river
        "他很大方",
        "白云的产假",  # 白云区 is two places (贵阳, 广州): asked, never guessed
    ],
)
def test_short_stems_do_not_fire_inside_ordinary_words(det, question):
    assert det.detect(normalize_query(question)).slugs == []


def test_plan_aliases_keep_their_plan_and_no_note(det):
    assert det.detect("黄岛区的产假").slugs == ["qingdao"] and "黄岛区" not in det.within
    assert det.detect("梅河口的产假").slugs == ["tonghua"]  # a nearby place of the district plan


def test_autonomous_counties_are_written_by_their_first_name():
    stems = stem_candidates(["秀山土家族苗族自治县", "三都水族自治县", "黔西南布依族苗族自治州", "六枝特区"])
    assert {"秀山", "三都", "黔西南", "六枝"} <= set(stems)
    # two spellings of one place that name one plan are one name; in a plain list they stay ambiguous
    table = {"秀山土家族苗族自治县": ("strong", "chongqing"), "秀山县": ("strong", "chongqing")}
    assert derive_stems(table)["秀山"] == "秀山土家族苗族自治县"
    assert "秀山" not in derive_stems(list(table))


def test_uncovered_counties_elsewhere_are_not_mapped(det):
    assert det.detect("郫都区生孩子有补贴吗").slugs == []  # Chengdu: no plan
    assert det.detect("长春市九台区的产假").slugs == []  # in 吉林省, but 通化's plan is a district's


# ---- the real model and index ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question,slug,must",
    [
        ("贵州的方案什么时候开始实施", "guizhou", ["2021年12月19日", "没有另写施行"]),
        (
            "重庆这个文件是谁发的，文号是多少",
            "chongqing",
            ["中共重庆市委 重庆市人民政府", "渝委发〔2022〕9号"],
        ),
        ("青岛的生育政策是不是正式文件", "qingdao", ["不是正式文件"]),
        ("北京方案的文号是多少", "beijing", ["未载明这份文件的文号"]),
        ("通化那个措施叫什么名字", "tonghua", ["关于优化生育政策促进人口长期均衡发展的具体措施"]),
    ],
)
def test_meta_questions_end_to_end(assistant, question, slug, must):
    a = assistant.ask(question)
    assert a.kind == "meta" and a.region == slug and not a.refused
    assert all(m in a.answer for m in must), a.answer
    assert [h.chunk.slug for h in a.citations] == [slug]


def test_meta_follow_up_keeps_the_question(assistant):
    a = assistant.ask("那重庆呢", history=["北京方案的文号是多少"])
    assert a.kind == "meta" and "渝委发〔2022〕9号" in a.answer


@pytest.mark.parametrize(
    "question,slug,must,note",
    [
        ("清镇这边办非营利的托育机构 用地能划拨吗", "guizhou", "划拨", "未收录清镇市自己的方案"),
        ("秀山农村双女户 现在还有奖励扶助吗", "chongqing", "农村计划生育双女家庭", "属于重庆市"),
        ("仁怀的育儿假有几天", "guizhou", "10天", "未收录仁怀市自己的方案"),
    ],
)
def test_county_questions_end_to_end(assistant, question, slug, must, note):
    a = assistant.ask(question)
    assert a.region == slug and not a.refused, a.answer
    assert must in a.answer and note in a.answer
    assert {h.chunk.slug for h in a.citations} == {slug}


@pytest.mark.parametrize(
    "question,history,slug,must",
    [
        ("那北京的幼儿园呢", ["贵州幼儿园收不收两岁多的娃"], "beijing", "幼儿园"),
        ("那青岛呢", ["成都托育机构水电费按什么价收"], "qingdao", "居民生活类价格"),
        ("外地户口呢", ["青岛育儿假有几天"], "qingdao", "育儿假"),
        ("那每个区都有托育指导中心吗", ["北京小孩坐公交要买票吗"], "beijing", "指导中心"),
    ],
)
def test_follow_ups_keep_region_and_topic(assistant, question, history, slug, must):
    a = assistant.ask(question, history=history)
    assert a.region == slug and must in a.answer, a.answer


def test_off_topic_follow_up_stays_off_topic(assistant):
    assert assistant.ask("那青岛明天下雨吗", history=["青岛育儿假几天"]).refused


@pytest.mark.parametrize(
    "question,slug,must",
    [
        ("通化孕简要花钱吗", "tonghua", "免费孕前优生健康检查"),
        ("青岛多子女家庭租房住 能提公基金交房租不", "qingdao", "提取住房公积金"),
        ("重庆孕简免费吗", "chongqing", "孕前优生健康检查"),
    ],
)
def test_typos_repaired_by_sound_end_to_end(assistant, question, slug, must):
    a = assistant.ask(question)
    assert a.region == slug and must in a.answer, a.answer


# ---- typos and follow-ups: the rules, without the model -----------------------------------------------------------
@pytest.mark.parametrize(
    "typed,fixed",
    [
        ("通化孕简要花钱吗", "通化孕检要花钱吗"),  # 孕/简要: the typo made a word that strands 孕
        ("能提公基金交房租不", "能提公积金交房租不"),  # 公/基金
        ("贵州婚前孕简有没有", "贵州婚前孕检有没有"),
    ],
)
def test_typo_that_makes_a_word_is_still_repaired(typed, fixed):
    from rag.question.lexicon import load_lexicon

    assert load_lexicon().correct(normalize_query(typed)).text == fixed


@pytest.fixture(scope="module")
def builder(docs, det):
    from rag.question.record import QuestionBuilder

    return QuestionBuilder(det, docs)


@pytest.mark.parametrize(
    "question,history,slug,kept",
    [
        ("那北京的幼儿园呢", ["贵州幼儿园收不收两岁多的娃"], "beijing", "收不收两岁多的娃"),
        ("外地户口呢", ["青岛育儿假有几天"], "qingdao", "育儿假有几天"),
        ("爷爷奶奶呢", ["重庆育儿假有几天"], "chongqing", "育儿假有几天"),
        ("那每个区都有托育指导中心吗", ["北京小孩坐公交要买票吗"], "beijing", "托育指导中心"),
    ],
)
def test_follow_up_keeps_region_and_topic(builder, question, history, slug, kept):
    q = builder.build(question, history)
    assert q.regions == (slug,) and kept in q.topic


def test_follow_up_naming_a_new_benefit_replaces_the_topic(builder):
    q = builder.build("那婚假呢", ["重庆育儿假有几天"])
    assert "婚假" in q.topic and "育儿假" not in q.topic and q.regions == ("chongqing",)
    assert "下雨" in builder.build("那青岛明天下雨吗", ["青岛育儿假几天"]).topic
    assert "育儿假" not in builder.build("那青岛明天下雨吗", ["青岛育儿假几天"]).topic


def test_words_of_a_plan_title_name_the_plan(docs):
    titles = tuple(d.title for d in docs.values())
    assert meta.asked("那个优化生育的方案是哪天印发的", titles) == ("date",)
    assert meta.asked("那个优化生育的方案是哪天印发的") == ()  # without the titles 优化生育 is a topic
    assert meta.asked("育儿假是哪天开始", titles) == ()
