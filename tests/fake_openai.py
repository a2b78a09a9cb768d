"""A real local HTTP server speaking the OpenAI chat-completions protocol, with scripted replies (tests only).

    with FakeOpenAI() as srv:          # 127.0.0.1, a free port
        srv.script(Reply("北京 … [1]"), Reply(status=500), Reply(garbage=True), Reply("…", delay=3))
        ... ChatOpenAI(base_url=srv.base_url, ...) ...
        srv.requests[-1]["messages"]    # what the client sent

Each request takes the next scripted reply (the last one repeats). A reply may also be a callable
request_json -> Reply, to answer from what was sent. `stream: true` requests get server-sent events, the
content cut into small pieces.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    garbage: bool = False  # 200 with a body that is not JSON
    delay: float = 0.0  # seconds before anything is sent
    piece: int = 4  # characters per streamed chunk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):  # /v1/models, for completeness
        self._json(
            200, {"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "tests"}]}
        )

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            req = json.loads(body)
        except ValueError:
            req = {"_raw": body.decode("utf-8", "replace")}
        req["_path"], req["_auth"] = self.path, self.headers.get("Authorization", "")
        self.server.fake.requests.append(req)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            return self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
        reply = self.server.fake.next_reply(req)
        if reply.delay and self.server.fake.stopping.wait(reply.delay):
            return
        if reply.status != 200:
            return self._json(
                reply.status, {"error": {"message": "scripted failure", "type": "server_error"}}
            )
        if reply.garbage:
            return self._raw(200, b"<html>this is not an OpenAI reply{", "application/json")
        if req.get("stream"):
            return self._stream(req, reply)
        self._json(
            200,
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": req.get("model", ""),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            },
        )

    def _stream(self, req, reply: Reply):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        base = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": req.get("model", ""),
        }
        pieces = [reply.content[i : i + reply.piece] for i in range(0, len(reply.content), reply.piece)]
        deltas = [{"role": "assistant", "content": ""}] + [{"content": p} for p in pieces]
        for d in deltas:
            self._event({**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]})
        self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _event(self, obj) -> None:
        self.wfile.write(b"data: " + json.dumps(obj, ensure_ascii=False).encode() + b"\n\n")
        self.wfile.flush()

    def _json(self, status: int, obj) -> None:
        self._raw(status, json.dumps(obj, ensure_ascii=False).encode(), "application/json")

    def _raw(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeOpenAI


class FakeOpenAI:
    def __init__(self):
        self.requests: list[dict] = []
        self._script: list = [Reply("")]
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-openai")

    def script(self, *replies) -> FakeOpenAI:
        """Replies for the next requests, in order; the last one answers every request after that."""
        with self._lock:
            self._script = list(replies) or [Reply("")]
        return self

    def next_reply(self, req) -> Reply:
        with self._lock:
            r = self._script.pop(0) if len(self._script) > 1 else self._script[0]
        return r(req) if callable(r) else r

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
