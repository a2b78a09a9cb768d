"""Scores of one configuration from per-question records: ranking metrics with ranx, answer metrics by counting.

A record (dict) holds: id, region, topic, expect, relevant_ids, hits (ranked chunk ids), detected_region,
refused, answer, cited_text (the citations' text), key_facts, latency (seconds per ask).
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from ..text.normalize import normalize

K = 10
RANKING = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "coverage@10")
# Recall@k is top-k retrieval accuracy as in DPR: the share of questions with a relevant clause in the top k
# (ranx hit_rate@k). A question whose evidence spans several clauses counts as found when one of them is there;
# BEIR-style recall (the share of all relevant clauses found) is reported as coverage@10.
RANX_NAME = {
    "recall@1": "hit_rate@1",
    "recall@5": "hit_rate@5",
    "recall@10": "hit_rate@10",
    "coverage@10": "recall@10",
}
PRIMARY = "recall@1"
NUMBER = re.compile(r"\d+(?:\.\d+)?")
CITE_MARK = re.compile(r"\[\d+\]")
SAYS_UNSPECIFIED = re.compile(r"没有(?:规定|明确|给出|提到)|未(?:规定|明确|给出|提及)|无具体")


def ranking_per_question(records: list[dict], metrics=RANKING) -> dict[str, dict[str, float]]:
    """{question id: {metric: value}} for questions with relevant ids, computed by ranx."""
    from ranx import Qrels, Run, evaluate

    # One ranking query per record, or one per region for cross-region questions (each region is searched on
    # its own, as the assistant answers them): (query id, record id, relevant ids, ranked hits).
    queries = [
        q
        for r in records
        for q in r.get("rank_queries") or [(r["id"], r["id"], r["relevant_ids"], r["hits"])]
    ]
    queries = [q for q in queries if q[2]]
    if not queries:
        return {}
    qrels = Qrels({qid: {cid: 1 for cid in rel} for qid, _, rel, _ in queries})
    # Scores from ranks (not raw scores), so that ties and score scales cannot reorder the assistant's ranking.
    run = Run(
        {
            qid: {cid: float(K + 1 - i) for i, cid in enumerate(hits[:K])}
            for qid, _, _, hits in queries
            if hits
        }
    )
    names = [RANX_NAME.get(m, m) for m in metrics]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba type-safety chatter
        values = evaluate(qrels, run, names, return_mean=False, make_comparable=True)
    if len(names) == 1:
        values = {names[0]: values}
    ids = list(qrels.keys())  # ranx returns per-query values in the Qrels' (sorted) key order
    per_query = {qid: {m: float(values[n][i]) for m, n in zip(metrics, names)} for i, qid in enumerate(ids)}
    owner = {qid: rid for qid, rid, _, _ in queries}
    out: dict[str, dict[str, float]] = {}
    for qid, vals in per_query.items():
        out.setdefault(owner[qid], []).append(vals)
    return {rid: {m: float(np.mean([v[m] for v in vs])) for m in metrics} for rid, vs in out.items()}


def numbers(text: str) -> list[str]:
    """Digit sequences (decimals included) of the NFKC-normalised text, citation markers [n] removed."""
    return NUMBER.findall(CITE_MARK.sub("", normalize(text)))


def ungrounded_numbers(answer: str, cited_text: str) -> list[str]:
    allowed = set(numbers(cited_text))
    return [n for n in dict.fromkeys(numbers(answer)) if n not in allowed]


def missing_facts(answer: str, key_facts: list[str]) -> list[str]:
    text = normalize(answer)
    return [f for f in key_facts if normalize(f) not in text]


def annotate(rec: dict) -> dict:
    """Adds the per-question verdicts the summary and the failure lists use."""
    rec["missing_facts"] = missing_facts(rec["answer"], rec["key_facts"]) if rec["key_facts"] else []
    rec["ungrounded"] = [] if rec["refused"] else ungrounded_numbers(rec["answer"], rec["cited_text"])
    rec["region_ok"] = rec["detected_region"] == rec["expected_region"]
    hits = rec["hits"][:K]
    rel = set(rec["relevant_ids"])
    rec["first_relevant_rank"] = next((i + 1 for i, h in enumerate(hits) if h in rel), None) if rel else None
    return rec


def _mean(xs) -> float | None:
    xs = list(xs)
    return float(np.mean(xs)) if xs else None


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def summarize(records: list[dict], ranking: dict[str, dict[str, float]]) -> dict:
    """All scores over `records` (any subset: a region, a topic). None where a score has no questions."""
    out: dict = {"n": len(records)}
    judged = [ranking[r["id"]] for r in records if r["id"] in ranking]
    out["n_judged"] = len(judged)
    for m in RANKING:
        out[m] = _mean(v[m] for v in judged)
    out["region_acc"] = _mean(r["region_ok"] for r in records)
    answers = [r for r in records if r["expect"] == "answer"]
    out["keyfact_acc"] = _mean(not r["missing_facts"] for r in answers)
    multi = [r for r in records if r["expect"] == "multi" and r["key_facts"]]
    out["multi_keyfact_acc"] = _mean(not r["missing_facts"] for r in multi)
    given = [r for r in records if not r["refused"]]
    out["grounded"] = _mean(not r["ungrounded"] for r in given)
    tp = sum(r["refused"] and r["expect"] == "refuse" for r in records)
    pred = sum(r["refused"] for r in records)
    gold = sum(r["expect"] == "refuse" for r in records)
    p = (
        (tp / pred if pred else 0.0) if gold or pred else None
    )  # nothing refused although refusals expected: 0
    rc = _ratio(tp, gold)
    out["refusal_precision"], out["refusal_recall"] = p, rc
    out["refusal_f1"] = None if p is None or rc is None else (2 * p * rc / (p + rc) if p and rc else 0.0)
    qualify = [r for r in records if r["expect"] == "qualify"]
    out["qualify_ok"] = _mean(not r["refused"] and not r["ungrounded"] for r in qualify)
    out["qualify_says_unspecified"] = _mean(bool(SAYS_UNSPECIFIED.search(r["answer"])) for r in qualify)
    lat = [r["latency"] * 1000 for r in records if r.get("latency") is not None]
    out["latency_ms_mean"] = _mean(lat)
    out["latency_ms_p50"] = float(np.percentile(lat, 50)) if lat else None
    out["latency_ms_p95"] = float(np.percentile(lat, 95)) if lat else None
    return out


def breakdown(records: list[dict], ranking: dict, key: str) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(r[key] or "none", []).append(r)
    return {g: summarize(rs, ranking) for g, rs in sorted(groups.items())}


def score(records: list[dict]) -> dict:
    """{"overall", "by_region", "by_topic"} for one configuration; records are annotated in place."""
    for r in records:
        annotate(r)
    ranking = ranking_per_question(records)
    for r in records:
        r["ranking"] = ranking.get(r["id"])
    return {
        "overall": summarize(records, ranking),
        "by_region": breakdown(records, ranking, "region"),
        "by_topic": breakdown(records, ranking, "topic"),
    }
