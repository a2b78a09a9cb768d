"""Synthetic plans in each layout of the numbering table, with expected clause counts and heading paths."""

from __future__ import annotations

from rag.ingest.clean import clean_lines
from rag.ingest.layouts import MARKERS, cn_to_int, inline_items, parse_document


def parse(text: str):
    return parse_document(clean_lines(text))


NESTED = """某市优化生育政策实施方案
为进一步优化生育政策，制定本方案。
一、总体要求
（一）指导思想。坚持以人民为中心。
二、主要措施
（一）完善生育休假制度
1.延长产假。女职工产假延长至158天。
2.设立育儿假。具体如下：
（1）子女3周岁以内每年10天；
（2）假期工资照发。
①独生子女父母护理假每年10天；
②多子女家庭护理假每人5天。
（二）发放育儿补贴。二孩每月300元。
"""

ARTICLES = """某省人口与计划生育条例（修订）
第一章 总则
第一条 为了实现人口与经济社会协调发展，制定本条例。
第二章 生育调节
第一节 生育政策
第二条 提倡适龄婚育、优生优育，一对夫妻可以生育三个子女。
第三条 依法生育的夫妻享受下列待遇：
（一）女方产假延长六十日；
（二）男方陪产假十五日。
第二节 奖励与保障
第四条 独生子女父母退休时，一次性发给奖励金三千元。
"""

INLINE = """某县关于完善生育支持措施的通知
各乡镇人民政府：
一、加强生育假期保障。一是延长产假九十天；二是设立育儿假每年十日；三是落实陪产假十五天。
二、加大经济支持。一是发放生育补贴三千元。二是发放育儿补贴每月八百元。（县财政局牵头）
"""

FLAT = """某区托育服务若干措施
为加快发展普惠托育服务，制定如下措施。
1.新建住宅小区按每千人口不少于10个托位配建托育设施。
2.对普惠托育机构按每个托位每月200元给予运营补贴。
3.支持用人单位提供福利性托育服务，每个托位一次性补助1万元。
"""

NONE = """关于做好生育支持工作的意见
各单位：
要充分认识优化生育政策的重大意义，把生育支持工作摆在重要位置，切实抓紧抓好。
生育第三个子女的家庭，可以申请一次性生育补贴五千元，由户籍所在地乡镇受理。
各地要加强宣传解读，及时回应群众关切，营造生育友好的社会氛围。
2024年5月1日
"""


def test_nested_five_rows():
    p = parse(NESTED)
    assert p.layout == "一、/（一）/1./（1）/①"
    heads = [" > ".join(c.headings) for c in p.clauses]
    assert heads == [
        "前言",
        "一、总体要求 > （一）指导思想",
        "二、主要措施 > （一）完善生育休假制度 > 1.延长产假",
        "二、主要措施 > （一）完善生育休假制度 > 2.设立育儿假",
        "二、主要措施 > （一）完善生育休假制度 > 2.设立育儿假 > （1）子女3周岁以内每年10天；",
        "二、主要措施 > （一）完善生育休假制度 > 2.设立育儿假 > （2）假期工资照发。",
        "二、主要措施 > （一）完善生育休假制度 > 2.设立育儿假 > （2）假期工资照发。 > ①独生子女父母护理假每年10天；",
        "二、主要措施 > （一）完善生育休假制度 > 2.设立育儿假 > （2）假期工资照发。 > ②多子女家庭护理假每人5天。",
        "二、主要措施 > （二）发放育儿补贴",
    ]
    assert [c.key for c in p.clauses][3:6] == [(2, 1, 2), (2, 1, 2, 1), (2, 1, 2, 2)]
    assert p.clauses[-1].paragraphs == ["二孩每月300元。"]


def test_chapters_sections_articles_the_article_is_the_clause():
    p = parse(ARTICLES)
    assert p.layout == "第X章/第X节/第X条/（一）"
    heads = [" > ".join(c.headings) for c in p.clauses]
    assert heads[0] == "第一章 总则 > 第一条"
    assert heads[1] == "第二章 生育调节 > 第一节 生育政策 > 第二条"
    assert heads[-1] == "第二章 生育调节 > 第二节 奖励与保障 > 第四条"
    second = p.clauses[1]
    assert second.paragraphs == ["提倡适龄婚育、优生优育，一对夫妻可以生育三个子女。"]  # not split as a title
    assert [c.key for c in p.clauses] == [(1, 1), (2, 1, 2), (2, 1, 3), (2, 1, 3, 1), (2, 1, 3, 2), (2, 2, 4)]


def test_inline_items_each_a_clause_part_that_reads_on_its_own():
    p = parse(INLINE)
    assert p.layout == "一、/一是/二是"
    assert len(p.clauses) == 5
    first = p.clauses[0]
    assert first.headings == ["一、加强生育假期保障", "一是延长产假九十天"]
    assert first.paragraphs == ["一是延长产假九十天；"]
    last = p.clauses[-1]
    assert last.key == (2, 2) and last.paragraphs == ["二是发放育儿补贴每月八百元。"]
    assert last.duties == ["县财政局牵头"]


def test_flat_numbered_list():
    p = parse(FLAT)
    assert p.layout == "1."
    assert len(p.clauses) == 4  # preamble + 3 items
    assert p.clauses[0].headings == ["前言"]
    assert [c.key for c in p.clauses[1:]] == [(1,), (2,), (3,)]
    assert p.clauses[2].headings[0].startswith("2.")


def test_no_numbering_gives_paragraph_clauses_and_a_warning():
    p = parse(NONE)
    assert p.layout == "无编号"
    assert len(p.clauses) == 3  # title, salutation and date dropped
    assert p.warnings and "未识别到条款编号" in p.warnings[0]
    assert all(c.headings and c.headings[0] for c in p.clauses)


def test_inline_needs_one_then_two_in_order():
    assert inline_items("统一是关键。") == ("统一是关键。", [])
    assert inline_items("二是补贴。一是假期。")[1] == []
    lead, items = inline_items("措施如下。一是甲；二是乙；三是丙。")
    assert lead == "措施如下。" and items == ["一是甲；", "二是乙；", "三是丙。"]


def test_numbering_table_has_one_row_per_style_and_numerals():
    assert len({m.name for m in MARKERS}) == len(MARKERS)
    assert [cn_to_int(s) for s in ("一百零二", "二十三", "③", "１２", "两")] == [102, 23, 3, 12, 2]
