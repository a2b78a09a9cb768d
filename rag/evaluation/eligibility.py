"""`rag eval --eligibility`: the screen (我能享受什么) against family scenarios whose expected items were written by
hand from the plan texts (eval/eligibility.jsonl), never from the screen's output.

An item is matched by benefit and figure (an expected figure "" matches an item without one). Reported: item
precision and recall over all scenarios, agreement of the statuses of matched items, and the precision and recall
of 符合, the number a citizen acts on: precision of 符合 must be 1.0. Misses are listed per scenario.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..eligibility import family as F
from ..eligibility.screen import MET, screen
from ..errors import InputError

MAX_LINES = 2000  # scenarios read from one file; the file is the project's own, the bound keeps a typo cheap


@dataclass
class Tally:
    returned: int = 0
    expected: int = 0
    matched: int = 0
    same_status: int = 0
    met_returned: int = 0
    met_right: int = 0
    met_expected: int = 0
    met_found: int = 0
    misses: list = field(default_factory=list)

    def scores(self) -> dict:
        def ratio(a: int, b: int) -> float:
            return round(a / b, 4) if b else 1.0

        return {
            "item_precision": ratio(self.matched, self.returned),
            "item_recall": ratio(self.matched, self.expected),
            "status_agreement": ratio(self.same_status, self.matched),
            "met_precision": ratio(self.met_right, self.met_returned),
            "met_recall": ratio(self.met_found, self.met_expected),
            "returned": self.returned,
            "expected": self.expected,
            "matched": self.matched,
            "met_returned": self.met_returned,
        }


def load(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()[:MAX_LINES]
    return [json.loads(x) for x in lines if x.strip()]


def score(asst, scenarios: list[dict]) -> Tally:
    t = Tally()
    for sc in scenarios:
        try:
            got = {(i.benefit, i.figure): i.status for i in screen(asst, F.from_dict(sc["family"])).items}
        except InputError as exc:
            t.misses.append({"id": sc["id"], "error": str(exc)})
            got = {}
        want = {(e["benefit"], e["figure"]): e["status"] for e in sc["expected"]}
        _tally(t, sc["id"], got, want)
    return t


def _tally(t: Tally, sid: str, got: dict, want: dict) -> None:
    both = set(got) & set(want)
    t.returned, t.expected, t.matched = t.returned + len(got), t.expected + len(want), t.matched + len(both)
    t.same_status += sum(got[k] == want[k] for k in both)
    met_got = {k for k, s in got.items() if s == MET}
    met_want = {k for k, s in want.items() if s == MET}
    t.met_returned += len(met_got)
    t.met_right += len(met_got & met_want)
    t.met_expected += len(met_want)
    t.met_found += len(met_got & met_want)
    extra, missing = sorted(set(got) - set(want)), sorted(set(want) - set(got))
    status = sorted(k for k in both if got[k] != want[k])
    if extra or missing or status:
        t.misses.append(
            {
                "id": sid,
                "extra": [_label(k, got[k]) for k in extra],
                "missing": [_label(k, want[k]) for k in missing],
                "status": [f"{_label(k, got[k])} (expected {want[k]})" for k in status],
            }
        )


def _label(key: tuple[str, str], status: str) -> str:
    benefit, figure = key
    return f"{benefit}{' ' + figure if figure else ''} [{status}]"


def markdown(scores: dict, misses: list, path: str, n: int) -> str:
    lines = [
        "# Eligibility screen (我能享受什么) against hand-written scenarios",
        "",
        f"Set: `{path}` ({n} families across the five plans; expected items written from the plan texts).",
        "",
        "| metric | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in scores.items()),
        "",
        "## Differences per scenario",
        "",
    ]
    for m in misses:
        if "error" in m:
            lines.append(f"- **{m['id']}**: error {m['error']}")
            continue
        parts = [f"{k}: {', '.join(m[k])}" for k in ("extra", "missing", "status") if m[k]]
        lines.append(f"- **{m['id']}**: " + "; ".join(parts))
    return "\n".join(lines) + "\n"


def run(asst, path: Path, out_dir: Path, shown: str = "") -> dict:
    """Scores the set, writes eval/results/eligibility.{json,md}, returns the scores."""
    scenarios = load(path)
    t = score(asst, scenarios)
    scores = t.scores()
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "file": shown or str(path),
        "scenarios": len(scenarios),
        "scores": scores,
        "differences": t.misses,
    }
    (out_dir / "eligibility.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (out_dir / "eligibility.md").write_text(
        markdown(scores, t.misses, shown or str(path), len(scenarios)), encoding="utf-8"
    )
    return {"scenarios": len(scenarios), **scores}
