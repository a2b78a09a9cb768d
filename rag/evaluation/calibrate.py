"""`rag eval --calibrate`: sweep the assistant's relevance gate (Thresholds.overlap x Thresholds.dense) on the gold set.

For every pair the loaded assistant answers every question again (retrieval scores are cached per query, so only
the gate and the extraction run), and the pair maximising refusal F1 + key-fact accuracy is recommended. Ties are
broken towards the current values (smallest change); the whole plateau of best pairs is printed too. Any other
numeric field of Thresholds (e.g. term_idf) is then swept alone at the recommended pair.
"""

from __future__ import annotations

import dataclasses
import functools
import sys

import numpy as np

from .metrics import annotate, summarize
from .runner import ask_one, record

OVERLAP = tuple(round(float(x), 2) for x in np.arange(0.0, 0.601, 0.05))
DENSE = tuple(round(float(x), 2) for x in np.arange(0.70, 0.901, 0.02))
FACTORS = (
    0.0,
    0.25,
    0.5,
    0.75,
    1.0,
    1.5,
    2.0,
    3.0,
)  # grid of any other field: multiples of its current value
AXES = ("overlap", "dense")


def _with_current(grid: tuple[float, ...], current: float) -> list[float]:
    return sorted(set(grid) | {round(float(current), 2)})


def other_fields(thresholds) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(thresholds)
        if f.name not in AXES and isinstance(getattr(thresholds, f.name), float)
    ]


def _evaluate(asst, items, th) -> dict:
    asst.thresholds = th
    recs = [annotate({**ask_one(asst, it, record(it)), "hits": []}) for it in items]
    s = summarize(recs, {})
    f1, kf = s["refusal_f1"] or 0.0, s["keyfact_acc"] or 0.0
    return {
        "overlap": th.overlap,
        "dense": th.dense,
        "refusal_precision": s["refusal_precision"],
        "refusal_recall": s["refusal_recall"],
        "refusal_f1": f1,
        "keyfact_acc": kf,
        "qualify_ok": s["qualify_ok"],
        "objective": f1 + kf,
        "thresholds": th,
    }


def sweep(asst, items, overlaps=None, denses=None, progress: bool = True, others: bool = True) -> list[dict]:
    """Rows of the (overlap x dense) grid, then rows of the 1-D sweeps of the other fields at the best pair."""
    from tqdm import tqdm

    current = asst.thresholds
    overlaps = overlaps or _with_current(OVERLAP, current.overlap)
    denses = (
        [current.dense] if asst.retriever.mode == "bm25" else (denses or _with_current(DENSE, current.dense))
    )
    asst.retriever.score_all = functools.lru_cache(maxsize=None)(asst.retriever.score_all)
    rows = []
    grid = [(o, d) for o in overlaps for d in denses]
    try:
        for o, d in tqdm(
            grid, desc="calibrate", unit="pair", file=sys.stderr, disable=not progress, leave=False
        ):
            rows.append(_evaluate(asst, items, dataclasses.replace(current, overlap=o, dense=d)))
        top = best(rows, current)["thresholds"]
        for name in other_fields(current) if others else []:
            for v in sorted(
                {round(getattr(current, name) * f, 3) for f in FACTORS} - {getattr(current, name)}
            ):
                row = _evaluate(asst, items, dataclasses.replace(top, **{name: v}))
                rows.append({**row, "field": name})
    finally:
        asst.thresholds = current
        del asst.retriever.score_all  # back to the class method
    return rows


def _distance(th, current) -> float:
    return sum(
        abs(getattr(th, f.name) - getattr(current, f.name))
        for f in dataclasses.fields(current)
        if isinstance(getattr(current, f.name), float)
    )


def best(rows: list[dict], current) -> dict:
    return max(rows, key=lambda r: (round(r["objective"], 6), -_distance(r["thresholds"], current)))


def _fmt(v) -> str:
    return "   –  " if v is None else f"{v:6.3f}"


def _line(r, label: str, mark: str = "") -> str:
    return (
        f"{label} {_fmt(r['refusal_precision'])}   {_fmt(r['refusal_recall'])}   {_fmt(r['refusal_f1'])}   "
        f"{_fmt(r['keyfact_acc'])} {_fmt(r['qualify_ok'])}   {r['objective']:6.3f}{mark}"
    )


def render(rows: list[dict], current, config: str) -> str:
    grid = [r for r in rows if "field" not in r]
    lines = [
        f"calibration of {config}: {len(grid)} (overlap, dense) pairs, current {current}",
        "overlap  dense  refuse-P refuse-R refuse-F1 keyfact qualify objective",
    ]
    for r in sorted(grid, key=lambda r: (r["overlap"], r["dense"])):
        mark = "  <- current" if r["thresholds"] == current else ""
        lines.append(_line(r, f"{r['overlap']:7.2f} {r['dense']:6.2f}", mark))
    top = best(grid, current)
    plateau = [r for r in grid if round(r["objective"], 6) == round(top["objective"], 6)]
    lines.append(
        f"best objective {top['objective']:.3f} reached by {len(plateau)} pair(s): overlap "
        f"{min(r['overlap'] for r in plateau)}–{max(r['overlap'] for r in plateau)}, dense "
        f"{min(r['dense'] for r in plateau)}–{max(r['dense'] for r in plateau)}"
    )
    for name in dict.fromkeys(r["field"] for r in rows if "field" in r):
        lines.append(f"{name} at overlap={top['overlap']}, dense={top['dense']}:")
        for r in sorted(
            (r for r in rows if r.get("field") == name), key=lambda r: getattr(r["thresholds"], name)
        ):
            lines.append(_line(r, f"  {name}={getattr(r['thresholds'], name):<8}"))
    b = best(rows, current)
    lines.append(
        f"recommended: {b['thresholds']} -> refusal F1 {b['refusal_f1']:.3f}, "
        f"key-fact accuracy {b['keyfact_acc']:.3f}, objective {b['objective']:.3f} "
        f"(current: {next((r['objective'] for r in grid if r['thresholds'] == current), float('nan')):.3f})"
    )
    return "\n".join(lines)
