"""The committed lookup tables (rag/text/readings.py) agree with pypinyin and jieba, and spare a cold start both."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pytest

from rag.question import readings_table as T
from rag.text import readings as P


def test_the_committed_table_is_what_the_libraries_give_now():
    committed = (resources.files("rag.data") / P.FILE).read_text(encoding="utf-8").splitlines()[1:]
    fresh = T.rows()
    stale = sorted(set(committed) ^ set(fresh))
    assert not stale, (
        f"rag/data/{P.FILE} is out of date ({len(stale)} rows differ, e.g. {stale[:3]}): "
        "run `python -m rag.question.readings_table`"
    )


def test_the_table_covers_every_word_the_repair_compares_with():
    from rag.question.lexicon import load_lexicon

    table = P._table()
    missing = [s for s in load_lexicon().repair_surfaces() if s not in table[P.SURFACE]]
    assert not missing


@pytest.mark.parametrize("ch", ["的", "重", "行", "欸"])
def test_a_character_reads_as_pypinyin_reads_it(ch):
    from pypinyin import Style, lazy_pinyin, pinyin

    assert P.char_reading(ch) == lazy_pinyin(ch)[0]
    assert P.char_readings(ch) == frozenset(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


def test_what_the_table_lacks_comes_from_the_libraries(monkeypatch):
    monkeypatch.setattr(P, "_table", lambda: {P.CHAR: {}, P.SURFACE: {}, P.TAG: {}})
    assert P.surface_readings("重庆") == ("chong", "qing")
    assert P.char_readings("行") >= {"xing", "hang"}
    assert P.stem_tag("南岸") == "f"  # a direction word: 南岸 alone is not read as 南岸区
    assert P.stem_tag("不存在的词语") == "n"


@pytest.mark.parametrize(("question", "says"), [("青岛育儿假有几天？", "育儿假"), ("通化婚家几天", "婚假")])
def test_a_cold_ask_imports_no_pypinyin(question, says):
    code = (
        "import sys\n"
        "from rag.assistant import Assistant\n"
        f"a = Assistant.load()\nans = a.ask({question!r})\n"
        f"assert ans.citations and {says!r} in ans.answer, ans.answer\n"
        "print('pypinyin' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "False"
