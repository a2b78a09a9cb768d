"""Issue 12 against the real `rag serve` process: bounded bodies (chunked too), bounded chat state, the queue join
rate-limited, deep links gone, Gradio internals answering 4xx without tracebacks, the admin throttle, forwarded
headers ignored from strangers, slow and surplus connections cut, invisible characters stripped."""

from __future__ import annotations

import json
import secrets
import select
import socket
import time
from pathlib import Path

import httpx
import pytest
from _gradio_chat import ask, chat_fn, join
from _live_server import rag_serve_process

pytestmark = pytest.mark.slow
Q = "青岛育儿假有几天？"
INVISIBLE = ["\ufe0f", "\U000e0100", "\u3164", "\u115f", "\u00ad", "\u180e"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One `rag serve` with production defaults except short timeouts, few connections per address and an
    admin token; its log goes to a file the tests read."""
    log = tmp_path_factory.mktemp("serve") / "stderr.log"
    env = {
        "RAG_ADMIN_TOKEN": "correct-horse",
        "RAG_HEADER_TIMEOUT": "2",
        "RAG_BODY_TIMEOUT": "3",
        "RAG_MAX_CONNECTIONS_PER_IP": "8",
        "RAG_RATE_LIMIT": "10",
    }
    with open(log, "w") as err, rag_serve_process(env, stderr=err) as (url, proc):
        yield url, proc, log


def client(n: int, timeout: float = 60) -> httpx.Client:
    """A client connecting from 127.0.0.n: each test is its own address, so per-address limits do not leak
    between tests (Linux routes all of 127/8 to loopback)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=f"127.0.0.{n}"), timeout=timeout)


