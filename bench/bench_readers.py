"""Reader choice benchmark: which maintained library reads published plans back into the same clauses.

Each seed plan and the two synthetic plans (tests/fixtures/plans) are rendered to PDF and HTML exactly as the tests
do (tests/_render.py: running header/footer, page numbers, paragraphs across page breaks; site navigation,
breadcrumb, footer), then read by each candidate:
  PDF  - pdfplumber (positions -> our margin-based paragraph re-joining)  vs  pypdf (plain extract_text)
  HTML - lxml (our furniture stripping + densest container)               vs  trafilatura (extract)
Score: clauses whose id, heading path and whitespace-normalised text equal those of the .txt, and seconds per
file. Prints a table and writes bench/results/readers.md. Usage: python bench/bench_readers.py
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from _render import to_html, to_pdf  # noqa: E402

from rag.ingest.chunker import chunk_document  # noqa: E402
from rag.ingest.readers import read_file  # noqa: E402
from rag.ingest.seeds import load_documents  # noqa: E402


def _pypdf(path: Path) -> str:
    import pypdf

    return "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(str(path)).pages)


def _trafilatura(path: Path) -> str:
    import trafilatura

    return trafilatura.extract(path.read_text(encoding="utf-8"), include_tables=True, favor_recall=True) or ""


CANDIDATES = {
    "pdf": {"pdfplumber (chosen)": lambda p: read_file(p).text, "pypdf": _pypdf},
    "html": {"lxml (chosen)": lambda p: read_file(p).text, "trafilatura": _trafilatura},
}


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def main() -> int:
    docs = load_documents(ROOT / "seeds")
    plans = ROOT / "tests" / "fixtures" / "plans"
    docs += [
        replace(docs[0], slug=s, text=(plans / f"{s}.txt").read_text(encoding="utf-8"))
        for s in ("linhai", "jinxi")
    ]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, render in (("pdf", to_pdf), ("html", to_html)):
            files = []
            for d in docs:
                path = Path(tmp) / f"{d.slug}.{fmt}"
                render(d.text, path)
                files.append((d, path))
            for name, reader in CANDIDATES[fmt].items():
                same = total = 0
                t0 = time.perf_counter()
                for d, path in files:
                    want = {c.id: (c.section, _norm(c.text)) for c in chunk_document(d)}
                    have = {
                        c.id: (c.section, _norm(c.text))
                        for c in chunk_document(replace(d, text=reader(path)))
                    }
                    total += len(want)
                    same += sum(1 for k, v in want.items() if have.get(k) == v)
                secs = (time.perf_counter() - t0) / len(files)
                rows.append((fmt, name, same, total, secs))
    lines = [
        "# Reader benchmark (bench/bench_readers.py)",
        "",
        f"{len(docs)} plans (5 seeds + 2 synthetic) rendered as in the tests; a clause counts when its id, heading path",
        "and whitespace-normalised text equal the .txt's. Time is seconds per file (read + chunk), same run.",
        "",
        "| format | reader | clauses identical | share | s/file | time vs chosen |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    base = {fmt: secs for fmt, name, _, _, secs in rows if "chosen" in name}
    for fmt, name, same, total, secs in rows:
        lines.append(
            f"| {fmt} | {name} | {same}/{total} | {same / total:.0%} | {secs:.3f} | {secs / base[fmt]:.2f}x |"
        )
    out = "\n".join(lines) + "\n"
    print(out)
    (ROOT / "bench" / "results" / "readers.md").write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
