"""Issue 21, point 3: one lexicon, no copy a reload can miss. An operator adds a plan, rebuilds the index and
reloads: retrieval, the answers, the report's grouping and the pin gate all know the new plan's place names.

The county is fictional on purpose: 婚家县 sounds like 婚假 (a benefit), so a lexicon that does not know the place
"repairs" it into the benefit — the observable symptom of a stale copy.
"""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.index.store import build_index
from rag.ops.wording import group_key, wording_key
from rag.question.lexicon import forget_cached
from rag.server.reload import AnswererHolder

Q = "婚家县育儿假有几天"
ENTRY = """
[[document]]
slug = "hunjia"
file = "hunjia.txt"
region_name = "婚家县"
short_name = "婚家"
title = "婚家县优化生育政策实施方案"
issuer = "婚家县人民政府"
doc_number = ""
date = "2026-01-01"
status = "正式文件"
level = "county"
aliases = ["婚家县"]
parents = []
"""


@pytest.fixture
def configured(hash_settings, monkeypatch):
    """The report and the pin gate read the configured seeds, as `rag serve` does."""
    monkeypatch.setenv("RAG_SEEDS_DIR", str(hash_settings.seeds_dir))
    forget_cached()
    yield hash_settings
    forget_cached()  # later tests read the project's seeds again


def _add_plan(settings) -> None:
    seeds = settings.seeds_dir
    (seeds / "hunjia.txt").write_text((seeds / "tonghua.txt").read_text(encoding="utf-8"), encoding="utf-8")
    with open(seeds / "documents.toml", "a", encoding="utf-8") as fh:
        fh.write(ENTRY)


def test_a_plan_added_then_reloaded_is_known_to_retrieval_answers_report_and_pins(configured):
    build_index(configured)
    holder = AnswererHolder(
        Assistant.load(settings=configured), builder=lambda: Assistant.load(settings=configured)
    )
    assert "婚假" in group_key(Q, None)[1]  # unknown place: read as the benefit 婚假

    _add_plan(configured)
    build_index(configured)
    assert "婚假" in group_key(Q, None)[1], "before the reload the cached lexicon is still the old one"
    assert holder.reload()

    asst = holder.current
    region, hits = asst.search(Q)  # retrieval
    assert region == "hunjia" and hits and {h.chunk.slug for h in hits} == {"hunjia"}
    ans = asst.ask(Q)  # answers
    assert ans.region == "hunjia" and not ans.refused and "育儿假" in ans.answer
    assert group_key(Q, "hunjia")[1] == ("育儿假",)  # the report groups it under 育儿假 alone
    assert wording_key(Q, ("hunjia",))[1][0] == ("育儿假",)  # the pin gate likewise
    assert asst.lexicon is asst.questions.lexicon  # one object, owned by the assistant
