"""/answer/<id>: the full answer behind a chat bubble's link, with every cited clause in full and 👍/👎.

A bubble holds 2,048 bytes; the page holds the rest. It is plain server-rendered HTML (every value escaped, no
script), kept for a week in the shared values, and its two buttons are ordinary forms posting to this server,
so they work inside WeChat's built-in browser."""

from __future__ import annotations

import html
import json
import re

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from ..contract import ApiError
from ..feedback import limit_feedback, store_feedback
from . import messages as M

_ID = re.compile(r"[0-9a-f]{32}")
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:42rem;margin:1rem auto;padding:0 1rem;line-height:1.7}"
    "blockquote{margin:.5rem 0;padding:.5rem .8rem;background:#f5f5f5;border-left:3px solid #888}"
    "button{font-size:1.1rem;margin-right:.8rem;padding:.3rem .9rem}.q{color:#555}"
)


def load(values, answer_id: str) -> dict:
    raw = values.get("wx:answer:" + answer_id) if _ID.fullmatch(answer_id or "") else None
    if not raw:
        raise ApiError(404, M.ANSWER_GONE)
    return json.loads(raw)


def render(page: dict, note: str = "") -> str:
    e = html.escape
    paragraphs = "".join(f"<p>{e(line)}</p>" for line in page.get("answer", "").split("\n") if line.strip())
    cites = "".join(
        f"<h3>[{int(c.get('rank', 0))}] {e(c.get('region_name', ''))}《{e(c.get('doc_title', ''))}》</h3>"
        f"<p class=q>{e(c.get('section', ''))}</p><blockquote>{e(c.get('text', ''))}</blockquote>"
        for c in page.get("citations", [])
    )
    action = f"/answer/{page['answer_id']}/feedback"
    rate = (
        f'<form method="post" action="{e(action)}"><p>{e(M.RATE_PROMPT)}</p>'
        '<button name="rating" value="up">👍 有帮助</button><button name="rating" value="down">👎 没帮助</button></form>'
        if page.get("logged") and not note
        else ""
    )
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{e(M.PAGE_TITLE)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{e(M.PAGE_TITLE)}</h1>"
        f"<p class=q>问：{e(page.get('question', ''))}</p>{paragraphs}<h2>{e(M.PAGE_SOURCES)}</h2>{cites}"
        f"{f'<p><b>{e(note)}</b></p>' if note else ''}{rate}</body></html>"
    )


def router() -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/answer/{answer_id}")
    def show(answer_id: str, request: Request):
        return HTMLResponse(render(load(request.app.state.limits.values, answer_id)))

    @r.post("/answer/{answer_id}/feedback")
    def rate(answer_id: str, request: Request, rating: str = Form("", max_length=8)):
        limit_feedback(request)
        page = load(request.app.state.limits.values, answer_id)
        store_feedback(getattr(request.app.state, "ops", None), answer_id, rating, None)
        return HTMLResponse(render(page, note=M.THANKS))

    return r
