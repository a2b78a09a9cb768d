"""The citizen-style set (eval/citizen.jsonl): questions worded the way citizens write, each with machine-checkable
expectations written from the plans, scored per kind (fact, list, compare, yesno, followup, typo, scope, trap,
refuse).

Why a second set next to gold.jsonl: the gold set measures whether the right clause is found and its key fact
quoted; this set measures whether the answer fits the question (a list for a list question, a verdict for a
comparison or a yes/no question, the right benefit for a trap). Every expectation is a plain substring rule, so
any answerer (extractive, LLM, a future composer) is scored the same way, and an item never names a clause id.

Checks per item (all after `norm`: NFKC, whitespace and citation marks [n] removed):
- expect: "refuse" needs `Answer.refused`, "answer" needs it false;
- must (every one), must_any (one of each group), must_not (none) as substrings of the answer;
- opening: the answer starts with one of these (yes/no verdict first);
- values: each region's value appears in the answer; verdict: the winning region's short or full name appears
  in the first sentence;
- regions: a clause of each listed region is cited (`Answer.citations[*].chunk.slug`).
The answer's `kind` (when the Answer has one) is compared with the expected kind and reported apart (kind
accuracy); it is not part of pass.
"""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..config import load_settings
from ..errors import InputError
from ..ingest.seeds import load_documents
from .gold import GoldError, read_items
from .runner import progress_bar

KINDS = ("fact", "list", "compare", "yesno", "followup", "typo", "scope", "trap", "refuse", "meta")
ANSWER_KINDS = ("fact", "list", "compare", "yesno", "followup", "clarify", "refuse", "meta")
OPENINGS = (
    "有",
    "没有",
    "可以",
    "不可以",
    "方案中没有提到",
    "方案中没有写明",
    "方案中没有规定",
    "是",
    "不是",
)
# Answer wordings a must_any group may require without occurring in a plan: saying a plan is silent (SILENT) and
# saying whose plan answers a province or county question (SCOPE). Kept here so that eval/README.md and the
# composer can agree on them.
SILENT_PHRASES = (
    "没有提到",
    "未提到",
    "没有规定",
    "未规定",
    "没有明确",
    "未明确",
    "没有具体",
    "未载明",
    "没有给出",
    "未给出",
    "没有找到",
    "未找到",
)
SCOPE_PHRASES = ("仅适用", "只适用", "不一定适用", "可能不适用", "未必适用", "不适用", "不能代表", "仅代表")
# saying a premise is unproven, a figure is a floor, which side states a figure, or the next step (issue 22)
CHECK_PHRASES = ("无法证实", "另一项规定", "下限", "上限", "只有", "不完全一样", "没有写到", "便民热线")
ANSWER_PHRASES = SILENT_PHRASES + SCOPE_PHRASES + CHECK_PHRASES
MAX_LINE = 20_000  # characters per JSONL line: an item is a few hundred
MAX_ITEMS = 5_000
_WS = re.compile(r"\s+")
_CITE = re.compile(r"\[\d+\]")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
OPTIONAL_LISTS = ("must", "must_not", "opening", "regions")


def norm(text: str) -> str:
    """NFKC, no whitespace at all, no citation marks [n]: the form both plans and answers are compared in."""
    text = unicodedata.normalize("NFKC", text or "")
    return _CITE.sub("", _WS.sub("", text))


@dataclass(frozen=True)
class CitizenItem:
    id: str
    kind: str
    question: str
    expect: str = "answer"
    history: tuple[dict, ...] = ()
    region: str | None = None
    must: tuple[str, ...] = ()
    must_any: tuple[tuple[str, ...], ...] = ()
    must_not: tuple[str, ...] = ()
    opening: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)
    verdict: str | None = None
    regions: tuple[str, ...] = ()
    answer_kind: str | None = None
    note: str = ""
    line: int = 0

    @property
    def expected_kind(self) -> str | None:
        """The answer kind a question-kind classifier should report: the item's own kind for the five answer
        kinds, else `answer_kind` (a typo or scope question is usually a fact question)."""
        if self.answer_kind:
            return self.answer_kind
        return self.kind if self.kind in ANSWER_KINDS else None

    @property
    def accepts_silence(self) -> bool:
        """True when "the plan does not say" is the right answer: then a refusal is judged by its wording like any
        other answer (it must still open with the verdict, name the silence, avoid the forbidden strings)."""
        return "方案中没有提到" in self.opening or any(
            all(x in SILENT_PHRASES for x in g) for g in self.must_any
        )

    def plan_regions(self) -> list[str]:
        """Plans whose text must hold the item's verbatim strings (all plans when the item names none)."""
        named = [*self.regions, *self.values, *([self.region] if self.region else [])]
        return list(dict.fromkeys(named))


