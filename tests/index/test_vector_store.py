"""Vector storage (issue 16 item 5): float32 or float16 on disk, memory-mapped on load so that worker
processes share one copy; the sentence vectors are a zero-copy view that outlives its LoadedIndex safely."""

from __future__ import annotations

import gc
import json

import numpy as np
import pytest

from rag.errors import IndexProblem, RagError
from rag.index.cache import load_cache
from rag.index.store import build_index, current_build, load_index, staleness


def test_float16_build_halves_the_vector_files_and_keeps_the_vectors(hash_settings, tmp_path):
    f32 = build_index(hash_settings)
    s16 = hash_settings.with_(index_root=tmp_path / "f16")
    f16 = build_index(s16, vector_dtype="float16")
    assert json.loads((f16.dir / "manifest.json").read_text(encoding="utf-8"))["vector_dtype"] == "float16"
    for name in ("vectors.faiss", "sentences.faiss"):
        assert (f16.dir / name).stat().st_size < 0.52 * (f32.dir / name).stat().st_size
    a, b = load_index(hash_settings), load_index(s16)
    assert a.sentence_vectors.dtype == np.float32 and b.sentence_vectors.dtype == np.float16
    assert np.allclose(a.sentence_vectors, b.sentence_vectors.astype(np.float32), atol=1e-3)
    q = a.sentence_vectors[:3].astype(np.float32)
    assert np.array_equal(a.vectors.search(q, 5)[1][:, 0], b.vectors.search(q, 5)[1][:, 0])


def test_loaded_vectors_are_in_memory_unless_mapping_is_asked_and_read_only(hash_settings, monkeypatch):
    """Issue 28: a build file truncated on disk must not kill a serving process (SIGBUS), so vectors are read into
    memory by default; RAG_INDEX_MMAP=1 maps them (shared between workers) for operators who never edit builds."""
    build_index(hash_settings)
    idx = load_index(hash_settings)
    assert idx.vectors.codes.is_owned  # copied into this process: the file can change underneath
    with pytest.raises(ValueError):
        idx.sentence_vectors[0, 0] = 1.0
    monkeypatch.setenv("RAG_INDEX_MMAP", "1")
    assert not load_index(hash_settings).vectors.codes.is_owned  # mapped from the file


def test_sentence_view_outlives_its_index(hash_settings):
    build_index(hash_settings)
    idx = load_index(hash_settings)
    view = idx.sentence_vectors[5:9]
    copy = np.array(view)
    del idx
    gc.collect()
    assert np.array_equal(view, copy)  # the view keeps the mapped FAISS index alive (no dangling memory)


def test_storage_type_change_makes_the_index_stale(hash_settings):
    build_index(hash_settings)
    assert staleness(hash_settings) is None and staleness(hash_settings, "float32") is None
    assert "float16" in staleness(hash_settings, "float16")
    rep = build_index(hash_settings, if_stale=True, vector_dtype="float16")
    assert not rep.skipped and rep.embedded == 0  # float32 vectors are reused exactly
    assert build_index(hash_settings, if_stale=True, vector_dtype="float16").skipped


def test_float32_build_does_not_reuse_float16_vectors(hash_settings):
    build_index(hash_settings, vector_dtype="float16")
    assert not load_cache(hash_settings.index_dir, "hash-bigram-256", 256, "float32").vectors
    assert load_cache(hash_settings.index_dir, "hash-bigram-256", 256, "float16").vectors


def test_builds_without_vector_dtype_load_as_float32(hash_settings):
    """Indexes built before the storage choice existed stay current (no forced rebuild on upgrade)."""
    build_index(hash_settings)
    path = current_build(hash_settings.index_dir) / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    del m["vector_dtype"]
    path.write_text(json.dumps(m), encoding="utf-8")
    assert staleness(hash_settings, "float32") is None
    assert load_index(hash_settings).sentence_vectors.dtype == np.float32


def test_bad_storage_types_are_one_sentence(hash_settings, monkeypatch):
    with pytest.raises(RagError, match="float32 或 float16"):
        build_index(hash_settings, vector_dtype="int8")
    monkeypatch.setenv("RAG_VECTOR_DTYPE", "bfloat16")
    with pytest.raises(RagError, match="float32 或 float16"):
        build_index(hash_settings)
    monkeypatch.delenv("RAG_VECTOR_DTYPE")
    build_index(hash_settings)
    path = current_build(hash_settings.index_dir) / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**m, "vector_dtype": "int8"}), encoding="utf-8")
    with pytest.raises(IndexProblem, match="vector_dtype"):
        load_index(hash_settings)
