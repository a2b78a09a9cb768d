"""The Gradio chat page. Handler logic is plain functions over plain data (testable without a server);
build_app only wires them to components.

Every piece of text shown — the question, the answer, clause text — goes through `escape`, which turns
HTML and Markdown syntax into character references: `<script>`, `<img onerror=…>` and `![](http://…)`
display as the characters typed, and the Chatbot's own sanitiser stays on as a second fence.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

import gradio as gr

from ..errors import InputError, RagError
from ..models import Answer
from . import answer_view, ui_text
from .compare_tab import render_compare
from .eligibility_tab import TAB_LABEL as TAB_ELIGIBILITY
from .eligibility_tab import build_tab as build_eligibility_tab
from .feedback import attach as attach_feedback
from .feedback import feedback_options
from .ops import bind, chat_channel
from .page_params import AUTO, MAX_PARAM, resolve_region
from .region_lock import effective_region
from .render import escape, render_citations
from .security import clean_history, clean_text, client_ip

log = logging.getLogger("rag.server")
EXAMPLES = list(ui_text.EXAMPLES_AUTO)
_REFS = re.compile(r"\[\d{1,2}\]")


def _answer_text(text: str, answer: dict | None) -> str:
    """The answer as the chat shows it: the 依据 line is dropped when citation cards show the same source (API
    and CLI text keep it), and a notice shown above the answer is not repeated in it."""
    if not answer:
        return text
    notice = (answer.get("notice") or "").strip()
    if notice and text.startswith(notice):
        text = text[len(notice) :].lstrip()
    lines = text.split("\n")
    if answer.get("citations"):
        kept = []
        for ln in lines:
            if not ln.startswith("依据："):
                kept.append(ln)
                continue
            # the line goes, its [n] stay: moved to the line above, where they link to the cards (issue 26)
            refs = " ".join(r for r in _REFS.findall(ln) if not (kept and r in kept[-1]))
            if refs and kept:
                kept[-1] = f"{kept[-1]} {refs}"
        lines = kept
    return "\n".join(lines).strip("\n")


def render_notice(answer: dict | None, locked: bool = False) -> str:
    """The one-line region notice ("您问的是北京市的政策：…"); with a locked widget, plus a link to the general
    assistant (opened in a new tab: the widget stays on its region)."""
    notice = (answer or {}).get("notice") or ""
    if not notice:
        return ""
    link = (
        f' <a class="rag-general" href="/" target="_blank" rel="noopener">{escape(ui_text.GENERAL_LINK)}</a>'
        if locked
        else ""
    )
    return f'<div class="rag-notice" role="note">{escape(notice)}{link}</div>'


def render_turn(turn: dict, index: int = 0) -> list[dict]:
    answer = turn.get("answer")
    anchor = f"rag-c{index}"
    if (
        answer
    ):  # the finished answer: HTML of its own (figures, [n] links, folded list and clauses, next step)
        body = (
            render_notice(answer, turn.get("locked", False))
            + answer_view.body_html(_answer_text(turn["a"], answer), answer, anchor)
            + answer_view.SPEAK_BUTTON
            + answer_view.next_step(turn["q"], answer)
            + render_citations(answer, anchor)
            + answer_view.suggestions(turn["q"], answer)
            + _feedback_key(answer)
        )
    else:  # streaming, or a sentence of the page's own
        body = escape(turn["a"])
    asked = [{"role": "user", "content": escape(turn["q"])}] if turn["q"] else []  # rejected input: not shown
    return [*asked, {"role": "assistant", "content": body}]


def _feedback_key(answer: dict) -> str:
    """The answer's feedback key, for the 👎 sheet's "哪里不对？" line (chat.js posts it to /api/feedback)."""
    aid = answer.get("answer_id") or ""
    return f'<span class="rag-aid" hidden id="rag-aid-{escape(aid)}"></span>' if aid else ""


def to_messages(turns: list[dict]) -> list[dict]:
    return [m for i, t in enumerate(turns) for m in render_turn(t, i)]


def history_of(turns: list[dict]) -> list[dict]:
    """What the answerer sees: answered turns only (errors and refusals of input are not dialogue)."""
    out = []
    for t in turns:
        if t.get("answer") is not None:
            out += [{"role": "user", "content": t["q"]}, {"role": "assistant", "content": t["a"]}]
    return out


MAX_TURNS = 20  # turns a chat session keeps (and sends back to the browser)
MAX_STATE_CHARS = 120_000  # characters a chat session keeps, citations included


def cap_turns(turns: list[dict], max_turns: int = MAX_TURNS, max_chars: int = MAX_STATE_CHARS) -> list[dict]:
    """The newest turns that fit the per-session bounds: what each event returns grows no further, however
    long a visitor chats (the last turn is always kept)."""
    kept, size = [], 0
    for t in reversed(list(turns)[-max_turns:] if max_turns else []):
        size += len(t.get("q", "")) + len(t.get("a", "")) + _answer_chars(t.get("answer"))
        if kept and size > max_chars:
            break
        kept.append(t)
    return kept[::-1]


def _answer_chars(answer) -> int:
    if not answer:
        return 0
    return sum(len(c.get("text", "")) + 200 for c in answer.get("citations", ()))


def is_blank(message) -> bool:
    """Whitespace-only (or invisible-only) input: the chat does nothing, no empty bubble."""
    return isinstance(message, str) and all(
        ch.isspace() or unicodedata.category(ch) == "Cf" for ch in message
    )


def region_kwargs(locked: bool) -> dict:
    """The lock travels only when set, so an answerer without it still serves the unlocked page."""
    return {"lock_region": True} if locked else {}


def respond(answerer, message, turns, region=None, max_history: int = 20, locked: bool = False):
    """Yields (chat messages, turns) as the answer streams in; bad input becomes a reply, not an exception.
    region is the preset (a default: a covered place named in the question wins, the answer says so);
    locked keeps the answer on the preset region (another region gets a notice, never the preset's rule)."""
    turns = cap_turns(turns or [])
    region = region if region and region != AUTO and region in answerer.docs else None
    locked = bool(locked and region)
    if is_blank(message):
        yield to_messages(turns), turns
        return
    try:
        q = clean_text(message)
    except InputError as exc:
        turns.append({"q": "", "a": str(exc), "answer": None})
        yield to_messages(turns), turns
        return
    turn = {"q": q, "a": "", "answer": None, "locked": locked}
    turns = cap_turns([*turns, turn])
    yield to_messages(turns), turns
    try:
        for piece in answerer.stream(
            q,
            region=region,
            history=clean_history(history_of(turns[:-1]), max_history),
            **region_kwargs(locked),
        ):
            if isinstance(piece, Answer):
                turn["a"] = piece.answer
                turn["answer"] = answer_view.enrich(piece.to_dict(), getattr(answerer, "docs", None) or {})
            else:
                turn["a"] += piece
            yield to_messages(turns), turns
    except RagError as exc:
        turn["a"] = str(exc)
    except Exception:
        log.exception("回答失败")
        turn["a"] = "抱歉，服务器处理这个问题时出错了，请稍后再试。"
    yield to_messages(turns), turns


def followed_region(turns: list[dict], region: str | None, locked: bool, docs) -> str | None:
    """The region a follow-up should keep: the one the last answer was about, when it differs from the page's
    region (a place named in the question won over the preset). None when the page's region stays: locked
    widget, a refusal, an answer about several regions, or no change."""
    answer = (turns[-1] if turns else {}).get("answer") or {}
    slug = answer.get("region")
    if locked or answer.get("refused") or len(set(answer.get("regions") or [slug])) > 1:
        return None
    return slug if slug in docs and slug != region else None


def region_choices(answerer) -> list[tuple[str, str]]:
    return [(ui_text.AUTO_LABEL, AUTO)] + [(d.region_name, slug) for slug, d in answerer.docs.items()]


@dataclass(frozen=True)
class PageSetup:
    """What the page's query string (?embed=1&region=qingdao&lock=1) decides, read once on load."""

    embed: bool
    region: str  # a covered slug or AUTO
    locked: bool
    unknown: str = ""  # a region value that named no covered region (said on the page, not silently dropped)

    @classmethod
    def from_params(cls, params: dict, docs) -> PageSetup:
        asked = str(params.get("region") or "")[:MAX_PARAM].strip()
        region = resolve_region(asked, docs) if asked and asked != AUTO else None
        truthy = ("1", "true")
        unknown = asked if asked and asked != AUTO and region is None else ""
        region = region or AUTO
        return cls(
            params.get("embed") in truthy, region, params.get("lock") in truthy and region != AUTO, unknown
        )

    def greeting(self, docs) -> str:
        text = ui_text.greeting(docs[self.region].region_name if self.region != AUTO else None, self.locked)
        if self.unknown:
            text = ui_text.region_unknown(self.unknown) + "\n\n" + text
        return text

    def examples(self, docs) -> list[str]:
        return ui_text.examples(docs[self.region].short_name if self.region != AUTO else None)


def _chat_column(answerer):
    """The chat: log, example buttons (sent on click), input. Returns the components the events need."""
    chatbot = gr.Chatbot(
        label=ui_text.CHAT_LABEL,
        show_label=False,
        elem_id="rag-chat",
        scale=1,
        min_height=200,
        autoscroll=False,  # chat.js scrolls to the START of each new answer instead of to the bottom
        sanitize_html=True,
        render_markdown=True,
        latex_delimiters=[],
        feedback_options=feedback_options(answerer),
        allow_tags=False,
        buttons=["copy"],
        allow_file_downloads=False,
        placeholder=ui_text.greeting(None),
    )
    with gr.Row(elem_id="rag-examples", equal_height=False) as examples_row:
        buttons = [
            gr.Button(q, size="sm", variant="secondary", elem_classes=["rag-example"], min_width=0)
            for q in ui_text.examples(None)
        ]
    box = gr.Textbox(
        label=ui_text.INPUT_LABEL,
        placeholder=ui_text.INPUT_PLACEHOLDER,
        show_label=False,
        max_lines=4,
        max_length=ui_text.MAX_CHARS,
        elem_id="rag-input",
        submit_btn=ui_text.SEND_LABEL,
        autofocus=False,  # chat.js focuses it on a top-level page; autofocus in a cross-origin frame is an error
    )
    return chatbot, examples_row, buttons, box


def _page_loader(current):
    """The page's load event: region, lock, header, placeholder and examples from the URL (?region=…&lock=1)."""

    def on_load(request: gr.Request):
        docs = current().docs
        setup = PageSetup.from_params(dict(getattr(request, "query_params", {}) or {}), docs)
        return (
            setup.region,
            "1" if setup.locked else "",
            gr.update(visible=not setup.embed),
            gr.update(placeholder=setup.greeting(docs)),
            *[gr.update(value=q) for q in setup.examples(docs)],
        )

    return on_load


def build_app(answerer, config=None, limiter=None) -> gr.Blocks:
    """answerer: an answerer, or an object with `.current` (the reload holder) read at every question."""
    current = (lambda: answerer.current) if hasattr(answerer, "current") else (lambda: answerer)
    networks = getattr(config, "networks", ())
    max_history = getattr(config, "max_history", 20)

    def chat(message, turns, region, locked, request: gr.Request):
        if is_blank(message):  # nothing to do: no bubble, the box keeps what it had
            yield to_messages(list(turns or [])), turns, gr.skip(), gr.skip()
            return
        peer = getattr(getattr(request, "client", None), "host", None)
        key = client_ip(peer, (getattr(request, "headers", None) or {}).get("x-forwarded-for"), networks)
        # `rag serve` passes no limiter: there the event was counted when it joined the queue
        # (limits.RequestGuard, which answers 429 before any work); a page built alone counts here
        if limiter is not None:
            wait = limiter.check(key)
            if wait:
                turns = cap_turns(list(turns or []) + [{"q": "", "a": limiter.message(wait), "answer": None}])
                yield to_messages(turns), turns, "", gr.skip()
                return
        answerer_ = bind(current(), chat_channel(request), key)  # question log: channel and hashed address
        referer = (getattr(request, "headers", None) or {}).get("referer")
        region, locked = effective_region(
            region, locked, referer, answerer_.docs
        )  # per request (region_lock)
        new_turns, msgs = turns, None
        for msgs, new_turns in respond(answerer_, message, turns, region, max_history, locked):
            yield msgs, new_turns, "", gr.skip()
        followed = followed_region(new_turns, region, locked, answerer_.docs)
        if followed:  # the select shows the region answered, and the next follow-up stays there
            # the whole final state again: an event's last message is what API clients read as its result
            yield msgs if msgs is not None else gr.skip(), new_turns, "", followed

    def show_compare():
        return render_compare(current())

    on_load = _page_loader(current)

    with gr.Blocks(title=ui_text.SITE_TITLE, fill_height=True, analytics_enabled=False) as demo:
        with gr.Row(elem_id="rag-top", equal_height=True):
            header = gr.Markdown(ui_text.HEADER, elem_id="rag-header")
            # the value behind the compact native <select> that chat.js puts in #rag-top (a Gradio Dropdown opens
            # its list on Tab and leaves a stray item over the chat)
            region = gr.Textbox(AUTO, visible="hidden", elem_id="rag-region", label="region")
            # the region lock travels with every question (the browser holds it): region_lock.py
            locked = gr.Textbox("", visible="hidden", elem_id="rag-lock", label="lock")
        turns = gr.State([])
        with gr.Tabs(elem_id="rag-tabs"):
            with gr.Tab(ui_text.TAB_CHAT, elem_id="rag-tab-chat", scale=1):
                chatbot, _, buttons, box = _chat_column(answerer)
                attach_feedback(chatbot, turns, answerer)  # 👍/👎 reach the database (rag/server/feedback.py)
            with gr.Tab(ui_text.TAB_COMPARE, elem_id="rag-tab-compare") as compare_tab:
                compare = gr.Markdown(elem_id="rag-compare", sanitize_html=True, latex_delimiters=[])
            with gr.Tab(TAB_ELIGIBILITY, elem_id="rag-tab-eligibility"):
                build_eligibility_tab(current)  # 我能享受什么 (issue 24): rag/server/eligibility_tab.py
        compare_tab.select(show_compare, None, compare, api_visibility="private")
        # the log's 🗑 also forgets the dialogue, so the next question does not bring the old turns back
        chatbot.clear(lambda: [], None, turns, api_visibility="private")
        box.submit(
            chat,
            [box, turns, region, locked],
            [chatbot, turns, box, region],
            api_visibility="private",
            show_progress="minimal",
        )
        for button in buttons:
            button.click(
                chat,
                [button, turns, region, locked],
                [chatbot, turns, box, region],
                api_visibility="private",
                show_progress="minimal",
            )
        demo.load(
            on_load, None, [region, locked, header, chatbot, *buttons], api_visibility="private"
        )  # queued: /run/ is blocked
    return demo
