"""The benefits lexicon: data integrity, longest match, sense traps, homophone repair."""

from __future__ import annotations

import pytest

from rag.question.lexicon import Benefit, Lexicon, LexiconError, load_lexicon, parse_benefits
from rag.text.normalize import normalize_query


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon()


def keys(lex: Lexicon, text: str) -> list[str]:
    return [b.key for b in lex.find(normalize_query(text))]


def test_data_is_complete(lex):
    required = {
        "婚假", "产假", "延长产假", "陪产假", "育儿假", "独生子女护理假", "生育补贴", "托育补贴", "分娩补助",
        "生育医疗费用", "生育津贴", "个税扣除", "住房公积金", "医保报销", "计划生育奖励扶助", "托育服务",
        "入园与教育", "就业权益", "辅助生殖", "妇幼健康",
    }  # fmt: skip
    assert required <= {b.key for b in lex.benefits}
    for b in lex.benefits:
        assert b.unit in ("天数", "金额", "比例", "none"), b.key
        assert b.key in b.terms and set(b.wordings) <= set(b.terms), b.key
        if b.table:
            assert b.wordings and b.unit != "none", b.key
    assert lex.get("育儿假").unit == "天数"
    assert lex.get("产假").extension == "延长产假"
    with pytest.raises(KeyError):
        lex.get("不存在的待遇")


def test_wordings_come_from_the_plans(lex, settings):
    """Every plan wording of a main benefit occurs in at least one plan (the lexicon is written from them)."""
    from rag.ingest.seeds import load_documents

    corpus = normalize_query("".join(d.text for d in load_documents(settings.seeds_dir)))
    for b in lex.benefits:
        if b.table:
            assert any(normalize_query(w) in corpus for w in b.wordings), b.key


def test_bad_data_is_refused():
    with pytest.raises(LexiconError):
        parse_benefits('[[benefit]]\nkey = "x"\n')
    b = Benefit("甲", "g", ("甲",), (), (), "天数")
    with pytest.raises(LexiconError):
        Lexicon([b, b])
    with pytest.raises(LexiconError):
        Lexicon([Benefit("乙", "g", ("乙",), (), (), "小时")])


@pytest.mark.parametrize(
    "text,expected",
    [
        ("青岛育儿假有几天", ["育儿假"]),
        ("结婚能放几天假，婚假呢", ["婚假"]),
        ("独生子女父母护理假有几天", ["独生子女护理假"]),  # longest match, not 护理假
        ("托育补贴和生育补贴有什么区别", ["托育补贴", "生育补贴"]),
        ("产假延长多少天", ["延长产假"]),
        ("老公的假有几天", ["陪产假"]),
        ("个税能扣多少", ["个税扣除"]),
        ("小孩住院能多报销吗", ["医保报销"]),
        ("生三孩有奖励扶助吗", ["计划生育奖励扶助"]),
        ("公积金贷款能多贷吗", ["住房公积金"]),
        ("做试管有补助吗", ["辅助生殖"]),  # the 补助 qualifies 试管: no 生育补贴
        ("买房有补贴吗", ["住房支持"]),  # every reading of 补贴 is contradicted: no subsidy benefit
        ("崂山生孩子住院有补贴不", ["生育医疗费用", "分娩补助"]),
        ("长沙生三胎奖励多少", ["生育补贴"]),
        ("托育机构办得好给奖励吗", ["托育服务"]),  # 奖励 is neither a birth subsidy nor 奖励扶助 here
        ("北京小孩坐地铁能免票吗", ["出行优惠"]),
        ("产假能延长多少天", ["延长产假"]),
        ("今天天气怎么样", []),
        ("我是个体户，生孩子能领生育津贴吗", ["生育津贴"]),  # who asks (个体户) yields to what is asked
        ("个体户有啥税收优惠", ["创业税收优惠"]),  # the trade alone still reads as its tax relief
    ],
)
def test_find(lex, text, expected):
    assert keys(lex, text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # 护理假 is the spouse's leave at birth in some plans and the leave to care for a parent in others
        ("护理假有几天", ["陪产假"]),
        ("男方享受护理假25天", ["陪产假"]),
        ("父母住院护理假有几天", ["独生子女护理假"]),
        ("给予独生子女每年累计10日的护理假", ["独生子女护理假"]),
        ("老人住院能请陪护假吗", ["独生子女护理假"]),
        # a 补贴 for 托育 is not a 生育补贴
        ("托育有补贴吗", ["托育服务", "托育补贴"]),
        ("生孩子有补贴吗", ["生育补贴"]),
        ("住院护理补贴", ["计划生育特殊家庭扶助"]),
    ],
)
def test_sense_traps(lex, text, expected):
    assert keys(lex, text) == expected


