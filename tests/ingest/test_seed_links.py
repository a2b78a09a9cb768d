"""documents.toml's optional `url` and `contact` (issue 26): read into the Document, checked before any page shows
them (a link is http(s), a phone is dialable), and left empty in the seeds unless the plan text names the office."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import RagError
from rag.ingest.seeds import load_documents
from rag.models import Contact


def _with(seeds_copy, slug: str, lines: str):
    """Sets lines (url = …, contact = …) in one [[document]] entry of a private copy of seeds/documents.toml."""
    path = seeds_copy / "documents.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f'slug = "{slug}"')
    end = text.find("[[document]]", start)
    end = len(text) if end < 0 else end
    keys = {line.split("=")[0].strip() for line in lines.splitlines()}
    entry = [line for line in text[start:end].splitlines() if line.split("=")[0].strip() not in keys]
    path.write_text(text[:start] + "\n".join([*entry, lines]) + "\n\n" + text[end:], encoding="utf-8")


def test_the_seeds_leave_url_empty_and_name_only_offices_the_plans_state():
    docs = {d.slug: d for d in load_documents(Path(__file__).parents[2] / "seeds")}
    assert all(d.url == "" for d in docs.values())  # never an invented address
    assert docs["qingdao"].contact == Contact(name="青岛市卫生健康委")  # "市卫生健康委牵头" in the plan
    assert docs["guizhou"].contact.name == "贵州省卫生健康委"
    assert not docs["beijing"].contact and not docs["tonghua"].contact  # the text names no office: 12345
    for d in docs.values():
        assert not d.contact.phone and not d.contact.web  # no plan prints a phone number or a web address
        if d.contact.name:  # the name is the plan's own words, not a guess
            assert d.contact.name.removeprefix(d.short_name.removesuffix("市")).lstrip("省市") in d.text


def test_url_and_contact_are_read(seeds_copy):
    _with(
        seeds_copy,
        "beijing",
        'url = "https://www.beijing.gov.cn/zhengce/example.html"\n'
        'contact = { name = "北京市卫生健康委员会", phone = "010-12345678", web = "https://wjw.beijing.gov.cn/" }',
    )
    doc = next(d for d in load_documents(seeds_copy) if d.slug == "beijing")
    assert doc.url == "https://www.beijing.gov.cn/zhengce/example.html"
    assert doc.contact == Contact(
        name="北京市卫生健康委员会", phone="010-12345678", web="https://wjw.beijing.gov.cn/"
    )


@pytest.mark.parametrize(
    "lines, says",
    [
        ('url = "javascript:alert(1)"', "url"),
        ('url = "www.beijing.gov.cn"', "url"),
        ('url = "https://a.gov.cn/x y"', "url"),
        ('contact = { phone = "call us" }', "phone"),
        ('contact = { phone = "0532-1234\\"><script>" }', "phone"),
        ('contact = { web = "ftp://a.gov.cn" }', "web"),
        ('contact = { email = "a@b.cn" }', "contact"),
        ('contact = "12345"', "contact"),
    ],
)
def test_a_bad_link_or_phone_is_refused_with_the_entry_named(seeds_copy, lines, says):
    _with(seeds_copy, "chongqing", lines)
    with pytest.raises(RagError) as err:
        load_documents(seeds_copy)
    assert "chongqing" in str(err.value) and says in str(err.value)
