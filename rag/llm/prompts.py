"""Prompt files (prompts/<name>.md, versioned as answer.v1.system, answer.v1.user …) and the clause wrapping.

Everything that comes from outside the prompt files (clause text, the question) is data: it is put between
delimiters with its angle brackets and quotes replaced by full-width ones, so it can never close a <clause> or
<question> tag, and it is substituted in one pass, so text that looks like {{placeholder}} stays literal.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..errors import RagError
from ..models import Hit

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_SOURCE_PROMPTS = Path(__file__).resolve().parent.parent.parent / "prompts"


def prompt_dirs(root: Path | None = None) -> list[Path]:
    """Where prompt files are looked for: <project root>/prompts, then the source tree's prompts/."""
    dirs = [Path(root) / "prompts"] if root else []
    return [*dirs, _SOURCE_PROMPTS]


@lru_cache(maxsize=32)
def _read(name: str, dirs: tuple[Path, ...]) -> str:
    for d in dirs:
        path = d / f"{name}.md"
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    raise RagError(f"找不到提示词文件 {name}.md（在 {', '.join(str(d) for d in dirs)} 中查找）。")


def load_prompt(name: str, root: Path | None = None) -> str:
    """The text of prompts/<name>.md, e.g. load_prompt("answer.v1.system")."""
    if not re.fullmatch(r"[\w.-]+", name):
        raise RagError(f"提示词名称 {name!r} 不合法。")
    return _read(name, tuple(prompt_dirs(root)))


def render(template: str, **values: str) -> str:
    """Replaces {{name}} once, left to right; substituted text is never scanned again."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template)


def as_data(text: str) -> str:
    """Text that cannot open or close a delimiter tag."""
    return text.replace("<", "＜").replace(">", "＞")


def _attr(text: str) -> str:
    return as_data(text).replace('"', "＂").replace("\n", " ")


def format_clause(n: int, hit: Hit, region_name: str | None = None) -> str:
    c = hit.chunk
    attrs = (
        f'n="{n}" region="{_attr(region_name or c.region_name)}" doc="{_attr("《" + c.doc_title + "》")}" '
        f'section="{_attr(c.section)}" status="{_attr(c.status)}"'
    )
    return f"<clause {attrs}>\n{as_data(c.text.strip())}\n</clause>"


def format_clauses(hits: list[Hit]) -> str:
    return "\n".join(format_clause(i, h) for i, h in enumerate(hits, 1))
