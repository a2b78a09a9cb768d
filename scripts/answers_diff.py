"""Which answers of a question set changed between two source trees (issue 25: the seed answers may change only
where a scope note gets clearer).

  PYTHONPATH=<old tree> python scripts/answers_diff.py dump OLD.jsonl [--cases eval/citizen.jsonl]
  PYTHONPATH=<new tree> python scripts/answers_diff.py dump NEW.jsonl
  python scripts/answers_diff.py diff OLD.jsonl NEW.jsonl

`dump` asks every question (with its history and region) of the cases file with the Assistant of the tree on
PYTHONPATH over the index of the current directory's settings; `diff` prints the questions whose answer text or
citations differ, old and new, and a count."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def dump(out: Path, cases: Path) -> None:
    from rag.assistant import Assistant

    asst = Assistant.load()
    with open(out, "w", encoding="utf-8") as fh:
        for line in cases.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            ans = asst.ask(item["question"], region=item.get("region"), history=item.get("history") or ())
            row = {"q": item["question"], "a": ans.answer, "c": [c.chunk.id for c in ans.citations]}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def diff(old: Path, new: Path) -> int:
    rows = [[json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x] for p in (old, new)]
    changed = [(a, b) for a, b in zip(*rows) if a != b]
    for a, b in changed:
        print(f"Q: {a['q']}\n  - {a['a']!r} {a['c']}\n  + {b['a']!r} {b['c']}")
    print(f"{len(changed)} of {len(rows[1])} answers changed")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--cases", type=Path, default=Path("eval/citizen.jsonl"))
    f = sub.add_parser("diff")
    f.add_argument("old", type=Path)
    f.add_argument("new", type=Path)
    args = p.parse_args()
    if args.cmd == "dump":
        dump(args.out, args.cases)
        return 0
    return diff(args.old, args.new)


if __name__ == "__main__":
    raise SystemExit(main())
