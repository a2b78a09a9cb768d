"""`rag compare` and GET /api/compare: benefit names resolved through the lexicon, one row per region."""

from __future__ import annotations

import json

import pytest

from rag.benefits.table import build_table
from rag.benefits.view import MAX_NAME, compare_dict, format_rows, resolve
from rag.errors import InputError
from rag.ingest.chunker import chunk_documents
from rag.ingest.seeds import load_documents


@pytest.fixture(scope="module")
def table(settings):
    docs = load_documents(settings.seeds_dir)
    return build_table(chunk_documents(docs), docs)


def test_resolve_names(table):
    assert resolve(table, None) == table.benefit_keys
    assert resolve(table, "育儿假") == ["育儿假"]
    assert resolve(table, "带娃假") == ["育儿假"]  # everyday word
    assert resolve(table, "育儿家") == ["育儿假"]  # homophone typo
    assert resolve(table, "父母住院护理假") == ["独生子女护理假"]  # look-alike resolved
    assert resolve(table, "产假") == ["产假", "延长产假"]  # a leave comes with its extension
    assert resolve(table, "延长产假") == ["延长产假"]


@pytest.mark.parametrize(
    "name,needle", [("", "请填写"), ("  ", "请填写"), ("天气", "没有找到"), ("托育服务", "没有可对比的数值")]
)
def test_resolve_refuses_with_one_sentence(table, name, needle):
    with pytest.raises(InputError, match=needle):
        resolve(table, name)


def test_resolve_bounds_the_input(table):
    with pytest.raises(InputError, match="太长"):
        resolve(table, "育" * (MAX_NAME + 1))


def test_rows_one_per_region(table):
    lines = format_rows(table, "育儿假")
    assert lines[0] == "育儿假（天数）" and lines[1].split("\t") == ["地区", "数值", "限定", "条件", "条款"]
    rows = [line.split("\t") for line in lines[2:]]
    assert len(rows) == 5 and all(len(r) == 5 for r in rows)
    qd = next(r for r in rows if r[0] == "青岛市")
    assert (
        qd[1] == "10天"
        and "不少于" in qd[2]
        and qd[3] == "3周岁以下婴幼儿父母"
        and qd[4] == "qingdao-2.4.1-1"
    )
    bj = next(r for r in rows if r[0] == "北京市")
    assert bj[1] == "提到但未规定具体天数" and bj[4] == "beijing-5.12-1"  # names the kind asked for
    wedding = [line.split("\t") for line in format_rows(table, "婚假")[2:]]
    assert next(r for r in wedding if r[0] == "北京市")[1:] == ["未规定", "—", "—", "—"]
    tiers = [line.split("\t") for line in format_rows(table, "托育补贴")[2:]]
    assert next(r for r in tiers if r[0] == "青岛市")[1] == "300元 / 380元"


def test_compare_dict_shape(table):
    d = compare_dict(table, "育儿家")
    assert d["query"] == "育儿家" and [b["benefit"] for b in d["benefits"]] == ["育儿假"]
    rows = d["benefits"][0]["rows"]
    assert [r["region"] for r in rows] == ["beijing", "chongqing", "guizhou", "qingdao", "tonghua"]
    assert rows[3]["values"][0]["text"] == "10天" and rows[3]["values"][0]["number"] == 10.0
    assert len(compare_dict(table)["benefits"]) == len(table.benefit_keys)


@pytest.fixture(scope="module")
def hash_index(tmp_path_factory, settings):
    """A real index build (hashing embedder: no model) for the command line to read."""
    from rag.index.store import build_index

    root = tmp_path_factory.mktemp("cmp") / "index"
    build_index(settings.with_(index_root=root, embedder="hash"))
    return ["--index-dir", str(root), "--embedder", "hash"]


def test_cli_compare_text_and_json(hash_index, capsys, table):
    from rag.cli import main

    assert main(["compare", "育儿假", *hash_index]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2:] == format_rows(table, "育儿假")[2:] and len(out) == 7
    assert main(["compare", "育儿家", "--json", *hash_index]) == 0
    assert json.loads(capsys.readouterr().out) == compare_dict(table, "育儿家")
    assert main(["compare", "育儿家", *hash_index]) == 0
    assert "育儿假" in capsys.readouterr().err  # says which benefit the typo was read as
    assert main(["compare", *hash_index]) == 0
    assert capsys.readouterr().out.count("地区\t数值") == len(table.benefit_keys)


def test_cli_compare_unknown_benefit_exits_2(hash_index, capsys):
    from rag.cli import main

    assert main(["compare", "天气", *hash_index]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rag: 没有找到可对比的待遇") and "Traceback" not in err


@pytest.mark.slow
def test_api_compare_matches_the_cli_json():
    """The real server app (real answerer and index) over TestClient and over a live uvicorn on 127.0.0.1."""
    import httpx
    from _live_server import answerer, live_server, make_app
    from fastapi.testclient import TestClient

    from rag.benefits.view import table_of

    app = make_app()
    expected = compare_dict(table_of(answerer()), "育儿假")
    with TestClient(app) as client:
        r = client.get("/api/compare", params={"benefit": "育儿假"})
        assert r.status_code == 200 and r.json() == expected
        assert (
            client.get("/api/compare", params={"benefit": "带娃假"}).json()["benefits"]
            == expected["benefits"]
        )
        assert len(client.get("/api/compare").json()["benefits"]) >= 10
        for bad, needle in (("天气", "没有找到"), ("", "请填写"), ("育" * 60, "太长")):
            r = client.get("/api/compare", params={"benefit": bad})
            assert r.status_code == 422 and needle in r.json()["detail"]
    with live_server(make_app()) as url:
        r = httpx.get(url + "/api/compare", params={"benefit": "育儿家"}, timeout=30)
        assert r.status_code == 200 and r.json()["benefits"] == expected["benefits"]
