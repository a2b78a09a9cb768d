"""The cross-region benefits table: rules on the real clauses, verbatim values, storage in the index build."""

from __future__ import annotations

import json

import pytest

from rag.benefits.table import (
    FILE,
    NO_NUMBER,
    NOT_COVERED,
    VALUE,
    BenefitsTable,
    build_table,
    rules_version,
)
from rag.ingest.chunker import chunk_documents
from rag.ingest.seeds import load_documents
from rag.question.lexicon import load_lexicon


@pytest.fixture(scope="module")
def corpus(settings):
    docs = load_documents(settings.seeds_dir)
    return docs, chunk_documents(docs)


@pytest.fixture(scope="module")
def table(corpus) -> BenefitsTable:
    docs, chunks = corpus
    return build_table(chunks, docs, load_lexicon())


def texts(cell):
    return [v.text for v in cell.values]


def test_every_value_is_verbatim_in_its_clause(table, corpus):
    """The grounding rule of the table: value texts, sentences and condition pieces are quoted, never made up."""
    by_id = {c.id: c for c in corpus[1]}
    seen = 0
    for key in table.benefit_keys:
        for cell in table.row(key):
            if cell.status == NOT_COVERED:
                assert not cell.values and not cell.clause_id
                continue
            clause = by_id[cell.clause_id]
            assert clause.slug == cell.region
            assert cell.sentence and cell.sentence in clause.text
            assert (cell.status == VALUE) == bool(cell.values)
            for v in cell.values:
                seen += 1
                assert v.text in cell.sentence, (key, cell.region, v.text)
                assert v.number is not None and v.number > 0
                for piece in filter(None, v.condition.split("，")):
                    assert piece in clause.text, (key, cell.region, piece)
                for q in filter(None, v.qualifier.split("、")):
                    assert q in cell.sentence, (key, cell.region, q)
    assert seen >= 15


def test_rows_follow_documents_order(table, corpus):
    assert [c.region for c in table.row("育儿假")] == [d.slug for d in corpus[0]]
    assert table.region_name("qingdao") == "青岛市"


def test_qingdao_parental_leave_keeps_its_qualifiers(table):
    cell = table.get("qingdao", "育儿假")
    assert cell.status == VALUE and cell.clause_id == "qingdao-2.4.1-1"
    (v,) = cell.values
    assert (v.text, v.number, v.unit) == ("10天", 10.0, "天")
    assert {"不少于", "每年", "累计"} <= set(v.qualifier.split("、"))
    assert v.condition == "3周岁以下婴幼儿父母"


def test_values_in_the_next_segment_and_conditions_before(table):
    g = table.get("guizhou", "育儿假")  # 设立父母育儿假，3周岁以下婴幼儿父母每年各享受10天假期
    assert texts(g) == ["10天"] and g.values[0].condition == "3周岁以下婴幼儿父母"
    t = table.get("tonghua", "育儿假")
    assert texts(t) == ["20天"] and "在子女3周岁前" in t.values[0].condition
    assert "累计" in t.values[0].qualifier
    assert texts(table.get("tonghua", "婚假")) == ["15天"]
    assert table.get("tonghua", "婚假").values[0].condition == "依法办理结婚登记的职工"


def test_tiers_are_kept(table):
    care = table.get("qingdao", "独生子女护理假")  # 独生子女每年累计10日、非独生子女每年累计7日
    assert texts(care) == ["10日", "7日"]
    assert [v.condition.split("，")[-1] for v in care.values] == ["独生子女", "非独生子女"]
    assert all(v.unit == "天" for v in care.values)  # 日 and 天 compare as one unit
    nursery = table.get("qingdao", "托育补贴")  # 二孩每人每月300元、三孩每人每月380元
    assert texts(nursery) == ["300元", "380元"]
    assert nursery.values[0].condition.endswith("二孩") and nursery.values[1].condition == "三孩"
    assert all({"每人", "每月"} <= set(v.qualifier.split("、")) for v in nursery.values)


def test_extension_is_not_the_base_leave(table):
    ext = table.get("qingdao", "延长产假")  # 除国家规定的产假外，女职工增加60天产假
    assert texts(ext) == ["60天"] and "增加" in ext.values[0].qualifier
    assert table.get("qingdao", "产假").status == NO_NUMBER  # the base leave is named without a number
    assert texts(table.get("tonghua", "产假")) == ["180天"]  # a total, no increase
    assert table.get("beijing", "延长产假").status == NO_NUMBER  # 延长生育假, no number