def _strings(row: dict, key: str, where: str) -> tuple[str, ...]:
    v = row.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise GoldError(f"{where} 字段 {key} 应为非空字符串的列表。")
    return tuple(v)


def parse_item(text: str, n: int, path, slugs: set[str] | None = None) -> CitizenItem:
    where = f"{path} 第 {n} 行"
    if len(text) > MAX_LINE:
        raise GoldError(f"{where} 超过 {MAX_LINE} 个字符。")
    try:
        row = json.loads(text)
    except ValueError as exc:
        raise GoldError(f"{where} 不是合法的 JSON（{exc.msg}）。") from None
    if not isinstance(row, dict):
        raise GoldError(f"{where} 应为 JSON 对象。")
    for key in ("id", "kind", "question"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            raise GoldError(f"{where} 缺少字段 {key}（非空字符串）。")
    if row["kind"] not in KINDS:
        raise GoldError(f"{where} 的 kind={row['kind']!r} 无效，可选：{', '.join(KINDS)}。")
    expect = row.get("expect", "answer")
    if expect not in ("answer", "refuse"):
        raise GoldError(f"{where} 的 expect={expect!r} 无效，可选：answer、refuse。")
    lists = {k: _strings(row, k, where) for k in OPTIONAL_LISTS}
    bad = [o for o in lists["opening"] if o not in OPENINGS]
    if bad:
        raise GoldError(f"{where} 的 opening {bad} 无效，可选：{'、'.join(OPENINGS)}。")
    groups = row.get("must_any", [])
    if not isinstance(groups, list) or not all(
        isinstance(g, list) and g and all(isinstance(x, str) and x.strip() for x in g) for g in groups
    ):
        raise GoldError(f"{where} 字段 must_any 应为非空字符串列表的列表。")
    values = row.get("values", {})
    if not isinstance(values, dict) or not all(isinstance(v, str) and v.strip() for v in values.values()):
        raise GoldError(f"{where} 字段 values 应为 {{地区代码: 原文取值}}。")
    history = row.get("history", [])
    if not isinstance(history, list) or not all(
        isinstance(t, dict) and t.get("role") in ("user", "assistant") and isinstance(t.get("content"), str)
        for t in history
    ):
        raise GoldError(f"{where} 字段 history 应为 [{{role, content}}] 列表。")
    region, verdict = row.get("region"), row.get("verdict")
    answer_kind = row.get("answer_kind")
    if answer_kind is not None and answer_kind not in ANSWER_KINDS:
        raise GoldError(f"{where} 的 answer_kind={answer_kind!r} 无效，可选：{', '.join(ANSWER_KINDS)}。")
    named = [x for x in [region, verdict, *values, *lists["regions"]] if x is not None]
    if slugs is not None:
        unknown = [x for x in named if not isinstance(x, str) or x not in slugs]
        if unknown:
            raise GoldError(f"{where} 的地区 {unknown} 不是已收录地区（{', '.join(sorted(slugs))}）。")
    if verdict is not None and verdict not in values:
        raise GoldError(f"{where} 的 verdict 应为 values 中的一个地区。")
    if expect == "answer" and not (lists["must"] or groups or values or lists["opening"]):
        raise GoldError(f"{where}：expect=answer 的问题至少需要 must、must_any、values 或 opening 之一。")
    if row["kind"] == "followup" and not history:
        raise GoldError(f"{where}：followup 问题需要 history。")
    return CitizenItem(
        id=row["id"],
        kind=row["kind"],
        question=row["question"],
        expect=expect,
        history=tuple(history),
        region=region,
        must=lists["must"],
        must_any=tuple(tuple(g) for g in groups),
        must_not=lists["must_not"],
        opening=lists["opening"],
        values=dict(values),
        verdict=verdict,
        regions=lists["regions"],
        answer_kind=answer_kind,
        note=str(row.get("note", "")),
        line=n,
    )


def load_citizen(path: str | Path, slugs: set[str] | None = None) -> list[CitizenItem]:
    """Every line checked; the first problem raises GoldError naming the line (the CLI exits 2)."""
    return read_items(path, parse_item, slugs, label="问题集", max_bytes=MAX_LINE * MAX_ITEMS)


def plan_problems(items: list[CitizenItem], plans: dict[str, str]) -> list[str]:
    """Expectations that are not verbatim in the plans: every `must`, every value (in its own region's plan),
    one alternative of each must_any group (unless the group only holds ANSWER_PHRASES). `plans` maps slug to
    plan text; each item is checked against the plans it names (all plans when it names none)."""
    normed = {slug: norm(text) for slug, text in plans.items()}
    out = []
    for it in items:
        scope = [normed[s] for s in it.plan_regions() if s in normed] or list(normed.values())
        for s in it.must:
            if not any(norm(s) in t for t in scope):
                out.append(f"{it.id}: must {s!r} is in none of {it.plan_regions() or 'the plans'}")
        for slug, v in it.values.items():
            if norm(v) not in normed.get(slug, ""):
                out.append(f"{it.id}: value {v!r} is not in the {slug} plan")
        for g in it.must_any:
            if all(x in ANSWER_PHRASES for x in g):
                continue
            if not any(norm(x) in t for x in g for t in scope):
                out.append(f"{it.id}: no alternative of must_any {list(g)} is in the plans")
    return out


def first_sentence(answer: str) -> str:
    text = answer.strip()
    m = _SENTENCE_END.search(text)
    return text[: m.start()] if m else text


def check(
    item: CitizenItem,
    answer: str,
    refused: bool,
    cited: list[str],
    names: dict[str, tuple[str, ...]],
) -> list[str]:
    """Failure reasons of one answer (empty: passed). `cited` = slugs of the cited clauses, `names` = slug ->
    (short name, full name) for the verdict."""
    if item.expect == "refuse":
        reasons = [] if refused else ["answered, expected a refusal"]
        got = norm(answer)
        return reasons + [f"contains forbidden {s!r}" for s in item.must_not if norm(s) in got]
    if refused and not item.accepts_silence:
        return ["refused"]
    got = norm(answer)
    reasons = [f"missing {s!r}" for s in item.must if norm(s) not in got]
    reasons += [f"missing one of {list(g)}" for g in item.must_any if not any(norm(x) in got for x in g)]
    reasons += [f"contains forbidden {s!r}" for s in item.must_not if norm(s) in got]
    if item.opening:
        start = got.lstrip("*#>-:：")
        if not any(start.startswith(norm(o)) for o in item.opening):
            reasons.append(f"does not open with {'/'.join(item.opening)} (opens {got[:12]!r})")
    reasons += [f"missing {slug} value {v!r}" for slug, v in item.values.items() if norm(v) not in got]
    if item.verdict:
        head = norm(first_sentence(unicodedata.normalize("NFKC", answer)))
        if not any(n and norm(n) in head for n in names.get(item.verdict, (item.verdict,))):
            reasons.append(f"first sentence does not name the verdict {item.verdict} ({head[:30]!r})")
    reasons += [f"no citation from {slug}" for slug in item.regions if slug not in cited]
    return reasons


def canonical_kind(kind) -> str | None:
    """'yes/no', 'yes_no', 'YesNo' -> 'yesno'; None when the answer has no kind."""
    if not kind:
        return None
    return re.sub(r"[^a-z]", "", str(kind).lower()) or None


def ask_item(answerer, item: CitizenItem, names: dict[str, tuple[str, ...]]) -> dict:
    """One timed ask; the record keeps what the report needs (answer text, cited slugs, reasons, kinds)."""
    t0 = time.perf_counter()
    try:
        ans = answerer.ask(item.question, region=item.region, history=list(item.history))
        text, refused, kind = ans.answer, bool(ans.refused), getattr(ans, "kind", None)
        cited = list(dict.fromkeys(h.chunk.slug for h in ans.citations))
    except InputError as exc:  # the product shows this message as a refusal
        text, refused, kind, cited = str(exc), True, None, []
    reasons = check(item, text, refused, cited, names)
    got, want = canonical_kind(kind), item.expected_kind
    return {
        "id": item.id,
        "kind": item.kind,
        "question": item.question,
        "expect": item.expect,
        "refused": refused,
        "answer": text,
        "cited_regions": cited,
        "passed": not reasons,
        "reasons": reasons,
        "answer_kind": got,
        "expected_kind": want,
        "kind_ok": None if got is None or want is None else got == canonical_kind(want),
        "latency": time.perf_counter() - t0,
    }


def region_names(docs) -> dict[str, tuple[str, ...]]:
    return {d.slug: (d.short_name, d.region_name) for d in docs}


def run_citizen(answerer, items: list[CitizenItem], docs, desc: str = "citizen", progress: bool = True):
    names = region_names(docs)
    return [ask_item(answerer, it, names) for it in progress_bar(items, desc, progress)]


def _rate(xs: list[bool]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def summarize(records: list[dict]) -> dict:
    """{"n", "pass", "by_kind": {kind: {"n", "pass"}}, "kind_acc", "kind_n"}; kind accuracy only over answers
    that report a kind (None when none does)."""
    by_kind = {}
    for k in KINDS:
        rs = [r for r in records if r["kind"] == k]
        if rs:
            by_kind[k] = {"n": len(rs), "pass": _rate([r["passed"] for r in rs])}
    judged = [r["kind_ok"] for r in records if r["kind_ok"] is not None]
    return {
        "n": len(records),
        "pass": _rate([r["passed"] for r in records]),
        "by_kind": by_kind,
        "kind_acc": _rate(judged),
        "kind_n": len(judged),
    }


def flat_scores(summary: dict) -> dict[str, float | None]:
    """The scores `rag eval --check` compares: citizen_pass and citizen_<kind> (pass rate per kind)."""
    out = {"citizen_pass": summary["pass"], "citizen_kind_acc": summary["kind_acc"]}
    out.update({f"citizen_{k}": v["pass"] for k, v in summary["by_kind"].items()})
    return out


def compact(rec: dict) -> dict:
    out = {k: v for k, v in rec.items() if k != "latency"}
    out["latency_ms"] = round(rec["latency"] * 1000, 2)
    return out


# ---- report ---------------------------------------------------------------------------------------------------
def _fmt(v) -> str:
    return "–" if v is None else f"{v:.3f}"


def _kinds_in(summaries: dict[str, dict]) -> list[str]:
    return [k for k in KINDS if any(k in s["by_kind"] for s in summaries.values())]


def table_rows(summaries: dict[str, dict]) -> tuple[list[str], list[list[str]]]:
    kinds = _kinds_in(summaries)
    header = ["config", "n", "pass"] + kinds + ["kind-acc"]
    rows = [
        [name, str(s["n"]), _fmt(s["pass"])]
        + [_fmt(s["by_kind"].get(k, {}).get("pass")) for k in kinds]
        + [_fmt(s["kind_acc"])]
        for name, s in summaries.items()
    ]
    return header, rows


def text_table(summaries: dict[str, dict]) -> str:
    header, rows = table_rows(summaries)
    rows = [header] + rows
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    )


def _clip(text: str, n: int = 90) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= n else text[: n - 1] + "…"


def markdown(summaries: dict[str, dict], records: list[dict], source: str, focus: str) -> list[str]:
    """The citizen section of eval/report.md: pass rate per kind and configuration, then the focus's failures."""
    header, rows = table_rows(summaries)
    n = next(iter(summaries.values()))["n"]
    out = [
        "## Citizen-style questions",
        "",
        f"`{source}` ({n} questions written the way citizens ask; see eval/README.md). Pass = every check of "
        "the item holds (refusal, required/forbidden strings, yes/no opening, comparison values and verdict, "
        "cited regions). kind-acc = the answer's `kind` equals the expected kind, over answers that report one "
        "(not part of pass).",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    out += ["| " + " | ".join(r) + " |" for r in rows] + [""]
    bad = [r for r in records if not r["passed"]]
    out += [f"### Citizen failures of {focus} ({len(bad)})", ""]
    out += ["| id | kind | question | why | answer |", "|---|---|---|---|---|"]
    out += [
        f"| {r['id']} | {r['kind']} | {_clip(r['question'], 40)} | {_clip('; '.join(r['reasons']), 120)} "
        f"| {_clip(r['answer'])} |"
        for r in bad
    ]
    return out + [""]


def main(argv=None) -> int:
    """`python -m rag.evaluation.citizen [--file F]`: validate the set and check its strings against the plans."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m rag.evaluation.citizen", description=main.__doc__)
    p.add_argument("--file", default=None, help="citizen JSONL (default: eval/citizen.jsonl)")
    args = p.parse_args(argv)
    settings = load_settings()
    path = Path(args.file) if args.file else settings.root / "eval" / "citizen.jsonl"
    docs = load_documents(settings.seeds_dir)
    try:
        items = load_citizen(path, {d.slug for d in docs})
    except GoldError as exc:
        print(f"rag: {exc}", file=sys.stderr)
        return 2
    problems = plan_problems(items, {d.slug: d.text for d in docs})
    counts = {k: sum(it.kind == k for it in items) for k in KINDS}
    print(
        f"{path}: {len(items)} valid item(s): " + ", ".join(f"{k} {c}" for k, c in counts.items()),
        file=sys.stderr,
    )
    for p_ in problems:
        print(f"  {p_}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
