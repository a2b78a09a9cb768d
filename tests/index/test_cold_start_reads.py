"""Cold start at national scale, second round (issue 25): what load no longer copies or computes must read back
exactly what the simpler code read — chunks.jsonl parsed in place, keyword.npz members read at their offsets with
8/16-bit ids and counts, sentence vectors read straight into memory, region spans of the stored pairs."""

import json
import os
import zipfile

import numpy as np
import pytest

from rag.index import keyword
from rag.index import vectors as vs
from rag.index.jsonrows import read_rows
from rag.index.store import build_index, current_build, load_index
from rag.retrieval.retriever import stored_bounds


@pytest.mark.parametrize("tail", ["\n", "", "\n\n"])
def test_rows_read_in_place_equal_a_parse_per_line(tmp_path, tail):
    rows = [{"a": "甲,乙\n丙", "n": 1}, {"a": ']"[', "n": [2, {"b": None}]}, {"a": "", "n": 3.5}]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + tail, encoding="utf-8")
    assert read_rows(path) == rows
    path.write_text(tail, encoding="utf-8")
    assert read_rows(path) == []


def test_keyword_store_is_narrow_and_scores_as_before(tmp_path):
    docs = [["育儿", "假", "育儿"], [], ["补贴", "每月", "补贴", "补贴"]]
    keyword.write(tmp_path / "k.npz", docs, ["a" * 32, "b" * 32, "c" * 32], "tok-1")
    coded, _, _, pairs = keyword.read(tmp_path / "k.npz", with_pairs=True)
    assert coded[1].dtype == np.uint8 and pairs[1].dtype == np.uint8 and pairs[2].dtype == np.uint8
    with np.load(tmp_path / "k.npz") as z:  # what np.load reads, member by member
        assert all(np.array_equal(z[k], v) for k, v in zip(("ids", "offsets"), coded[1:]))
    stored, fresh = keyword.BM25(coded=coded, pairs=pairs), keyword.BM25(docs)
    for q in (["育儿"], ["补贴", "假"]):
        assert np.array_equal(stored.scores(q), fresh.scores(q))  # equal, not close: tf widened to float32
    assert keyword.narrowest(256) is np.uint8 and keyword.narrowest(257) is np.uint16
    assert keyword.narrowest(70_000) is np.int32


def test_a_truncated_keyword_member_is_an_error(tmp_path):
    keyword.write(tmp_path / "k.npz", [["甲", "乙"]] * 50, ["a" * 32] * 50, "t")
    data = (tmp_path / "k.npz").read_bytes()
    (tmp_path / "k.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises((ValueError, zipfile.BadZipFile)):
        keyword.read(tmp_path / "k.npz", with_pairs=True)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_flat_vectors_read_straight_equal_what_faiss_reads(tmp_path, dtype):
    v = np.random.default_rng(0).random((40, 8), dtype=np.float32)
    vs.write(tmp_path / "s.faiss", v, 8, dtype)
    whole, rows = (
        vs.as_array(vs.read(tmp_path / "s.faiss"), dtype),
        vs.read_flat(tmp_path / "s.faiss", dtype, 8),
    )
    assert rows.shape == whole.shape and rows.dtype == whole.dtype and np.array_equal(rows, whole)
    assert np.array_equal(rows[3:9] @ v[0], whole[3:9] @ v[0])
    with pytest.raises(ValueError):
        rows[0, 0] = 1.0
    with pytest.raises(ValueError):
        vs.read_flat(tmp_path / "s.faiss", dtype, 16)  # another dimension: not this file
    os.truncate(tmp_path / "s.faiss", (tmp_path / "s.faiss").stat().st_size - 5)
    with pytest.raises(ValueError):
        vs.read_flat(tmp_path / "s.faiss", dtype, 8)


def test_sentence_vectors_are_in_memory_after_load(hash_settings):
    """Issue 28: truncating sentences.faiss after load changes nothing (it is read whole, not on demand)."""
    build_index(hash_settings)
    idx = load_index(hash_settings)
    expected = np.array(idx.sentence_vectors[5:9])
    os.truncate(current_build(hash_settings.index_dir) / "sentences.faiss", 100)
    assert np.array_equal(idx.sentence_vectors[5:9], expected)


def test_stored_bounds_need_region_then_term_order():
    row_region = np.array([0, 0, 1, 2], np.int32)
    p_row, p_term = np.array([0, 1, 1, 2, 3], np.int32), np.array([1, 0, 3, 2, 0], np.uint16)
    assert stored_bounds(row_region, p_row, p_term, 3) is None  # terms of region 0 out of order
    p_term = np.array([0, 1, 3, 2, 0], np.uint16)
    assert stored_bounds(row_region, p_row, p_term, 3, block=2).tolist() == [0, 3, 4, 5]
    assert stored_bounds(row_region, p_row[::-1], p_term, 3) is None  # regions out of order


def test_stored_region_bounds_equal_the_bounds_found_in_the_pairs(hash_settings):
    from rag.retrieval.retriever import Partitions

    build_index(hash_settings)
    idx = load_index(hash_settings)
    names, bounds = idx.bm25.groups
    region_of = {s: i for i, s in enumerate(dict.fromkeys(c.slug for c in idx.chunks))}
    assert names == list(region_of) and len(names) >= 5
    row_region = np.array([region_of[c.slug] for c in idx.chunks], np.int32)
    found = stored_bounds(row_region, idx.bm25.p_row, idx.bm25.p_term, len(names))
    assert found.tolist() == bounds.tolist()
    parts = Partitions(idx)
    assert [parts.span[s] for s in names] == list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))
