"""The Gradio chat page. Handler logic is plain functions over plain data (testable without a server);
build_app only wires them to components.

Every piece of text shown — the question, the answer, clause text — goes through `escape`, which turns
HTML and Markdown syntax into character references: `<script>`, `<img onerror=…>` and `![](http://…)`
display as the characters typed, and the Chatbot's own sanitiser stays on as a second fence.
"""

from __future__ import annotations

import logging
import re

import gradio as gr

from ..errors import InputError, RagError
from ..models import Answer
from .security import clean_history, clean_text, client_ip

log = logging.getLogger("rag.server")
AUTO = "auto"
EXAMPLES = [
    "青岛育儿假有几天？",
    "北京生育津贴怎么领取？",
    "重庆对三孩家庭有什么住房支持？",
    "通化婚假多少天？",
]
# HTML, links/images, emphasis, code, tables, math, and ":" "." "@" so no bare URL/e-mail becomes an autolink
_SPECIAL = re.compile(r"[\\`*_\[\]()#|~<>$&!:.@]")


def escape(text: str) -> str:
    """Text as inert Markdown/HTML: every syntax character becomes a numeric character reference."""
    return _SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text or "")


def _marked(text: str, sentences: list[str]) -> str:
    """Clause text, escaped, with the quoted sentences wrapped in <mark>."""
    spans = sorted((i, i + len(s)) for s in sentences if s and (i := text.find(s)) >= 0)
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            start = pos
        if start >= end:
            continue
        out += [escape(text[pos:start]), "<mark>", escape(text[start:end]), "</mark>"]
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def render_citations(answer: dict) -> str:
    """Citation cards (one line of HTML, so Markdown never re-enters it)."""
    cards = []
    for c in answer.get("citations", []):
        draft = '<span class="rag-draft">征求意见稿</span>' if "征求意见" in c.get("status", "") else ""
        cards.append(
            f'<div class="rag-cite"><div class="rag-cite-head"><span class="rag-n">[{int(c["rank"])}]</span> '
            f'<b class="rag-region">{escape(c["region_name"])}</b> 《{escape(c["doc_title"])}》{draft}</div>'
            f'<div class="rag-sec">{escape(c["section"])}</div>'
            f'<div class="rag-text">{_marked(c["text"], c.get("highlights", []))}</div></div>'
        )
    return f'<div class="rag-cites">{"".join(cards)}</div>' if cards else ""


def render_turn(turn: dict) -> list[dict]:
    body = escape(turn["a"])
    if turn.get("answer"):
        body += "\n\n" + render_citations(turn["answer"])
    asked = [{"role": "user", "content": escape(turn["q"])}] if turn["q"] else []  # rejected input: not shown
    return [*asked, {"role": "assistant", "content": body}]


def to_messages(turns: list[dict]) -> list[dict]:
    return [m for t in turns for m in render_turn(t)]


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


def respond(answerer, message, turns, region=None, max_history: int = 20):
    """Yields (chat messages, turns) as the answer streams in; bad input becomes a reply, not an exception.
    Rejected input is neither kept nor shown again: only the sentence saying why it was rejected."""
    turns = cap_turns(turns or [])
    region = region if region and region != AUTO and region in answerer.docs else None
    try:
        q = clean_text(message)
    except InputError as exc:
        turns.append({"q": "", "a": str(exc), "answer": None})
        yield to_messages(turns), turns
        return
    turn = {"q": q, "a": "", "answer": None}
    turns = cap_turns([*turns, turn])
    yield to_messages(turns), turns
    try:
        for piece in answerer.stream(
            q, region=region, history=clean_history(history_of(turns[:-1]), max_history)
        ):
            if isinstance(piece, Answer):
                turn["a"], turn["answer"] = piece.answer, piece.to_dict()
            else:
                turn["a"] += piece
            yield to_messages(turns), turns
    except RagError as exc:
        turn["a"] = str(exc)
    except Exception:
        log.exception("回答失败")
        turn["a"] = "抱歉，服务器处理这个问题时出错了，请稍后再试。"
    yield to_messages(turns), turns


def region_choices(answerer) -> list[tuple[str, str]]:
    return [("自动识别", AUTO)] + [(d.region_name, slug) for slug, d in answerer.docs.items()]


def build_app(answerer, config=None, limiter=None) -> gr.Blocks:
    """answerer: an answerer, or an object with `.current` (the reload holder) read at every question."""
    current = (lambda: answerer.current) if hasattr(answerer, "current") else (lambda: answerer)
    networks = getattr(config, "networks", ())
    max_history = getattr(config, "max_history", 20)

    def chat(message, turns, region, request: gr.Request):
        # `rag serve` passes no limiter: there the event was counted when it joined the queue
        # (limits.RequestGuard, which answers 429 before any work); a page built alone counts here
        if limiter is not None:
            peer = getattr(getattr(request, "client", None), "host", None)
            key = client_ip(peer, (getattr(request, "headers", None) or {}).get("x-forwarded-for"), networks)
            wait = limiter.check(key)
            if wait:
                turns = cap_turns(list(turns or []) + [{"q": "", "a": limiter.message(wait), "answer": None}])
                yield to_messages(turns), turns, ""
                return
        for msgs, new_turns in respond(current(), message, turns, region, max_history):
            yield msgs, new_turns, ""

    def on_load(request: gr.Request):
        params = dict(getattr(request, "query_params", {}) or {})
        embed = params.get("embed") in ("1", "true")
        region = params.get("region") if params.get("region") in current().docs else AUTO
        return gr.update(value=region), gr.update(visible=not embed)

    with gr.Blocks(title="生育政策问答", fill_height=True, analytics_enabled=False) as demo:
        header = gr.Markdown(
            "## 生育政策问答\n根据各地《优化生育政策促进人口长期均衡发展》实施方案作答，每个回答都附有原文出处。",
            elem_id="rag-header",
        )
        turns = gr.State([])
        region = gr.Dropdown(
            region_choices(current()),
            value=AUTO,
            label="地区",
            elem_id="rag-region",
            interactive=True,
            filterable=False,
        )
        chatbot = gr.Chatbot(
            label="对话",
            show_label=False,
            elem_id="rag-chat",
            height="60vh",
            min_height=260,
            sanitize_html=True,
            render_markdown=True,
            latex_delimiters=[],
            feedback_options=None,
            allow_tags=False,
            buttons=["copy"],
            allow_file_downloads=False,
            placeholder="您好！请问您想了解哪个地区的生育支持政策？例如婚假、产假、育儿假、生育补贴、托育服务。",
        )
        with gr.Row(equal_height=True):
            box = gr.Textbox(
                placeholder="输入问题，例如：青岛育儿假有几天？",
                show_label=False,
                scale=5,
                max_lines=4,
                max_length=500,
                elem_id="rag-input",
                submit_btn="发送",
                autofocus=True,
            )
        gr.Examples(
            EXAMPLES,
            inputs=box,
            label="示例问题",
            elem_id="rag-examples",
            api_visibility="private",
            cache_examples=False,  # nothing written to disk
        )
        box.submit(
            chat,
            [box, turns, region],
            [chatbot, turns, box],
            api_visibility="private",
            show_progress="minimal",
        )
        demo.load(on_load, None, [region, header], api_visibility="private")  # queued: /run/ is blocked
    return demo