def test_matches_give_positions_and_wordings_only(lex):
    text = normalize_query("女职工增加60天产假,配偶享受不少于15天陪产假")
    ms = lex.matches(text, wordings_only=True)
    assert [(m.benefit.key, text[m.start : m.end]) for m in ms] == [("产假", "产假"), ("陪产假", "陪产假")]
    # an everyday term is not a plan wording
    assert lex.matches("老公的假", wordings_only=True) == []


@pytest.mark.parametrize(
    "typed,fixed,pairs",
    [
        ("通化婚家几天", "通化婚假几天", (("婚家", "婚假"),)),
        ("青岛育儿家有几天", "青岛育儿假有几天", (("育儿家", "育儿假"),)),
        ("陪产家多少天", "陪产假多少天", (("陪产家", "陪产假"),)),
        ("产家几天", "产假几天", (("产家", "产假"),)),
        ("独生子女护理家", "独生子女护理假", (("独生子女护理家", "独生子女护理假"),)),
        ("通花的育儿假", "通化的育儿假", (("通花", "通化"),)),  # place names too
        ("冲庆育儿假", "重庆育儿假", (("冲庆", "重庆"),)),  # a polyphonic character read in context
        ("城杨区托位", "城阳区托位", (("城杨区", "城阳区"),)),
        ("多孩家庭公基金贷款", "多孩家庭公积金贷款", (("公基金贷款", "公积金贷款"),)),
        ("申请公租防", "申请公租房", (("公租防", "公租房"),)),
        ("带娃个睡每月能扣多少", "带娃个税每月能扣多少", (("个睡", "个税"),)),
    ],
)
def test_homophone_repair(lex, typed, fixed, pairs):
    c = lex.correct(normalize_query(typed))
    assert (c.text, c.fixes) == (fixed, pairs)
    assert c.changed


@pytest.mark.parametrize(
    "text",
    [
        "回家生孩子能休产假吗",  # 家 of 回家
        "国家规定的婚假",  # 家 of 国家
        "育儿家庭有什么补贴",  # 家 of 家庭, although 育儿家 sounds like 育儿假
        "我们结婚家里给钱吗",
        "同化",  # an ordinary word that sounds like 通化
        "青岛育儿假有几天",  # already right
        "婚假家属能陪同吗",
        "通化的个税扣除和北京一样吗",  # 和北 sounds like 湖北 but would cut 北京
        "贵州生孩子能报销吗",  # 贵州生 is not 贵州省
        "按20%的税率缴纳",  # 的税 is not 抵税: 税率 is a word
        "办理独立参保缴费",  # 保缴费 is not 保教费: 缴费 is a word
        "",
        "abc 123",
    ],
)
def test_homophone_repair_leaves_words_alone(lex, text):
    c = lex.correct(normalize_query(text))
    assert c.text == normalize_query(text) and c.fixes == () and not c.changed


def test_resolve_everyday_names_and_typos(lex):
    assert lex.resolve("育儿假").key == "育儿假"
    assert lex.resolve("带娃假").key == "育儿假"
    assert lex.resolve("育儿家").key == "育儿假"
    assert lex.resolve(" 婚家 ").key == "婚假"
    assert lex.resolve("天气") is None
    assert lex.resolve("") is None


