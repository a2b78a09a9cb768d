"""`rag ingest FILE` previews a parse before anything is indexed; `rag index` works for another seeds folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _render import to_docx, to_pdf

from rag.cli import main

ROOT = Path(__file__).resolve().parents[2]
PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"


def test_ingest_preview_shows_format_layout_sections_count_first_clauses(tmp_path, capsys):
    to_docx((PLANS / "linhai.txt").read_text(encoding="utf-8"), tmp_path / "linhai.docx")
    assert main(["ingest", str(tmp_path / "linhai.docx"), "--first", "2"]) == 0
    out = capsys.readouterr().out
    assert "格式：docx" in out and "版式：第X章/第X条" in out and "条款：15 个" in out
    assert "第一章 总则、第二章 生育假期" in out
    assert "[linhai-1.1-1] 第一章 总则 > 第一条" in out and "[linhai-1.3-1]" not in out
    assert "注意：" in out


def test_ingest_json_and_warning_for_unnumbered_text(tmp_path, capsys):
    p = tmp_path / "plain.md"
    p.write_text(
        "# 关于做好生育支持工作的意见\n\n生育第三个子女的家庭，可以申请一次性生育补贴五千元，由户籍所在地乡镇受理。\n",
        encoding="utf-8",
    )
    assert main(["ingest", str(p), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["format"] == "md" and rep["layout"] == "无编号" and rep["clauses"] == 1
    assert any("未识别到条款编号" in w for w in rep["warnings"]) and rep["first"][0]["text"].startswith(
        "生育第三个"
    )


@pytest.mark.parametrize(
    "name,content,words",
    [
        ("scan.doc", b"\xd0\xcf\x11\xe0", "不受支持"),
        ("empty.pdf", b"", "空文件"),
        ("bad.docx", b"PK..", "无法读取"),
    ],
)
def test_ingest_bad_files_one_sentence_exit_2(tmp_path, capsys, name, content, words):
    (tmp_path / name).write_bytes(content)
    assert main(["ingest", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rag: ") and name in err and words in err and "\n" not in err


def test_ingest_missing_file(tmp_path, capsys):
    assert main(["ingest", str(tmp_path / "nope.pdf")]) == 2
    assert "找不到文件 nope.pdf" in capsys.readouterr().err


@pytest.mark.slow
def test_index_for_another_seeds_folder_outside_the_repo(tmp_path):
    """What checks outside the repo do: RAG_SEEDS_DIR + RAG_INDEX_DIR, a real `rag` process, cwd elsewhere."""
    seeds = tmp_path / "myseeds"
    seeds.mkdir()
    to_pdf((PLANS / "linhai.txt").read_text(encoding="utf-8"), seeds / "临海规定.pdf")
    to_docx((PLANS / "jinxi.txt").read_text(encoding="utf-8"), seeds / "jinxi.docx")
    (seeds / "documents.toml").write_text(
        '[[document]]\nslug = "linhai"\nfile = "临海规定.pdf"\nregion_name = "临海市"\nshort_name = "临海"\n'
        'title = "临海市生育支持若干规定"\nstatus = "正式文件"\n\n'
        '[[document]]\nslug = "jinxi"\nfile = "jinxi.docx"\nregion_name = "金溪县"\nshort_name = "金溪"\n'
        'title = "金溪县进一步完善生育支持措施"\nstatus = "正式文件"\nlevel = "county"\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RAG_SEEDS_DIR": str(seeds),
        "RAG_INDEX_DIR": str(tmp_path / "idx"),
        "RAG_EMBEDDER": "hash",
    }

    def rag(*args):
        return subprocess.run(
            [sys.executable, "-m", "rag.cli", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=300,
        )

    r = rag("index")
    assert r.returncode == 0, r.stderr
    assert "linhai（临海规定.pdf，pdf）：版式 第X章/第X条，15 个条款" in r.stderr
    assert "jinxi（jinxi.docx，docx）：版式 一、/一是/二是，13 个条款" in r.stderr
    assert "2 份文件，29 个条款" in r.stderr  # linhai's subsidy table: one part per row (16 chunks)
    r = rag("ask", "金溪三孩家庭每月能领多少育儿补贴？", "--json")
    ans = json.loads(r.stdout)
    assert ans["citations"] and ans["citations"][0]["region"] == "jinxi"
    assert rag("index", "--if-stale").returncode == 0
    (seeds / "jinxi.docx").write_bytes(b"PK broken")
    r = rag("index")
    assert r.returncode == 2 and "jinxi.docx" in r.stderr and "Traceback" not in r.stderr
