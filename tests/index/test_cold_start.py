"""Cold start at national scale (issue 25): load checks build files by size and sampled digest and hashes them
whole in the background, checks seeds by stat (hashing only what changed), and reuses the build's parsed
catalogue. Each shortcut must still catch what the full check caught."""

import json
import os

import pytest

from rag.assistant import Assistant
from rag.errors import IndexProblem
from rag.index import layout
from rag.index.store import build_index, current_build, load_index
from rag.ingest import catalogue
from rag.ingest.seeds import load_documents


@pytest.fixture
def sampled(monkeypatch):
    """Every build file is treated as large: checked by its samples on load, hashed whole afterwards."""
    monkeypatch.setattr(layout, "FULL_BELOW", 0)
    monkeypatch.setattr(layout, "SAMPLES", 8)  # small samples, so that the test's small files have gaps
    monkeypatch.setattr(layout, "SAMPLE_BYTES", 64)
    monkeypatch.setattr("rag.index.store.FULL_BELOW", 0)


def _unsampled_offset(path) -> int:
    """A byte the load-time samples do not read (the middle of the gap between two samples)."""
    size = path.stat().st_size
    step = max(1, (size - layout.SAMPLE_BYTES) // (layout.SAMPLES - 1))
    assert step > layout.SAMPLE_BYTES, "the file is too small to have a gap between samples"
    return layout.SAMPLE_BYTES + (step - layout.SAMPLE_BYTES) // 2


def _flip(path, offset: int) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        b = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([b[0] ^ 0xFF]))


def test_a_byte_the_samples_miss_is_caught_after_load_and_stops_answers(hash_settings, sampled):
    build_index(hash_settings)
    f = current_build(hash_settings.index_dir) / "sentences.faiss"
    _flip(f, _unsampled_offset(f))  # one byte of one vector: the file still reads
    asst = Assistant.load(settings=hash_settings)  # the samples match: load goes on ...
    fault = asst.index.integrity.wait(timeout=30)  # ... and the full hash in the background finds it
    assert fault and "sentences.faiss" in fault and "rag index" in fault
    with pytest.raises(IndexProblem, match=r"sentences\.faiss.*校验和不符"):
        asst.ask("北京市的育儿假有多少天？")


def test_a_missed_byte_that_breaks_reading_is_named_as_damage(hash_settings, sampled):
    """A flipped byte the samples missed that makes chunks.jsonl unreadable: the damaged file is named."""
    build_index(hash_settings)
    f = current_build(hash_settings.index_dir) / "chunks.jsonl"
    _flip(f, _unsampled_offset(f))
    with pytest.raises(IndexProblem, match=r"chunks\.jsonl.*校验和不符.*rag index"):
        load_index(hash_settings)


def test_intact_index_passes_the_background_check_and_answers(hash_settings, sampled):
    build_index(hash_settings)
    asst = Assistant.load(settings=hash_settings)
    assert asst.index.integrity.wait(timeout=30) is None
    assert asst.index.integrity.done.is_set()
    assert asst.ask("北京市的育儿假有多少天？").answer


