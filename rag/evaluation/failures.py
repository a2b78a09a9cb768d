"""The per-question failures of one configuration, as markdown tables for eval/report.md."""

from __future__ import annotations

from .metrics import PRIMARY


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(r) + " |" for r in rows
    ]


def _clip(text: str, n: int = 90) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= n else text[: n - 1] + "…"


def failures(records: list[dict]) -> list[str]:
    out = []
    miss = [r for r in records if r.get("ranking") and r["ranking"][PRIMARY] < 1.0]
    out += [f"### Misses at Recall@1 ({len(miss)})", ""]
    out += _md_table(
        ["id", "question", "relevant", "top-1", "first relevant rank"],
        [
            [
                r["id"],
                _clip(r["question"], 40),
                " ".join(r["relevant_ids"]),
                (r["hits"] or ["–"])[0],
                str(r["first_relevant_rank"] or "not in top 10"),
            ]
            for r in miss
        ],
    ) + [""]
    kf = [r for r in records if r["expect"] in ("answer", "multi") and r["missing_facts"]]
    out += [f"### Missing key facts ({len(kf)})", ""]
    out += _md_table(
        ["id", "expect", "question", "missing", "refused", "answer"],
        [
            [
                r["id"],
                r["expect"],
                _clip(r["question"], 40),
                "、".join(r["missing_facts"]),
                "yes" if r["refused"] else "",
                _clip(r["answer"]),
            ]
            for r in kf
        ],
    ) + [""]
    wrong = [r for r in records if r["refused"] != (r["expect"] == "refuse")]
    out += [
        f"### Wrong refusals ({len(wrong)}: refused an answerable question, or answered one it should refuse)",
        "",
    ]
    out += _md_table(
        ["id", "expect", "refused", "question", "answer"],
        [
            [
                r["id"],
                r["expect"],
                "yes" if r["refused"] else "no",
                _clip(r["question"], 40),
                _clip(r["answer"]),
            ]
            for r in wrong
        ],
    ) + [""]
    bad = [r for r in records if r["ungrounded"] or (r["expect"] == "qualify" and r["refused"])]
    out += [f"### Numbers not in the citations / qualify failures ({len(bad)})", ""]
    out += _md_table(
        ["id", "expect", "numbers not cited", "answer"],
        [
            [
                r["id"],
                r["expect"],
                " ".join(r["ungrounded"]) or ("refused" if r["refused"] else ""),
                _clip(r["answer"]),
            ]
            for r in bad
        ],
    ) + [""]
    reg = [r for r in records if not r["region_ok"]]
    out += [f"### Wrong region ({len(reg)})", ""]
    out += _md_table(
        ["id", "question", "expected", "detected"],
        [
            [r["id"], _clip(r["question"], 40), str(r["expected_region"]), str(r["detected_region"])]
            for r in reg
        ],
    )
    return out + [""]