def _host_port(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def _read_response(sock: socket.socket, timeout: float = 10) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = [ln for ln in head.lower().split(b"\r\n") if ln.startswith(b"content-length:")]
                if length and len(body) >= int(length[0].split(b":")[1]):
                    break
    except (ConnectionResetError, TimeoutError):
        pass
    return data


@pytest.mark.parametrize("path", ["/api/ask", "/v1/chat/completions", "/gradio_api/queue/join"])
def test_chunked_20mb_body_refused_before_it_is_read_whole(served, path):
    url, _, _ = served
    total, sent, chunk = 20 * 1024 * 1024, 0, b"x" * 65536
    with socket.create_connection(_host_port(url), timeout=30) as s:
        s.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        while sent < total:
            if select.select([s], [], [], 0)[0]:  # the server answered before the body ended
                break
            try:
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        data = _read_response(s)
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert sent < total // 4, f"{sent} bytes were accepted before the refusal"
    body = json.loads(data.partition(b"\r\n\r\n")[2])
    message = body["error"]["message"] if path.startswith("/v1/") else body["detail"]
    assert "请求体过大" in message


def test_thirty_60kb_chat_events_keep_memory_and_replies_bounded(served):
    url, proc, _ = served
    big = "长" * 20000  # 60 KB in UTF-8, under the body cap; rejected as a question
    # one chat session; its events come from four addresses (10 each at most) because this server allows 10 events a
    # minute per address: the bound under test is the session's, not the rate limit's
    clients = [client(10 + k) for k in range(4)]
    try:
        c = clients[0]
        fn = chat_fn(url, c)
        session = secrets.token_hex(8)
        assert ask(c, url, fn, Q, session)[0] == 200  # settle allocations before the baseline
        rss0, sizes = rss_mb(proc.pid), []
        for i in range(30):
            status, msg = ask(clients[(i + 1) // 10], url, fn, big, session)
            assert status == 200, msg
            sizes.append(msg["_bytes"])
            assert big not in json.dumps(msg["output"], ensure_ascii=False)  # rejected input is not kept
        growth = rss_mb(proc.pid) - rss0
    finally:
        for c in clients:
            c.close()
    assert growth < 20, f"server memory grew by {growth:.1f} MB"
    assert max(sizes) < 64 * 1024 and sizes[-1] <= sizes[20] * 1.05, sizes  # what is sent back stops growing


def test_queue_flood_from_one_address_gets_429_while_another_is_answered(served):
    url, _, _ = served
    with httpx.Client(timeout=30) as flood:
        fn = chat_fn(url, flood)
        codes = [join(flood, url, fn, Q, secrets.token_hex(8)) for _ in range(150)]
    refused = [r for r in codes if r.status_code == 429]
    assert len(refused) >= 130, [r.status_code for r in codes]
    assert all(int(r.headers["retry-after"]) >= 1 and "请" in r.json()["detail"] for r in refused)
    with client(2) as other:
        start = time.monotonic()
        status, msg = ask(other, url, fn, Q)
        took = time.monotonic() - start
    assert status == 200 and "10天" in json.dumps(msg["output"], ensure_ascii=False)
    assert took < 1.0, f"another address waited {took:.2f} s"


def test_deep_link_route_is_gone(served):
    url, _, _ = served
    with client(5) as c:
        fn = chat_fn(url, c)
        session = secrets.token_hex(8)
        assert ask(c, url, fn, "【官方通知】请填写银行卡信息", session)[0] == 200
        for path in (
            "/gradio_api/deep_link",
            "/gradio_api/deep_link/",
            "/GRADIO_API/deep_link",
            "//gradio_api/deep_link",
        ):
            r = c.get(url + path, params={"session_hash": session})
            assert r.status_code == 404 and r.json()["detail"] == "未找到该地址。", path


def test_gradio_internals_answer_4xx_without_tracebacks(served):
    url, _, log = served
    with client(6) as c:
        fn = chat_fn(url, c)
        join_url = url + "/gradio_api/queue/join"
        calls = [
            c.post(join_url, json={"data": [Q, None, "auto"], "fn_index": 9999, "session_hash": "abc"}),
            c.post(join_url, json={"data": [Q, None, "auto"], "fn_index": fn}),
            c.post(join_url, json={"data": "x", "fn_index": fn, "session_hash": "abc"}),
            c.post(join_url, json={"data": [], "fn_index": "1", "session_hash": "abc"}),
            c.post(join_url, json={"data": [], "fn_index": fn, "session_hash": "a" * 500}),
            c.post(join_url, json={"data": [], "fn_index": fn, "session_hash": "abc"}),
            c.post(join_url, json={"data": [Q] * 10, "fn_index": fn, "session_hash": "abc"}),
            c.post(join_url, json=[]),
            c.post(join_url, content=b"\xff\xfe", headers={"content-type": "application/json"}),
            c.post(join_url, content=b"[" * 20000, headers={"content-type": "application/json"}),
            c.get(url + "/gradio_api/queue/data", params={"session_hash": "never-joined"}),
            c.get(url + "/gradio_api/queue/data"),
            c.post(url + "/gradio_api/cancel", json={}),
            c.post(url + "/gradio_api/reset", json={"event_id": 5}),
            c.post(
                url + "/gradio_api/component_server", json={"component_id": 9999, "fn_name": "x", "data": 1}
            ),
            c.post(url + "/gradio_api/component_server", json={"component_id": 1, "fn_name": "__init__"}),
            c.post(url + "/gradio_api/run/predict", json={"data": [Q, None, "auto"], "fn_index": fn}),
            c.post(url + "/gradio_api/info"),
            c.get(url + "/gradio_api/upload_progress", params={"upload_id": "x"}),
        ]
        # well-formed no-ops (cancelling an event that does not exist) may succeed, but never crash
        harmless = [
            c.post(url + "/gradio_api/cancel", json={"session_hash": "x", "fn_index": 9999, "event_id": "y"}),
            c.get(url + "/gradio_api/info", params={"page": "x" * 100}),
        ]
    assert all(r.status_code < 500 for r in harmless)
    for r in calls:
        assert 400 <= r.status_code < 500, (r.request.method, r.request.url, r.status_code, r.text[:200])
        body = r.json()
        assert isinstance(body["detail"], str) and any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])
    time.sleep(0.5)
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text and "Exception in ASGI" not in text, text[-3000:]


def test_crafted_chat_inputs_get_chinese_replies_without_tracebacks(served):
    url, _, log = served
    with client(8) as c:
        fn = chat_fn(url, c)
        r = c.post(
            url + "/gradio_api/queue/join",
            json={"data": [Q, None, "mars<b>", None], "fn_index": fn, "session_hash": secrets.token_hex(8)},
        )
        assert r.status_code == 422 and "mars" not in r.text and "可选列表" in r.json()["detail"]
        for data in ([Q, None, "auto", "yes"], [Q, None, 7, None], [Q, None, "qingdao", 1]):
            r = c.post(
                url + "/gradio_api/queue/join",
                json={"data": data, "fn_index": fn, "session_hash": secrets.token_hex(8)},
            )
            assert r.status_code == 422 and "可选列表" in r.json()["detail"], data
        for data, words in (
            ([None, None, "auto", ""], "必须是文字"),  # the lock is a hidden field: "" or "1"
            ([" ", None, "auto", None], None),  # whitespace only: nothing to do, no bubble (test_ui)
        ):
            session = secrets.token_hex(8)
            r = c.post(
                url + "/gradio_api/queue/join",
                json={"data": data, "fn_index": fn, "session_hash": session, "event_data": None},
            )
            assert r.status_code == 200
            with c.stream("GET", url + "/gradio_api/queue/data", params={"session_hash": session}) as s:
                done = next(
                    json.loads(line[5:])
                    for line in s.iter_lines()
                    if line.startswith("data:") and '"process_completed"' in line
                )
            text = json.dumps(done["output"], ensure_ascii=False)
            assert done["success"] and "mars" not in text, text[:300]
            assert words in text if words else done["output"]["data"][0] == [], text[:300]
    time.sleep(0.5)
    assert "Traceback" not in log.read_text(encoding="utf-8")


def test_wrong_admin_tokens_are_throttled(served):
    url, _, _ = served
    with client(7) as c:
        codes = [
            c.post(url + "/admin/reload", headers={"Authorization": f"Bearer guess-{i}"}).status_code
            for i in range(50)
        ]
        assert codes[0] == 403 and codes.count(429) >= 40, codes
        r = c.post(url + "/admin/reload", headers={"Authorization": "Bearer correct-horse"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1  # even the right token waits now
    assert "管理令牌错误次数过多" in r.json()["detail"]


def test_admin_token_needs_bearer(served):
    url, _, _ = served
    with client(3) as other:
        for headers in ({"Authorization": "correct-horse"}, {"X-Admin-Token": "correct-horse"}, {}):
            assert other.post(url + "/admin/reload", headers=headers).status_code == 403
        ok = other.post(url + "/admin/reload", headers={"Authorization": "Bearer correct-horse"})
        assert ok.status_code == 202


def test_spoofed_forwarded_host_does_not_change_the_page_root(served):
    url, _, _ = served
    spoof = {
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
        "Forwarded": "host=evil.example",
    }
    cfg = httpx.get(url + "/config", headers=spoof).json()
    assert cfg["root"].rstrip("/") == url, cfg["root"]
    page = httpx.get(url + "/", headers={**spoof, "accept": "text/html"}).text
    assert "evil.example" not in page


def test_slow_header_client_is_disconnected_within_the_timeout(served):
    url, _, _ = served
    with socket.create_connection(_host_port(url), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        start, closed = time.monotonic(), False
        while time.monotonic() - start < 8:
            try:
                s.sendall(b"X-Drip: 1\r\n")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if select.select([s], [], [], 0.25)[0]:
                try:
                    closed = s.recv(1024) == b""  # end of stream: the server hung up
                except ConnectionResetError:
                    closed = True  # hung up with a reset: disconnected as well
                break
        took = time.monotonic() - start
    assert closed and took < 2 + 1.5, f"still open after {took:.1f} s"


def test_idle_and_surplus_connections_are_bounded(served):
    url, _, _ = served
    socks = [socket.create_connection(_host_port(url), timeout=10) for _ in range(8)]
    try:
        extra = socket.create_connection(_host_port(url), timeout=10)
        with extra:
            data = _read_response(extra)
        assert data.startswith(b"HTTP/1.1 429"), data[:100]
        assert "连接过多" in json.loads(data.partition(b"\r\n\r\n")[2])["detail"]
        time.sleep(3)  # silent connections are closed after the header timeout
        for s in socks:
            s.settimeout(2)
            assert s.recv(10) == b""
    finally:
        for s in socks:
            s.close()
    assert httpx.get(url + "/healthz").status_code == 200  # the address may connect again


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_are_stripped(served, ch):
    url, _, _ = served
    with client(20 + INVISIBLE.index(ch)) as c:
        r = c.post(url + "/api/search", json={"question": ch * 3, "k": 1})
        assert r.status_code == 422 and "不能为空" in r.json()["detail"]
        r = c.post(url + "/api/search", json={"question": f"青{ch}岛育儿假{ch}有几天？", "k": 1})
        assert r.status_code == 200 and r.json()["region_detected"] == "qingdao"


@pytest.mark.parametrize(
    "parts",
    [[b"GARBAGE\r\n\r\n"], [b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000, b"\r\n\r\n"]],
    ids=["malformed", "oversized-head"],
)
def test_unparseable_requests_get_the_json_contract(served, parts):
    url, _, _ = served
    with socket.create_connection(_host_port(url), timeout=10) as s:
        for part in parts:  # an unfinished 40 KB head is over the 16 KB bound while it waits for its end
            try:
                s.sendall(part)
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.3)
        data = _read_response(s)
    assert data.startswith(b"HTTP/1.1 400"), data[:100]
    assert "请求格式错误" in json.loads(data.partition(b"\r\n\r\n")[2])["detail"]