def test_small_files_are_hashed_whole_on_load(hash_settings):
    build_index(hash_settings)
    f = current_build(hash_settings.index_dir) / "chunks.jsonl"
    _flip(f, f.stat().st_size // 2)
    with pytest.raises(IndexProblem, match=r"chunks\.jsonl"):
        load_index(hash_settings)


def test_touched_seed_is_current_and_edited_same_size_seed_is_stale(hash_settings):
    build_index(hash_settings)
    seed = hash_settings.seeds_dir / "beijing.txt"
    os.utime(seed)  # a new mtime, the same bytes: hashed again, still current
    load_index(hash_settings)
    text = seed.read_bytes()
    i = text.index("天".encode())
    seed.write_bytes(text[:i] + "日".encode() + text[i + len("天".encode()) :])  # same size, other text
    with pytest.raises(IndexProblem, match=r"已过期"):
        load_index(hash_settings)


def test_seed_stat_recorded_in_the_same_instant_as_the_build_is_not_trusted(hash_settings):
    """An edit in the build's clock tick that keeps size and mtime is still seen (the racy-stat rule)."""
    seed = hash_settings.seeds_dir / "beijing.txt"
    os.utime(seed)  # written just before the build
    build_index(hash_settings)
    build = current_build(hash_settings.index_dir)
    m = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    st = seed.stat()
    text = seed.read_bytes()
    i = text.index("天".encode())
    seed.write_bytes(text[:i] + "日".encode() + text[i + len("天".encode()) :])
    os.utime(seed, ns=(st.st_atime_ns, st.st_mtime_ns))  # size and mtime as recorded
    assert m["seed_stats"]["files"]["beijing.txt"] == [st.st_size, st.st_mtime_ns]
    with pytest.raises(IndexProblem, match=r"已过期"):
        load_index(hash_settings)


def test_a_new_catalogue_file_makes_the_index_stale(hash_settings):
    build_index(hash_settings)
    (hash_settings.seeds_dir / "extra.txt").write_text(
        "一、措施\n（一）育儿假。每年10天。\n", encoding="utf-8"
    )
    (hash_settings.seeds_dir / "documents").mkdir(exist_ok=True)
    (hash_settings.seeds_dir / "documents" / "extra.toml").write_text(
        '[[document]]\nslug="extra"\nfile="extra.txt"\nregion_name="澜海省云溪县"\n'
        'short_name="云溪县"\ntitle="云溪县方案"\nstatus="正式文件"\n',
        encoding="utf-8",
    )
    with pytest.raises(IndexProblem, match=r"已过期"):
        load_index(hash_settings)


def test_manifest_without_stats_or_stamps_falls_back_to_full_checks(hash_settings):
    """A build written before these keys existed: every seed and file is hashed, as before."""
    build_index(hash_settings)
    build = current_build(hash_settings.index_dir)
    path = build / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    for key in ("seed_stats", "stamps", "catalogue"):
        del m[key]
    path.write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    assert len(load_index(hash_settings).chunks) == m["chunk_count"]
    with open(hash_settings.seeds_dir / "beijing.txt", "a", encoding="utf-8") as fh:
        fh.write("\n（二十三）新增一条。内容。\n")
    with pytest.raises(IndexProblem, match=r"已过期"):
        load_index(hash_settings)


def test_stored_catalogue_gives_the_same_documents_without_parsing_the_toml(hash_settings, monkeypatch):
    build_index(hash_settings)
    expected = load_documents(hash_settings.seeds_dir)
    catalogue._cache.clear()
    load_index(hash_settings)

    def no_parse(path):
        raise AssertionError(f"parsed {path} although the build stored the catalogue")

    monkeypatch.setattr(catalogue, "_read_one", no_parse)
    assert load_documents(hash_settings.seeds_dir) == expected


def test_damaged_stored_catalogue_is_parsed_again(hash_settings):
    build_index(hash_settings)
    expected = load_documents(hash_settings.seeds_dir)
    (current_build(hash_settings.index_dir) / "catalogue.json").write_text("{}", encoding="utf-8")
    catalogue._cache.clear()
    load_index(hash_settings)
    assert load_documents(hash_settings.seeds_dir) == expected


def test_unchanged_seeds_are_not_hashed_on_load(hash_settings, monkeypatch):
    """The point of the stats: with every seed as built (and older than the build), load hashes none."""
    from rag.index import seedstamp

    build_index(hash_settings)

    def no_hash(path):
        raise AssertionError(f"hashed {path} although its stat is unchanged")

    monkeypatch.setattr(seedstamp, "_sha256", no_hash)
    monkeypatch.setattr(seedstamp, "seed_hashes", no_hash)
    assert load_index(hash_settings).chunks


def test_healthz_says_damaged_once_the_background_check_fails(hash_settings, sampled):
    from fastapi.testclient import TestClient

    from rag.server.app import create_app

    build_index(hash_settings)
    f = current_build(hash_settings.index_dir) / "sentences.faiss"
    _flip(f, _unsampled_offset(f))
    asst = Assistant.load(settings=hash_settings)
    assert asst.index.integrity.wait(timeout=30)
    with TestClient(create_app(asst)) as client:
        assert client.get("/healthz").json()["status"] == "damaged"
