"""The family model: bounded before it is read, "unknown" always allowed, every refusal one Chinese sentence."""

from __future__ import annotations

import pytest

from rag.eligibility import family as F
from rag.errors import InputError


def _cn(exc) -> str:
    text = str(exc.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    return text


def test_specs_of_the_command_line():
    f = F.from_specs(
        "青岛", ["2:3", "1:expected", "unknown:unknown"], ["mother:employed:yes", "father:不上班"]
    )
    assert f.children == (
        F.Child(order=2, age_months=3),
        F.Child(order=1, expected=True),
        F.Child(order=None, age_months=None),
    )
    assert f.parent("mother").maternity_insurance == "yes" and f.parent("father").employment == "not_working"
    assert f.local_hukou == "unknown" and f.housing == "unknown"


def test_a_json_body_with_aliases_and_unknowns():
    f = F.from_dict(
        {"region": " 北京 ", "children": [{"order": "3", "age_months": 40}, {}], "parents": [{"role": "妈妈"}],
         "local_hukou": "否", "housing": "租房"}
    )  # fmt: skip
    assert f.region == "北京" and f.children[0] == F.Child(order=3, age_months=40)
    assert f.children[1] == F.Child() and f.parents[0].employment == "unknown"
    assert f.local_hukou == "no" and f.housing == "renting"


@pytest.mark.parametrize(
    "body, words",
    [
        ({"region": "青岛", "children": [{"age_months": -3}]}, "月龄"),
        ({"region": "青岛", "children": [{"age_months": 217}]}, "216"),
        ({"region": "青岛", "children": [{"age_months": True}]}, "月龄"),
        ({"region": "青岛", "children": [{"order": 0}]}, "孩次"),
        ({"region": "青岛", "children": [{"order": 11}]}, "孩次"),
        ({"region": "青岛", "children": [{}] * 50}, "最多填写 10 个"),
        ({"region": "青岛", "parents": [{"role": "mother"}] * 5}, "最多填写 4 位"),
        ({"region": "青岛", "parents": [{"role": "grandma"}]}, "mother / father"),
        ({"region": "青岛", "parents": [{"role": "mother", "employment": "boss"}]}, "employed"),
        ({"region": "青岛", "local_hukou": "maybe"}, "yes / no / unknown"),
        ({"region": "青岛", "housing": "castle"}, "renting"),
        ({"region": "", "children": []}, "所在地区"),
        ({"region": "青" * 51}, "上限 50 字"),
        ({"region": 5}, "所在地区"),
        ({"region": "青岛", "pets": 2}, "有无法识别的字段"),
        ({"region": "青岛", "children": [{"age": 3}]}, "有无法识别的字段"),
        ({"region": "青岛", "children": ["2:3"]}, "写法无法识别"),
        (["青岛"], "JSON 对象"),
    ],
)
def test_bad_input_is_one_chinese_sentence(body, words):
    with pytest.raises(InputError) as exc:
        F.from_dict(body)
    assert words in _cn(exc)


@pytest.mark.parametrize("spec", ["2", "2:3:4", "二:3", "2:三个月"])
def test_bad_child_specs(spec):
    with pytest.raises(InputError) as exc:
        F.from_specs("青岛", [spec], [])
    _cn(exc)


def test_fifty_children_are_refused_before_any_is_read():
    with pytest.raises(InputError) as exc:
        F.from_specs("青岛", ["x"] * 50, [])  # the bound is checked first: not "写法无法识别"
    assert "最多" in _cn(exc)
