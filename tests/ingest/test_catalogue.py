"""The catalogue at national scale (issue 25): one catalogue file per province under seeds/documents/*.toml beside
(or instead of) seeds/documents.toml, a bounded but sufficient size limit, and every file in the seed hashes."""

from __future__ import annotations

import shutil

import pytest

import rag.ingest.catalogue as cat
from rag.config import tomllib
from rag.errors import RagError
from rag.ingest.seeds import load_documents, seed_hashes


def _entries_text(seeds, slugs: set[str]) -> str:
    """The [[document]] tables of documents.toml whose slug is in `slugs`, as TOML text."""
    blocks = (seeds / "documents.toml").read_text(encoding="utf-8").split("[[document]]")
    return "".join("[[document]]" + b for b in blocks[1:] if any(f'"{s}"' in b for s in slugs))


def _slugs(seeds) -> list[str]:
    with open(seeds / "documents.toml", "rb") as fh:
        return [d["slug"] for d in tomllib.load(fh)["document"]]


def test_split_catalogue_alone_gives_the_same_plans(seeds_copy):
    want = [d.slug for d in load_documents(seeds_copy)]
    slugs = _slugs(seeds_copy)
    (seeds_copy / "documents").mkdir()
    (seeds_copy / "documents" / "a.toml").write_text(
        _entries_text(seeds_copy, set(slugs[:2])), encoding="utf-8"
    )
    (seeds_copy / "documents" / "b.toml").write_text(
        _entries_text(seeds_copy, set(slugs[2:])), encoding="utf-8"
    )
    (seeds_copy / "documents.toml").unlink()
    assert sorted(d.slug for d in load_documents(seeds_copy)) == sorted(want)
    hashes = seed_hashes(seeds_copy)
    assert {"documents/a.toml", "documents/b.toml"} <= set(hashes) and hashes["documents.toml"] == "missing"
    with open(seeds_copy / "documents" / "b.toml", "a", encoding="utf-8") as fh:
        fh.write("\n# 修改\n")
    assert seed_hashes(seeds_copy)["documents/b.toml"] != hashes["documents/b.toml"]  # a split file counts


def test_documents_toml_and_split_files_together(seeds_copy):
    (seeds_copy / "extra.txt").write_text(
        "一、措施\n（一）育儿假。父母每年各享受育儿假10天。\n", encoding="utf-8"
    )
    (seeds_copy / "documents").mkdir()
    (seeds_copy / "documents" / "lanhai.toml").write_text(
        '[[document]]\nslug="extra"\nfile="extra.txt"\nregion_name="澜海省"\nshort_name="澜海"\n'
        'title="澜海省方案"\nstatus="正式文件"\n',
        encoding="utf-8",
    )
    docs = load_documents(seeds_copy)
    assert docs[-1].slug == "extra" and len(docs) == len(_slugs(seeds_copy)) + 1
    # the same slug in two catalogue files: refused, naming the file of the second
    shutil.copy(seeds_copy / "documents" / "lanhai.toml", seeds_copy / "documents" / "lanhai2.toml")
    with pytest.raises(RagError, match=r"lanhai2\.toml.*extra"):
        load_documents(seeds_copy)


def test_a_national_catalogue_over_1_mb_is_read(seeds_copy):
    """3,000 entries (~1.2 MB, the size the bench's 600x corpus writes) are a catalogue, not an accident."""
    block = _entries_text(seeds_copy, set(_slugs(seeds_copy)[:1]))
    slug = _slugs(seeds_copy)[0]
    copies = [block.replace(f'"{slug}"', f'"{slug}{i}"') for i in range(1, 3001)]
    with open(seeds_copy / "documents.toml", "a", encoding="utf-8") as fh:
        fh.write("\n" + "\n".join(copies))
    assert (seeds_copy / "documents.toml").stat().st_size > 1024 * 1024
    assert len(cat.read_catalogue(seeds_copy).entries) == len(_slugs(seeds_copy))


def test_limits_are_one_sentence(seeds_copy, monkeypatch):
    monkeypatch.setattr(cat, "MAX_FILE_BYTES", 1024)
    with pytest.raises(RagError, match="超过 0 MB，不像是文件清单.*seeds/documents/\\*\\.toml"):
        cat.read_catalogue(seeds_copy)
    monkeypatch.setattr(cat, "MAX_FILE_BYTES", 8 * 1024 * 1024)
    monkeypatch.setattr(cat, "MAX_ENTRIES", 2)
    with pytest.raises(RagError, match="超过 2 条"):
        cat.read_catalogue(seeds_copy)
    monkeypatch.setattr(cat, "MAX_ENTRIES", 20_000)
    monkeypatch.setattr(cat, "MAX_FILES", 1)
    (seeds_copy / "documents").mkdir()
    (seeds_copy / "documents" / "a.toml").write_text("", encoding="utf-8")
    with pytest.raises(RagError, match="清单文件超过 1 个"):
        cat.read_catalogue(seeds_copy)


def test_a_changed_catalogue_is_read_again(seeds_copy):
    first = cat.read_catalogue(seeds_copy)
    assert cat.read_catalogue(seeds_copy) is first  # parsed once while nothing changes
    (seeds_copy / "documents.toml").write_text(
        _entries_text(seeds_copy, {_slugs(seeds_copy)[0]}), encoding="utf-8"
    )
    assert len(cat.read_catalogue(seeds_copy).entries) == 1
    (seeds_copy / "documents" / "x").mkdir(parents=True)
    (seeds_copy / "documents" / "bad.toml").write_text("[[document]\n", encoding="utf-8")
    with pytest.raises(RagError, match="bad.toml is not valid TOML"):
        cat.read_catalogue(seeds_copy)
