"""What the screen reads, built from a seeds folder without the embedding model: the clauses, the benefits table
(as `rag index` builds them), the plans, the lexicon and the question builder (places → plans). Fast tests and the
unseen-plan tests screen families over it; the slow tests use the real Assistant over the real index."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

from rag.benefits.table import build_table
from rag.ingest.chunker import chunk_documents
from rag.ingest.seeds import load_documents
from rag.question.lexicon import load_lexicon
from rag.question.record import QuestionBuilder
from rag.question.regions import RegionDetector

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "plans"


def plans(seeds: Path = ROOT / "seeds") -> SimpleNamespace:
    docs = load_documents(seeds)
    chunks = chunk_documents(docs)
    lexicon = load_lexicon(seeds)
    by_slug = {d.slug: d for d in docs}
    index = SimpleNamespace(chunks=chunks, benefits=build_table(chunks, docs, lexicon))
    questions = QuestionBuilder(RegionDetector(docs), by_slug, lexicon)
    return SimpleNamespace(docs=by_slug, index=index, lexicon=lexicon, questions=questions)


def with_plan(seeds: Path, src: Path, slug: str, region: str, level: str, parents=()) -> None:
    """Adds the plan file `src` to the seeds folder `seeds` with only its documents.toml entry."""
    shutil.copy(src, seeds / src.name)
    entry = (
        f'\n[[document]]\nslug = "{slug}"\nfile = "{src.name}"\nregion_name = "{region}"\n'
        f'short_name = "{region[:-1]}"\ntitle = "{region}生育支持措施"\nstatus = "正式文件"\nlevel = "{level}"\n'
        f"parents = {list(parents)!r}\n"
    ).replace("'", '"')
    with open(seeds / "documents.toml", "a", encoding="utf-8") as fh:
        fh.write(entry)
