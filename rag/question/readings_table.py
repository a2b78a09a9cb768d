"""What rag/data/precomputed.tsv covers, and the command that rewrites it: `python -m rag.question.readings_table`.

The table is read at run time by rag/text/readings.py (floor 1); what it should cover comes from the lexicon and the
place names (floor 2), so the writer lives here, above both.
"""

from __future__ import annotations

import sys
from importlib import resources

from ..text.readings import CHAR, FILE, SURFACE, TAG, live_char, live_surface, live_tags
from .lexicon import _place_names, load_lexicon
from .regions import divisions, stem_candidates


# -- what the table covers ----------------------------------------------------------------------------------
def common_chars() -> list[str]:
    """The 6 763 characters of GB 2312: what a Chinese input method offers first, so what a typo is made of."""
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def surfaces() -> list[str]:
    """Every word the homophone repair may compare a typo with: the lexicon's, and China's place names."""
    names = [p.name for p in divisions().values()]
    return sorted({*load_lexicon().repair_surfaces(), *names, *stem_candidates(names)})


def stems() -> list[str]:
    """Every stem a place name of China, of places.txt or of the seeds may give (江津 of 江津区)."""
    return sorted(stem_candidates([p.name for p in divisions().values()] + _place_names()))


def rows() -> list[str]:
    out = [f"{CHAR}\t{ch}\t{' '.join(live_char(ch))}" for ch in common_chars()]
    out += [f"{SURFACE}\t{s}\t{' '.join(live_surface(s))}" for s in surfaces()]
    tags = live_tags()
    out += [f"{TAG}\t{s}\t{tags.get(s, 'n')}" for s in stems()]
    return out


def main() -> int:
    from importlib.metadata import version

    path = resources.files("rag.data") / FILE
    header = (
        f"# written by `python -m rag.question.readings_table` (pypinyin {version('pypinyin')}, jieba {version('jieba')}):"
        " kind, key, value; see rag/question/readings_table.py"
    )
    text = "\n".join([header, *rows()]) + "\n"
    with open(str(path), "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote {path} ({text.count(chr(10)) - 1} rows)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
