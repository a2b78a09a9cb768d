"""Caches on the query path: popular questions are asked many times a day, and each repeat would otherwise pay
for embedding the question (~23 ms of a 43 ms answer) and for the whole answer again.

* `CachedEmbedder` keeps query vectors keyed by the exact text embedded (the retriever and the pin matcher
  embed the normalised question, so different spellings of one question share an entry).
* `CachedAnswerer` keeps whole answers of history-free questions, keyed by (question, region, lock, index
  build id). A follow-up (with history) is never cached: its answer depends on the conversation.

Both are per process and bounded (LRU). A reload builds a new answerer with new, empty caches, and the build id
in the key means an answer can never outlive the index it was computed from.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np

from ..assistant import stream_answer
from ..models import Answer

EMBEDDINGS = 4096  # ~1.5 MB of 384-dim float32 vectors
ANSWERS = 2048


class LRU:
    """A thread-safe bounded mapping that forgets the least recently used entry first."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
            return None

    def put(self, key: Hashable, value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


class CachedEmbedder:
    """An embedder whose `encode_query` remembers vectors; everything else goes to the wrapped embedder."""

    def __init__(self, inner, size: int = EMBEDDINGS):
        self.inner, self.cache = inner, LRU(size)

    def __getattr__(self, name):  # id, dim, encode_passage, …
        return getattr(self.inner, name)

    def encode_query(self, texts: list[str]) -> np.ndarray:
        found = [self.cache.get(t) for t in texts]
        missing = [t for t, v in zip(texts, found, strict=True) if v is None]
        if missing:
            fresh = self.inner.encode_query(list(dict.fromkeys(missing)))
            computed = dict(zip(dict.fromkeys(missing), fresh, strict=True))
            for t, v in computed.items():
                v = np.array(v, copy=True)
                v.setflags(write=False)  # shared between requests: nobody may change it in place
                self.cache.put(t, v)
            found = [v if v is not None else computed[t] for t, v in zip(texts, found, strict=True)]
        return np.stack(found)


class CachedAnswerer:
    """Wraps an answerer (Assistant or the LLM writer): history-free answers are served from an LRU.

    Callers get a copy of the cached Answer, so the fields they set on it (`id`, `answer_id`) never leak into
    the cache or into another caller's answer."""

    def __init__(self, inner, size: int = ANSWERS):
        self.inner, self.cache = inner, LRU(size)
        self.build_id = build_id(inner)

    def __getattr__(self, name):  # docs, search, settings, index, …
        return getattr(self.inner, name)

    @property
    def assistant(self):
        return getattr(self.inner, "assistant", self.inner)

    def _key(self, question, region, history, kw) -> tuple | None:
        if history or not isinstance(question, str) or set(kw) - {"lock_region"}:
            return None
        return (question, region, bool(kw.get("lock_region")), self.build_id)

    def ask(self, question: str, region: str | None = None, history=(), **kw):
        key = self._key(question, region, history, kw)
        if key is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return copy.copy(hit)
        answer = self.inner.ask(question, region=region, history=history, **kw)
        if key is not None:
            self.cache.put(key, copy.copy(answer))
        return answer

    def stream(self, question: str, region: str | None = None, history=(), **kw):
        key = self._key(question, region, history, kw)
        hit = self.cache.get(key) if key is not None else None
        if hit is not None:
            yield from stream_answer(copy.copy(hit))
            return
        for piece in self.inner.stream(question, region=region, history=history, **kw):
            if key is not None and isinstance(piece, Answer):
                self.cache.put(key, copy.copy(piece))
            yield piece


def build_id(answerer) -> str | None:
    """The served index build's directory name (unique per `rag index` run), None when there is none."""
    index = getattr(getattr(answerer, "assistant", answerer), "index", None)
    path = getattr(index, "dir", None)  # index.LoadedIndex.dir = index/<embedder>/builds/<build id>
    return getattr(path, "name", None) or (str(path) if path is not None else None)


def with_caches(answerer, embeddings: int = EMBEDDINGS, answers: int = ANSWERS):
    """The answerer with both caches installed (the embedding cache on its Assistant, shared by the retriever
    and everything that embeds questions through `assistant.embedder`)."""
    inner = getattr(answerer, "assistant", answerer)
    emb = getattr(inner, "embedder", None)
    if emb is not None and embeddings > 0 and not isinstance(emb, CachedEmbedder):
        cached: Callable = CachedEmbedder(emb, embeddings)
        inner.embedder = cached
        retriever = getattr(inner, "retriever", None)
        if retriever is not None and getattr(retriever, "embedder", None) is emb:
            retriever.embedder = cached
    return CachedAnswerer(answerer, answers) if answers > 0 else answerer