def test_sense_traps_in_the_table(table):
    # tonghua: 男方享受护理假25天 (spouse) vs 独生子女每年享受照护假累计15天 (parent in hospital)
    assert texts(table.get("tonghua", "陪产假")) == ["25天"]
    assert texts(table.get("tonghua", "独生子女护理假")) == ["15天"]
    # guizhou: the 陪护假 of 独生子女职工 is the parent-care leave, not the spouse's leave
    assert texts(table.get("guizhou", "独生子女护理假")) == ["15天"]
    assert "不超过" in table.get("guizhou", "独生子女护理假").values[0].qualifier
    assert table.get("guizhou", "陪产假").status == NO_NUMBER  # 男方护理假, no number
    # chongqing lists 护理假 among the birth leaves: the spouse's leave, not the care of a parent
    assert table.get("chongqing", "陪产假").clause_id == "chongqing-5.11-1"
    assert table.get("chongqing", "独生子女护理假").clause_id == "chongqing-6.17-1"
    # a 补贴 for 托育 is not a 生育补贴; 生育补贴 stays without a number everywhere
    assert all(c.status != VALUE for c in table.row("生育补贴"))


def test_money_percent_and_not_covered(table):
    birth = table.get("qingdao", "分娩补助")
    assert (birth.values[0].text, birth.values[0].number, birth.values[0].qualifier) == (
        "500元",
        500.0,
        "不低于",
    )
    tax = table.get("tonghua", "个税扣除").values[0]
    assert (tax.text, tax.unit) == ("2000元", "元") and "每月" in tax.qualifier
    fund = table.get("qingdao", "住房公积金").values[0]
    assert (fund.text, fund.unit, fund.qualifier) == ("20%", "%", "上浮")
    ins = table.get("chongqing", "医保报销").values[0]
    assert (ins.text, ins.unit) == ("5个百分点", "百分点")
    assert table.get("beijing", "婚假").status == NOT_COVERED
    assert table.get("beijing", "住房公积金").status == NOT_COVERED
    with pytest.raises(KeyError):
        table.get("shanghai", "婚假")
    with pytest.raises(KeyError):
        table.get("qingdao", "不存在的待遇")


def test_round_trip_and_row_json(table):
    again = BenefitsTable.from_dict(json.loads(json.dumps(table.to_dict(), ensure_ascii=False)))
    for key in table.benefit_keys:
        assert again.row(key) == table.row(key)
    row = table.row_dict("育儿假")
    assert row["benefit"] == "育儿假" and row["unit"] == "天数" and len(row["rows"]) == 5
    first = row["rows"][0]
    assert set(first) == {"region", "region_name", "benefit", "status", "values", "clause_id", "sentence"}


def test_rules_on_new_wording(corpus):
    """The rules are general: a sixth plan in other words is read the same way."""
    from rag.models import Chunk

    text = (
        "符合条件的职工，每人每年最高享受育儿假12天；"
        "对生育二孩的家庭，给予一次性生育补贴2000元、三孩3000元。"
        "男方享受护理假20天，独生子女父母患病住院的，其子女享受护理假10天。"
    )
    chunk = Chunk("x-1-1", "x", "某市", "某市方案", "正式文件", "一、措施", text, text)
    t = build_table([chunk], [type("D", (), {"slug": "x", "region_name": "某市"})()])
    leave = t.get("x", "育儿假").values[0]
    assert (leave.text, leave.condition) == ("12天", "符合条件的职工")
    assert {"每人", "每年", "最高"} <= set(leave.qualifier.split("、"))
    assert texts(t.get("x", "生育补贴")) == ["2000元", "3000元"]
    assert "一次性" in t.get("x", "生育补贴").values[0].qualifier
    assert texts(t.get("x", "陪产假")) == ["20天"]
    assert texts(t.get("x", "独生子女护理假")) == ["10天"]


def test_index_build_stores_and_loads_the_table(hash_settings, table):
    from rag.index.store import build_index, load_index, staleness

    rep = build_index(hash_settings)
    m = json.loads((rep.dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["benefits"]["file"] == FILE and m["benefits"]["version"] == rules_version()
    assert (rep.dir / FILE).is_file()
    idx = load_index(hash_settings)
    assert idx.benefits.row("育儿假") == table.row("育儿假")
    # a damaged table file is rebuilt from the chunks, never an error
    (rep.dir / FILE).write_text("{not json", encoding="utf-8")
    assert load_index(hash_settings).benefits.row("婚假") == table.row("婚假")
    # a lexicon or rules change makes the build stale (so `rag index --if-stale` rebuilds it)
    m["benefits"]["version"] = "0:old"
    (rep.dir / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    assert "待遇对照表" in staleness(hash_settings)


def test_value_bounds_for_comparisons(table):
    """不少于 / 不超过 / 增加 change what a number means: the bound says so for the composer's verdicts."""
    assert table.get("qingdao", "育儿假").values[0].bound == "at_least"  # 不少于10天
    assert table.get("tonghua", "育儿假").values[0].bound == "exact"  # 累计20天
    assert table.get("guizhou", "独生子女护理假").values[0].bound == "at_most"  # 不超过15天
    assert table.get("qingdao", "延长产假").values[0].bound == "relative"  # 增加60天
    assert table.get("chongqing", "医保报销").values[0].bound == "relative"  # 提高5个百分点
    assert table.get("qingdao", "分娩补助").values[0].bound == "at_least"  # 不低于500元
    row = table.row_dict("育儿假")["rows"]
    assert [v["bound"] for r in row for v in r["values"]] == ["exact", "at_least", "exact"]
