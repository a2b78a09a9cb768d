"""Incremental builds at national scale (issue 25): adding one plan embeds and tokenizes only that plan's clauses,
the result equals a build from scratch, and the keyword store (keyword.npz) loads back exactly what was written."""

from __future__ import annotations

import numpy as np

import rag.index.store as store
from rag.embedders.hashing import HashEmbedder
from rag.index import keyword
from rag.index.store import build_index, load_index
from rag.ingest.chunker import chunk_sentences
from rag.text.normalize import normalize

PLAN = "为深入贯彻落实，制定本方案。\n一、措施\n（一）育儿假。父母每年各享受育儿假{days}天。\n（二）托育补贴。每孩每月补贴{money}元。\n"
ENTRY = '[[document]]\nslug="{slug}"\nfile="{slug}.txt"\nregion_name="{name}"\nshort_name="{name}"\ntitle="{name}方案"\nstatus="正式文件"\n'


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed_batch(self, texts, *, is_query):
        self.texts += texts
        return super().embed_batch(texts, is_query=is_query)


def _add_plan(seeds, slug: str, name: str, days: int, money: int, split: bool) -> None:
    (seeds / f"{slug}.txt").write_text(PLAN.format(days=days, money=money), encoding="utf-8")
    if split:  # one catalogue file per province under seeds/documents/
        (seeds / "documents").mkdir(exist_ok=True)
        (seeds / "documents" / f"{slug}.toml").write_text(
            ENTRY.format(slug=slug, name=name), encoding="utf-8"
        )
    else:
        with open(seeds / "documents.toml", "a", encoding="utf-8") as fh:
            fh.write("\n" + ENTRY.format(slug=slug, name=name))


def _counting_tokenizer(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = store.tokenize

    def counting(text):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(store, "tokenize", counting)
    return seen


def test_adding_one_plan_embeds_and_tokenizes_only_its_clauses(hash_settings, monkeypatch, tmp_path):
    build_index(hash_settings)
    for i, (slug, name, split) in enumerate([("yunxi", "云溪县", True), ("lanhai", "澜海市", False)]):
        _add_plan(hash_settings.seeds_dir, slug, name, 10 + i, 300 + i, split)
        emb, tokenized = CountingEmbedder(), _counting_tokenizer(monkeypatch)
        rep = build_index(hash_settings, embedder=emb)
        idx = load_index(hash_settings)
        new = [c for c in idx.chunks if c.slug == slug]
        assert len(new) >= 2 and rep.embedded == len(new)
        assert sorted(tokenized) == sorted(c.embed_text for c in new)  # the tokenizer saw only the new plan
        own = {c.embed_text for c in new} | {normalize(x) for c in new for x in chunk_sentences(c.text)}
        assert emb.texts and set(emb.texts) <= own  # its clauses and their sentences, nothing of other plans
        monkeypatch.undo()
    scratch = hash_settings.with_(index_root=tmp_path / "scratch")
    build_index(scratch)
    a, b = load_index(hash_settings), load_index(scratch)
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]
    assert all(a.tokens[i] == b.tokens[i] for i in range(len(a.chunks)))
    assert a.bm25.idf == b.bm25.idf
    assert np.array_equal(a.bm25.scores(["育儿假", "补贴"]), b.bm25.scores(["育儿假", "补贴"]))


def test_keyword_store_round_trip(tmp_path):
    docs = [["育儿", "假", "育儿"], [], ["补贴", "每月", "补贴", "补贴"]]
    keyword.write(tmp_path / "k.npz", docs, ["a" * 32, "b" * 32, "c" * 32], "tok-1")
    coded, hashes, tokenizer, pairs = keyword.read(tmp_path / "k.npz", with_pairs=True)
    stored, fresh = keyword.BM25(coded=coded, pairs=pairs), keyword.BM25(docs)
    assert [stored.tokens[i] for i in range(3)] == docs and hashes == ["a" * 32, "b" * 32, "c" * 32]
    assert tokenizer == "tok-1" and stored.idf == fresh.idf
    assert stored.p_tf.tolist() == [2.0, 1.0, 3.0, 1.0]  # (row, term) pairs: 育儿×2, 假, 补贴×3, 每月
    for q in (["育儿"], ["补贴", "假"], ["没有"]):
        assert np.allclose(stored.scores(q), fresh.scores(q))


def test_tokens_of_another_tokenizer_are_not_reused(tmp_path):
    keyword.write(tmp_path / "k.npz", [["甲"]], ["a" * 32], "old")
    assert keyword.ReusableTokens(tmp_path / "k.npz", "new").get("a" * 32) is None
    assert keyword.ReusableTokens(tmp_path / "k.npz", "old").get("a" * 32) == ["甲"]
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert keyword.ReusableTokens(tmp_path / "bad.npz", "old").get("a" * 32) is None


def test_partitions_from_unsorted_pairs_equal_the_stored_order(hash_settings):
    """Pairs stored region-then-term are used as they are; pairs in any other order are sorted at start, with the
    same postings."""
    from dataclasses import replace

    from rag.retrieval.retriever import Partitions

    build_index(hash_settings)
    idx = load_index(hash_settings)
    stored = Partitions(idx)
    fresh = keyword.BM25([idx.tokens[i] for i in range(len(idx.chunks))])  # clause-then-term order
    resorted = Partitions(replace(idx, bm25=fresh))
    assert not np.array_equal(fresh.p_term, stored.p_term)  # the other order really was different
    for region in stored.rows:
        for term in ("育儿假", "补贴", "产假"):
            a, b = stored.postings(region, term), resorted.postings(region, term)
            assert (a is None) == (b is None)
            if a is not None:
                assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
