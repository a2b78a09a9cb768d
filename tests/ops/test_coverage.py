"""Issue 25, `rag coverage` and its /admin section: per province, which levels have a plan, which are drafts or
superseded, and which places resolve to which plan — over the seeds plus the three-level chain of test plans and a
superseded version of the city's plan."""

from __future__ import annotations

import json
import shutil
from html import unescape

import pytest
from _chain_plans import add_chain
from _ops_helpers import hash_settings_in
from fastapi.testclient import TestClient

from rag.cli import main
from rag.ops.coverage import as_text, load

NEWER = """
[[document]]
slug = "wanghai-2026"
file = "wanghai-2026.txt"
region_name = "望海市"
short_name = "望海"
title = "望海市支持家庭生育养育若干措施（2026年修订征求意见稿）"
status = "征求意见稿"
level = "city"
supersedes = "wanghai"
parents = ["澜海省"]
"""


@pytest.fixture
def home(tmp_path, seeds_copy):
    add_chain(seeds_copy, {"wanghai": "txt", "linlan": "txt"})
    shutil.copy(seeds_copy / "wanghai.txt", seeds_copy / "wanghai-2026.txt")
    with open(seeds_copy / "documents.toml", "a", encoding="utf-8") as fh:
        fh.write(NEWER)
    return seeds_copy


def test_levels_drafts_superseded_and_places_per_province(home):
    rows = {r.province: r for r in load(home)}
    lanhai = rows["澜海省"]
    assert lanhai.levels == {"province": ["lanhai"], "city": ["wanghai-2026"], "county": ["linlan"]}
    plans = {p.slug: p for p in lanhai.plans}
    assert plans["wanghai"].superseded_by == "wanghai-2026" and plans["wanghai-2026"].draft
    assert plans["linlan"].parent == "wanghai-2026"  # the current version of the city's plan
    assert plans["lanhai"].without_own_plan == ("望澜市",)
    assert "贵阳市" in {p.slug: p for p in rows["贵州省"].plans}["guizhou"].without_own_plan
    assert rows["山东省"].levels == {"city": ["qingdao"]} and rows["山东省"].plans[0].draft
    assert rows["吉林省"].levels == {"district": ["tonghua"]}
    assert {p.divisions for p in rows["重庆市"].plans} == {22}  # its districts resolve to it
    text = "\n".join(as_text(list(rows.values())))
    assert "澜海省：省级 1 份、市级 1 份、县级 1 份" in text and "已被 wanghai-2026 取代" in text


def test_the_command_prints_text_and_json(home, monkeypatch, capsys):
    monkeypatch.setenv("RAG_HOME", str(home.parent))
    assert main(["coverage"]) == 0
    assert "未收录自己方案、按本方案作答：望澜市" in capsys.readouterr().out
    assert main(["coverage", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    lanhai = next(p for p in data["provinces"] if p["province"] == "澜海省")
    assert lanhai["levels"]["county"] == ["linlan"]
    assert [p["slug"] for p in lanhai["plans"]] == ["lanhai", "wanghai", "wanghai-2026", "linlan"]


def test_the_admin_page_shows_the_coverage(tmp_path, monkeypatch):
    from rag.assistant import Assistant
    from rag.server import create_app
    from rag.server.config import ServerConfig

    monkeypatch.setenv("RAG_DATABASE_URL", f"sqlite:///{tmp_path / 'c.sqlite'}")
    monkeypatch.setenv("RAG_LOG_SALT", "s")
    asst = Assistant.load(settings=hash_settings_in(tmp_path))
    app = create_app(asst, ServerConfig(rate_limit=0, admin_token="cov-token"))
    with TestClient(app) as c:
        page = unescape(c.get("/admin/clauses", headers={"Authorization": "Bearer cov-token"}).text)
    part = page[page.index('<h2 id="coverage"') :]
    assert "贵州省：省级 1 份" in part and "未收录自己方案、按本方案作答：" in part and "青岛市" in part
