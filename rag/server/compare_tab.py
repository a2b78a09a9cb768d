"""The 各地对比 tab: the main benefits per region, from the same data as GET /api/compare (rag.benefits.view.compare_dict
over the index's benefits table). Each cell shows its value(s) with qualifier and condition and links to a citation
card below the table (the clause, with the sentence the value comes from highlighted); "未规定" cells stay plain.

Why HTML in a Markdown component: it is rendered by Gradio's sanitiser like the chat's cards, needs no script of its
own (chat.js only makes the in-page links scroll instead of navigating), and every text goes through `escape`."""

from __future__ import annotations

from .. import messages as m
from ..benefits.table import Cell
from ..benefits.view import compare_dict, status_text, table_of
from ..errors import RagError
from .answer_view import enrich
from .render import escape, render_citations


def _anchor(clause_id: str) -> str:
    return "rag-cite-" + "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in clause_id)


def _cell_html(cell: dict, unit: str, number: int | None) -> str:
    link = (
        f' <a class="rag-cell-link" href="#{_anchor(cell["clause_id"])}" '
        f'aria-label="{escape(m.PAGE_COMPARE_LINK.format(n=number))}">[{number}]</a>'
        if number
        else ""
    )
    if not cell["values"]:
        text = status_text(Cell(cell["region"], cell["benefit"], cell["status"]), unit) or cell["status"]
        return f'<span class="rag-cell-none">{escape(text)}</span>{link}'
    parts = []
    for v in cell["values"]:
        value = v["text"] if not v["qualifier"] or v["qualifier"] in v["text"] else v["qualifier"] + v["text"]
        cond = f'<br><small class="rag-cell-cond">{escape(v["condition"])}</small>' if v["condition"] else ""
        parts.append(f'<span class="rag-cell-value">{escape(value)}</span>{cond}')
    return "<br>".join(parts) + link


def render_compare(answerer) -> str:
    """The whole tab as one HTML string (table + citation cards), or one sentence saying why it cannot be shown."""
    try:
        data = compare_dict(table_of(answerer))
    except RagError as exc:
        return f'<p class="rag-compare-empty">{escape(m.PAGE_COMPARE_UNAVAILABLE.format(reason=exc))}</p>'
    inner = getattr(answerer, "assistant", answerer)
    chunks = {c.id: c for c in getattr(getattr(inner, "index", None), "chunks", [])}
    benefits = data["benefits"]
    if not benefits or not benefits[0]["rows"]:
        return f'<p class="rag-compare-empty">{escape(m.PAGE_COMPARE_UNAVAILABLE.format(reason=m.PAGE_COMPARE_EMPTY))}</p>'
    docs = getattr(inner, "docs", None) or {}
    # the name answers use (通化市), not the plan's full title of the region (吉林省通化市（区级）)
    regions = [
        (r["region"], getattr(docs.get(r["region"]), "name", r["region_name"])) for r in benefits[0]["rows"]
    ]
    numbers: dict[str, int] = {}
    cards: list[dict] = []
    body = []
    by_region: dict[str, list[str]] = {slug: [] for slug, _ in regions}
    for row in benefits:
        cells = []
        for cell in row["rows"]:
            cid = cell["clause_id"]
            number = None
            if cid and cid in chunks:
                if cid not in numbers:
                    numbers[cid] = len(numbers) + 1
                    c = chunks[cid]
                    cards.append(
                        {
                            "rank": numbers[cid],
                            "region": c.slug,
                            "region_name": c.region_name,
                            "doc_title": c.doc_title,
                            "status": c.status,
                            "section": c.section,
                            "text": c.text,
                            "highlights": [],
                            "clause_id": cid,
                        }
                    )
                number = numbers[cid]
                if cell["sentence"]:
                    cards[number - 1]["highlights"].append(cell["sentence"])
            html = _cell_html(cell, row["unit"], number)
            cells.append(f"<td>{html}</td>")
            by_region.setdefault(cell["region"], []).append(
                f'<div class="rag-rc-row"><span class="rag-rc-benefit">{escape(row["benefit"])}</span>'
                f'<span class="rag-rc-value">{html}</span></div>'
            )
        body.append(f'<tr><th scope="row">{escape(row["benefit"])}</th>{"".join(cells)}</tr>')
    head = "".join(f'<th scope="col">{escape(name)}</th>' for _, name in regions)
    table = (
        f'<div class="rag-compare-wrap" tabindex="0" role="region" aria-label="{escape(m.PAGE_TAB_COMPARE)}">'
        f'<table class="rag-compare"><caption>{escape(m.PAGE_COMPARE_NOTE)}</caption>'
        f'<thead><tr><th scope="col">{escape(m.PAGE_COMPARE_BENEFIT)}</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    )
    phone = _region_cards(regions, by_region)
    card_html = render_citations(enrich({"citations": cards}, docs))  # issuer, 文号, date on each card
    for card in cards:  # give each card its anchor (render_citations knows nothing of the tab)
        card_html = card_html.replace(
            f'<span class="rag-n">[{card["rank"]}]</span>',
            f'<span class="rag-n" id="{_anchor(card["clause_id"])}" tabindex="-1">[{card["rank"]}]</span>',
            1,
        )
    return f'<div id="rag-compare-body">{table}{phone}{card_html}</div>'


def _region_cards(regions: list[tuple[str, str]], by_region: dict[str, list[str]]) -> str:
    """The same cells as one card per region: what a phone shows instead of the table (six columns do not fit
    in 374 px); chat.css picks one of the two by the page's width."""
    cards = "".join(
        f'<section class="rag-rc" aria-label="{escape(name)}"><h3 class="rag-rc-name">{escape(name)}</h3>'
        f"{''.join(by_region.get(slug, []))}</section>"
        for slug, name in regions
    )
    return f'<div class="rag-compare-cards">{cards}</div>'
