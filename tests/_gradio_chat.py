"""A minimal Gradio 6 queue client over plain HTTP (what the chat page's JavaScript does): join the queue, then
read the session's event stream until the event completes. Used by the real-server tests and the soak."""

from __future__ import annotations

import json
import secrets

import httpx


def chat_fn(url: str, client: httpx.Client | None = None) -> int:
    """The id of the chat function (the first event with four outputs: chatbot, state, textbox, region)."""
    cfg = (client or httpx).get(url + "/config", timeout=30).json()
    return next(d["id"] for d in cfg["dependencies"] if len(d.get("outputs", [])) == 4)


def join(client: httpx.Client, url: str, fn: int, message: str, session: str, region: str = "auto"):
    # the page's chat inputs: question box, turns (State: the server keeps it), region Textbox, lock (State)
    body = {"data": [message, None, region, None], "event_data": None, "fn_index": fn, "trigger_id": None}
    return client.post(url + "/gradio_api/queue/join", json={**body, "session_hash": session}, timeout=30)


def ask(
    client: httpx.Client, url: str, fn: int, message: str, session: str | None = None
) -> tuple[int, dict]:
    """(status of the join, the completed event's message or {}); the SSE size is in result["_bytes"]."""
    session = session or secrets.token_hex(8)
    r = join(client, url, fn, message, session)
    if r.status_code != 200:
        return r.status_code, {"detail": r.json().get("detail"), "headers": dict(r.headers)}
    size = 0
    with client.stream(
        "GET", url + "/gradio_api/queue/data", params={"session_hash": session}, timeout=60
    ) as s:
        for line in s.iter_lines():
            size += len(line)
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return 200, {**msg, "_bytes": size}
    return 200, {"_bytes": size}
