"""The gold set: load and validate eval/gold.jsonl, and resolve each evidence substring to chunk ids.

`python -m rag.evaluation.gold --sync-ids [--gold FILE]` rewrites only the `relevant_ids` field of each line.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..config import load_settings
from ..errors import RagError
from ..ingest.chunker import chunk_documents
from ..ingest.seeds import load_documents
from ..text.normalize import normalize

EXPECTS = ("answer", "refuse", "qualify", "multi")
FIELDS = {
    "id": str,
    "question": str,
    "topic": str,
    "expect": str,
    "evidence": list,
    "key_facts": list,
    "relevant_ids": list,
}


class GoldError(RagError):
    """A malformed gold file (the CLI prints it on one line and exits 2)."""


@dataclass
class GoldItem:
    id: str
    question: str
    region: str | None
    topic: str
    expect: str
    evidence: list[str]
    key_facts: list[str]
    relevant_ids: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def expected_region(self) -> str | None:
        """Region the assistant should report: the gold region (null for uncovered places and off-topic questions
        that name no covered region), None for cross-region questions."""
        return None if self.expect == "multi" else self.region


def parse_line(text: str, n: int, path, slugs: set[str] | None = None) -> GoldItem:
    where = f"{path} 第 {n} 行"
    try:
        row = json.loads(text)
    except ValueError as exc:
        raise GoldError(f"{where} 不是合法的 JSON（{exc.msg}）。") from None
    if not isinstance(row, dict):
        raise GoldError(f"{where} 应为 JSON 对象。")
    for key, typ in FIELDS.items():
        if key not in row:
            raise GoldError(f"{where} 缺少字段 {key}。")
        if not isinstance(row[key], typ):
            raise GoldError(f"{where} 字段 {key} 应为 {typ.__name__}。")
    for key in ("evidence", "key_facts", "relevant_ids"):
        if not all(isinstance(x, str) and x.strip() for x in row[key]):
            raise GoldError(f"{where} 字段 {key} 只能包含非空字符串。")
    if not row["id"].strip() or not row["question"].strip():
        raise GoldError(f"{where} 的 id 和 question 不能为空。")
    if row["expect"] not in EXPECTS:
        raise GoldError(f"{where} 的 expect={row['expect']!r} 无效，可选：{', '.join(EXPECTS)}。")
    region = row.get("region")
    if region is not None and not isinstance(region, str):
        raise GoldError(f"{where} 的 region 应为地区代码或 null。")
    if region is not None and slugs is not None and region not in slugs:
        raise GoldError(f"{where} 的 region={region!r} 不是已收录地区（{', '.join(sorted(slugs))}）。")
    if row["expect"] in ("answer", "qualify") and not row["evidence"]:
        raise GoldError(f"{where}：expect={row['expect']} 的问题需要至少一条 evidence。")
    if row["expect"] == "answer" and not row["key_facts"]:
        raise GoldError(f"{where}：expect=answer 的问题需要至少一条 key_facts。")
    return GoldItem(
        row["id"],
        row["question"],
        region,
        row["topic"],
        row["expect"],
        list(row["evidence"]),
        list(row["key_facts"]),
        list(row["relevant_ids"]),
        n,
    )


def load_gold(path: str | Path, slugs: set[str] | None = None) -> list[GoldItem]:
    """Every line checked; the first problem raises GoldError naming the line."""
    return read_items(path, parse_line, slugs, label="评测集")


def read_items(path: str | Path, parse, slugs, *, label: str, max_bytes: int | None = None) -> list:
    """The JSONL reader shared by the gold and citizen sets: `parse(text, n, path, slugs)` per non-blank line,
    ids unique, at least one item; every problem is a GoldError naming the file (and line)."""
    path = Path(path)
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise GoldError(f"{label} {path} 过大。")
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"无法读取{label} {path}：{exc.strerror}。") from None
    except UnicodeDecodeError:
        raise GoldError(f"{label} {path} 不是 UTF-8 文本。") from None
    items, seen = [], set()
    for n, text in enumerate(lines, 1):
        if not text.strip():
            continue
        item = parse(text, n, path, slugs)
        if item.id in seen:
            raise GoldError(f"{path} 第 {n} 行：id {item.id!r} 重复。")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise GoldError(f"{label} {path} 是空的。")
    return items


def named_regions(question: str, docs) -> list[str]:
    """Covered regions whose full or short name appears in the question (for cross-region gold items)."""
    q = normalize(question)
    return [d.slug for d in docs if d.region_name in q or d.short_name in q]


def resolve_ids(item: GoldItem, chunks, docs) -> tuple[list[str], list[str]]:
    """(chunk ids whose normalised text contains a normalised evidence string, evidence that matched nothing).

    Restricted to the item's region when set; for cross-region items to the regions named in the question (all
    regions when none is named)."""
    scope = (
        {item.region} if item.region else set(named_regions(item.question, docs)) or {d.slug for d in docs}
    )
    texts = [(c.id, normalize(c.text)) for c in chunks if c.slug in scope]
    ids, missing = [], []
    for ev in item.evidence:
        needle = normalize(ev)
        found = [cid for cid, text in texts if needle in text]
        if not found:
            missing.append(ev)
        ids += [cid for cid in found if cid not in ids]
    return ids, missing


def corpus(settings):
    """(chunks, documents) straight from seeds/ with the chunker: the same ids as the index, no model needed."""
    docs = load_documents(settings.seeds_dir)
    return chunk_documents(docs), docs


def sync_ids(path: Path, settings) -> tuple[int, list[tuple[str, str]]]:
    """Rewrites relevant_ids in place (other fields and their order untouched); returns (#changed, unmatched)."""
    chunks, docs = corpus(settings)
    load_gold(path, {d.slug for d in docs})  # validate first: never rewrite a broken file
    out, changed, unmatched = [], 0, []
    for text in path.read_text(encoding="utf-8").splitlines():
        if not text.strip():
            out.append(text)
            continue
        row = json.loads(text)
        item = parse_line(text, 0, path)
        ids, missing = resolve_ids(item, chunks, docs)
        unmatched += [(item.id, m) for m in missing]
        if row["relevant_ids"] != ids:
            changed += 1
            row["relevant_ids"] = ids
        out.append(json.dumps(row, ensure_ascii=False))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("\n".join(out) + "\n", encoding="utf-8")
    tmp.replace(path)
    return changed, unmatched


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m rag.evaluation.gold", description="validate the gold set / fill relevant_ids"
    )
    p.add_argument("--gold", default=None, help="gold JSONL (default: eval/gold.jsonl)")
    p.add_argument("--sync-ids", action="store_true", help="rewrite relevant_ids from the evidence strings")
    args = p.parse_args(argv)
    settings = load_settings()
    path = Path(args.gold) if args.gold else settings.root / "eval" / "gold.jsonl"
    try:
        if args.sync_ids:
            changed, unmatched = sync_ids(path, settings)
            print(f"{path}: relevant_ids updated on {changed} line(s).", file=sys.stderr)
        else:
            chunks, docs = corpus(settings)
            items = load_gold(path, {d.slug for d in docs})
            unmatched = [(it.id, m) for it in items for m in resolve_ids(it, chunks, docs)[1]]
            print(f"{path}: {len(items)} valid item(s).", file=sys.stderr)
    except RagError as exc:
        print(f"rag: {exc}", file=sys.stderr)
        return 2
    for qid, ev in unmatched:
        print(f"  evidence of {qid} matches no chunk: {ev}", file=sys.stderr)
    return 1 if unmatched else 0


if __name__ == "__main__":
    sys.exit(main())
