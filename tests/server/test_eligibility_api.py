"""POST /api/eligibility over the real assistant (FastAPI TestClient): good, bad and hostile input, the same
guards as /api/ask (413 body cap, 429 rate limit, 422 one Chinese sentence that never echoes the input)."""

from __future__ import annotations

import pytest
from _live_server import make_app
from fastapi.testclient import TestClient

URL = "/api/eligibility"
GOOD = {
    "region": "青岛",
    "children": [{"order": 2, "age_months": 3}],
    "parents": [{"role": "mother", "employment": "employed"}, {"role": "father", "employment": "employed"}],
    "id": "f1",
}


@pytest.fixture(scope="module")
def client():
    with TestClient(make_app()) as c:
        yield c


def _detail(r) -> str:
    text = r.json()["detail"]
    assert isinstance(text, str) and any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    return text


def test_a_family_gets_items_with_clauses(client):
    r = client.post(URL, json=GOOD)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["id"] == "f1" and d["region"] == "qingdao" and d["region_name"] == "青岛市"
    met = {(i["benefit"], i["figure"]) for i in d["items"] if i["status"] == "符合"}
    assert {("延长产假", "60天"), ("陪产假", "15天"), ("育儿假", "10天")} <= met
    for i in d["items"]:
        assert i["status"] in ("符合", "可能符合") and i["citation"]["clause_id"].startswith("qingdao-")
        assert not i["figure"] or i["figure"] in i["citation"]["text"]
        assert i["status"] == "符合" or i["to_check"]
    assert d["questions"] and any("征求意见稿" in n for n in d["notes"])


def test_unknowns_and_place_names(client):
    d = client.post(URL, json={"region": "清镇", "children": [{}], "parents": [{"role": "mother"}]}).json()
    assert d["region"] == "guizhou" and all(i["status"] == "可能符合" for i in d["items"])
    assert any("清镇" in n for n in d["notes"])


@pytest.mark.parametrize(
    "body, words",
    [
        ({**GOOD, "children": [{"order": 1, "age_months": -5}]}, "月龄"),
        ({**GOOD, "children": [{"order": 1}] * 50}, "最多填写 10 个"),
        ({**GOOD, "region": "火星"}, "已收录的地区"),
        ({**GOOD, "region": ""}, "所在地区"),
        ({**GOOD, "region": "<script>alert(1)</script>"}, "已收录的地区"),
        ({**GOOD, "parents": [{"role": "boss"}]}, "mother / father"),
        ({**GOOD, "housing": {"$ne": 1}}, "housing"),
        ({"children": []}, "所在地区"),
        ({**GOOD, "extra": 1}, "有无法识别的字段"),
    ],
)
def test_bad_and_hostile_input_is_one_sentence(client, body, words):
    r = client.post(URL, json=body)
    assert r.status_code == 422, r.text
    text = _detail(r)
    assert words in text and "<script>" not in text


def test_not_json_huge_body_and_not_an_object(client):
    assert client.post(URL, content=b"{", headers={"content-type": "application/json"}).status_code == 400
    r = client.post(URL, json={**GOOD, "region": "长" * 70000})
    assert r.status_code == 413 and _detail(r)
    r = client.post(URL, json=["青岛"])
    assert r.status_code == 422 and _detail(r)


def test_rate_limited_like_ask():
    with TestClient(make_app(rate_limit=1)) as c:
        codes = [c.post(URL, json=GOOD).status_code for _ in range(4)]
    assert codes[0] == 200 and 429 in codes


def test_typed_in_openapi(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"][URL]["post"]
    assert set(op["responses"]) == {"200", "400", "413", "422", "429"}
    schemas = spec["components"]["schemas"]
    assert {"EligibilityRequest", "EligibilityResponse", "ItemOut", "ChildIn", "ParentIn"} <= set(schemas)
    assert schemas["EligibilityRequest"]["properties"]["children"]["maxItems"] == 10
