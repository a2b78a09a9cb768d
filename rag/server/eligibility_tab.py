"""The 我能享受什么 tab: a short labelled form (region, the youngest child, the parents, 户籍, housing) and the
screen's items as cards (figure, status, what to check, the clause), from the same screen as POST /api/eligibility.

Radios rather than dropdowns: each choice is a labelled control reachable with Tab and the arrow keys, and on a
phone a tap target of its own. Every text of a card goes through `escape` (the figure is bolded after escaping: it
is the clause's own text). Its styles are in static/eligibility.css, apart from the chat's."""

from __future__ import annotations

import gradio as gr

from ..eligibility import family as F
from ..eligibility import messages as EM
from ..eligibility.screen import MET, Item, Screening, screen
from ..errors import InputError, RagError
from .render import escape

TAB_LABEL = "我能享受什么"
UNKNOWN_LABEL = "不清楚"
ORDERS = [("一孩", "1"), ("二孩", "2"), ("三孩", "3"), ("四孩及以上", "4"), (UNKNOWN_LABEL, "unknown")]
BORN = [("已出生", "born"), ("还没出生（待产）", "expected"), (UNKNOWN_LABEL, "unknown")]
JOBS = [("在单位上班", "employed"), ("个体经营", "self_employed"), ("灵活就业", "flexible"), ("未就业", "not_working"),
        (UNKNOWN_LABEL, "unknown")]  # fmt: skip
TRI = [("是", "yes"), ("否", "no"), (UNKNOWN_LABEL, "unknown")]
HOUSING = [("租房", "renting"), ("购房", "buying"), ("公租房", "public_rental"), (UNKNOWN_LABEL, "unknown")]
LABELS = {
    "region": "所在地区（如：青岛、北京市朝阳区）",
    "order": "最小的孩子是第几孩",
    "born": "孩子出生了吗",
    "months": "孩子现在几个月大（0–216，已出生时填写）",
    "mother": "妈妈的工作",
    "insured": "妈妈是否参加生育保险",
    "father": "爸爸的工作",
    "hukou": "是否本地户籍",
    "housing": "住房情况",
    "submit": "查看我能享受什么",
    "intro": "填写家庭情况，列出方案中可能适用的待遇。每项都附条款原文；不确定的选“不清楚”。",
}


def family_of(region, order, born, months, mother, insured, father, hukou, housing) -> F.Family:
    """The form's answers as the screen's family (InputError with the family model's sentence)."""
    age = (
        "expected" if born == "expected" else (None if born == "unknown" or months in (None, "") else months)
    )
    if isinstance(age, float):
        if not age.is_integer():
            raise InputError(EM.BAD_AGE.format(i=1, limit=F.MAX_AGE_MONTHS))
        age = int(age)
    kid = F.child(1, order=order, age_months=age)
    parents = [F.parent("mother", mother, insured), F.parent("father", father)]
    return F.family(region, [kid], parents, hukou, housing)


def render(s: Screening) -> str:
    """The cards, the questions that would settle the 可能符合 items, and the notes, as one HTML string."""
    head = f'<h3 class="rag-el-title">{escape(s.region_name)}</h3>'
    if s.message:
        head += f'<p class="rag-el-none">{escape(s.message)}</p>'
    cards = "".join(_card(i) for i in s.items)
    asks = "".join(f"<li>{escape(q)}</li>" for q in s.questions)
    asks = (
        f'<section class="rag-el-asks"><h4>{escape(EM.CLI_QUESTIONS)}</h4><ul>{asks}</ul></section>'
        if asks
        else ""
    )
    notes = "".join(f'<p class="rag-el-note">{escape(n)}</p>' for n in s.notes)
    return f'<div class="rag-el">{head}<div class="rag-el-cards">{cards}</div>{asks}{notes}</div>'


def _card(i: Item) -> str:
    summary = escape(i.summary)
    if i.figure:
        summary = summary.replace(escape(i.figure), f"<strong>{escape(i.figure)}</strong>", 1)
    kind = "met" if i.status == MET else "maybe"
    checks = "".join(f"<li>{escape(t)}</li>" for t in i.to_check)
    checks = f'<ul class="rag-el-check" aria-label="需核对">{checks}</ul>' if checks else ""
    conds = f'<p class="rag-el-cond">条件原文：{escape("；".join(i.conditions))}</p>' if i.conditions else ""
    c = i.citation
    quote = escape(c.sentence or c.text)
    cite = (
        f'<details class="rag-el-cite"><summary>依据：《{escape(c.document)}》{escape(c.clause_id)}</summary>'
        f"<blockquote>{quote}</blockquote></details>"
    )
    return (
        f'<section class="rag-el-card rag-el-{kind}" aria-label="{escape(i.benefit)}">'
        f'<h4><span class="rag-el-name">{escape(i.benefit)}</span>'
        f'<span class="rag-el-status">{escape(i.status)}</span></h4>'
        f'<p class="rag-el-summary">{summary}</p>{checks}{conds}{cite}</section>'
    )


def answer(current, *values) -> str:
    """The tab's one event: the form in, the cards (or one sentence saying what to fix) out."""
    try:
        asst = getattr(current(), "assistant", current())
        return render(screen(asst, family_of(*values)))
    except RagError as exc:
        return f'<p class="rag-el-error" role="alert">{escape(str(exc))}</p>'


def build_tab(current) -> None:
    """The tab's form and results; call inside `gr.Tab`."""
    gr.Markdown(LABELS["intro"], elem_id="rag-el-intro")
    with gr.Column(elem_id="rag-el-form"):
        region = gr.Textbox(label=LABELS["region"], max_length=F.MAX_PLACE, elem_id="rag-el-region")
        order = gr.Radio(ORDERS, value="unknown", label=LABELS["order"], elem_id="rag-el-order")
        born = gr.Radio(BORN, value="born", label=LABELS["born"], elem_id="rag-el-born")
        months = gr.Number(None, label=LABELS["months"], minimum=0, maximum=F.MAX_AGE_MONTHS, precision=0,
                           elem_id="rag-el-months")  # fmt: skip
        mother = gr.Radio(JOBS, value="unknown", label=LABELS["mother"], elem_id="rag-el-mother")
        insured = gr.Radio(TRI, value="unknown", label=LABELS["insured"], elem_id="rag-el-insured")
        father = gr.Radio(JOBS, value="unknown", label=LABELS["father"], elem_id="rag-el-father")
        hukou = gr.Radio(TRI, value="unknown", label=LABELS["hukou"], elem_id="rag-el-hukou")
        housing = gr.Radio(HOUSING, value="unknown", label=LABELS["housing"], elem_id="rag-el-housing")
        go = gr.Button(LABELS["submit"], variant="primary", elem_id="rag-el-submit")
    out = gr.Markdown(elem_id="rag-el-results", sanitize_html=True, latex_delimiters=[])
    inputs = [region, order, born, months, mother, insured, father, hukou, housing]
    go.click(lambda *v: answer(current, *v), inputs, out, api_visibility="private", show_progress="minimal")
