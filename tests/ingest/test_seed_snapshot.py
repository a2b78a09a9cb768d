"""The five seed plans must chunk exactly as before the ingest rewrite: same ids, sections and texts.

tests/fixtures/seed_chunks.jsonl was dumped with `rag chunks --json` before any ingest code changed.
"""

import json
from pathlib import Path

from rag.ingest.chunker import chunk_documents
from rag.ingest.seeds import load_documents

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "seed_chunks.jsonl"


def test_seed_chunks_unchanged():
    want = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    got = [c.to_dict() for c in chunk_documents(load_documents(ROOT / "seeds"))]
    assert [c["id"] for c in got] == [c["id"] for c in want]
    for g, w in zip(got, want):
        assert g == w, g["id"]