def test_load_is_cached(lex):
    assert load_lexicon() is lex


def test_plan_sentences_are_never_repaired(lex, settings):
    """The plans are written correctly: not one of their sentences may be "corrected" (sampled for speed)."""
    from rag.ingest.chunker import chunk_documents, chunk_sentences
    from rag.ingest.seeds import load_documents

    sentences = [
        s for c in chunk_documents(load_documents(settings.seeds_dir)) for s in chunk_sentences(c.text)
    ]
    sample = sentences[::4]
    assert len(sample) > 100
    wrong = [(s, lex.correct(normalize_query(s)).fixes) for s in sample]
    assert [w for w in wrong if w[1]] == []


def test_query_expansions_come_from_the_lexicon(lex, settings):
    """One vocabulary: query expansion reads the lexicon's [expansions] (formerly synonyms.txt)."""
    from rag.ingest.seeds import load_documents
    from rag.question.query import expansions, synonyms

    assert synonyms() == list(lex.expansions) and len(lex.expansions) >= 40
    assert "生育" in expansions("生娃有什么补贴") and "个人所得税" in expansions("个税能抵多少")
    assert expansions("今天天气") == []
    corpus = normalize_query("".join(d.text for d in load_documents(settings.seeds_dir)))
    for term, variants in lex.expansions:
        assert term in corpus, term  # every expansion is a plan term: it must help keyword matching
        assert variants, term


def test_misuse_situations_name_the_benefit_meant_instead(lex):
    care = lex.get("独生子女护理假")
    assert care.misused("独生子女护理假能用来陪老婆坐月子吗") == ("坐月子", "陪产假")
    assert care.misused("不是独生子女的有照护假吗") == ("不是独生子女", "")
    assert care.misused("父母住院了独生子女护理假有几天") is None
    assert lex.get("计划生育奖励扶助").misused("生三胎能领奖励扶助金吗") == ("生三胎", "生育补贴")


def test_misuse_must_point_at_a_known_benefit():
    bad = '[[benefit]]\nkey = "婚假"\nunit = "天数"\nmisuse = [{when = ["离婚"], instead = "不存在的待遇"}]\n'
    with pytest.raises(LexiconError, match="misuse"):
        parse_benefits(bad)


def test_a_reload_sees_place_names_of_a_plan_added_since(seeds_copy, monkeypatch):
    """An operator adds a plan (or an alias) to seeds/, runs `rag index`, then POST /admin/reload: the typo repair
    must know the new names without a restart."""
    from rag.question.lexicon import load_lexicon
    from rag.server.reload import AnswererHolder

    monkeypatch.setenv("RAG_SEEDS_DIR", str(seeds_copy))
    load_lexicon.cache_clear()
    try:
        assert "琅琊台区" not in load_lexicon().places
        toml = seeds_copy / "documents.toml"
        text = toml.read_text(encoding="utf-8")
        toml.write_text(
            text.replace('aliases = ["青岛市",', 'aliases = ["青岛市", "琅琊台区",', 1), encoding="utf-8"
        )
        assert "琅琊台区" not in load_lexicon().places  # cached until a reload
        assert AnswererHolder(object(), builder=lambda: None).reload()
        assert "琅琊台区" in load_lexicon().places
    finally:
        monkeypatch.delenv("RAG_SEEDS_DIR")
        load_lexicon.cache_clear()  # the next test reads the project's seeds again


def test_a_leave_asked_in_days_replaces_a_word_that_sounds_the_same(lex):
    """婚嫁 is an ordinary word (婚嫁陈规陋习) and stays one, unless the question asks 几天: then it is 婚假."""
    asked = normalize_query("重庆的婚嫁有几天")
    assert lex.correct(asked, days_asked=True).text == "重庆的婚假有几天"
    assert lex.correct(asked).text == asked  # no days asked (婚嫁陈规陋习): 婚嫁 is no typo
