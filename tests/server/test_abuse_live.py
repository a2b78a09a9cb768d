"""Issue 28 from outside, against a real uvicorn server on 127.0.0.1 (the transport `rag serve` uses): Gradio's
internal endpoints closed, chat sessions bounded per client and not evictable by others, the widget's region
lock decided by every request, the Host header never reflected, the admin throttle untouchable by visitors,
WebSocket upgrades never a lasting lock-out, admin inputs typed (4xx, never 5xx), pipelined requests answered."""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from contextlib import contextmanager

import httpx
import pytest
from _gradio_chat import chat_fn
from _live_server import answerer, free_port

from rag.server import create_app
from rag.server.config import ServerConfig

pytestmark = pytest.mark.slow  # real servers, the real answerer
BEIJING_Q = "北京产假多少天？"
TOKEN = "correct-horse-battery-staple"
WIDGET = "https://www.example.gov.cn"


@contextmanager
def served(**overrides):
    """`rag serve`'s app and uvicorn options (guarded protocol, no WebSocket) on a free loopback port."""
    import uvicorn

    from rag.server.transport import uvicorn_options

    config = ServerConfig(**{"rate_limit": 0, **overrides})
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(answerer(), config),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            **uvicorn_options(config),
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def chat(client, url, fn, message, session, *, region="auto", lock=None, headers=None) -> tuple[int, str]:
    """One chat question through the queue, as the page sends it; (join status, the completed output as text)."""
    body = {"data": [message, None, region, lock], "event_data": None, "fn_index": fn, "trigger_id": None}
    r = client.post(
        url + "/gradio_api/queue/join", json={**body, "session_hash": session}, headers=headers or {}
    )
    if r.status_code != 200:
        return r.status_code, r.text
    with client.stream(
        "GET", url + "/gradio_api/queue/data", params={"session_hash": session}, headers=headers or {}
    ) as s:
        for line in s.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return 200, json.dumps(msg.get("output"), ensure_ascii=False)
    return 200, ""


def _sends(url: str, raw: bytes, wait: float = 10.0) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as s:
        s.sendall(raw)
        data, deadline = b"", time.monotonic() + wait
        s.settimeout(1.0)
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                if data:
                    break
                continue
            if not chunk:
                break
            data += chunk
    return data


# ---- 1. sessions ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def proxied():
    """Behind a trusted proxy (127.0.0.1), so each test client is its own visitor by X-Forwarded-For."""
    with served(
        trusted_proxies=("127.0.0.1",),
        admin_token=TOKEN,
        allowed_origins=(WIDGET,),
    ) as url:
        yield url


def test_gradio_internal_endpoints_are_closed(proxied):
    with httpx.Client(timeout=30) as c:
        fn = chat_fn(proxied, c)
        calls = [
            c.post(proxied + "/gradio_api/component_server", json={"component_id": 9999, "fn_name": "x"}),
            c.post(
                proxied + "/gradio_api/component_server/",
                json={"component_id": 1, "fn_name": "x", "data": 1, "session_hash": "a"},
            ),
            c.post(proxied + "/gradio_api/run/predict", json={"data": [BEIJING_Q, None, "auto", None]}),
            c.post(proxied + "/gradio_api/run/predict/", json={"fn_index": fn, "data": []}),
            c.post(proxied + "/GRADIO_API//run/predict", json={}),
        ]
    for r in calls:
        assert r.status_code == 404, (r.request.url, r.status_code, r.text[:200])
        assert "未找到" in r.json()["detail"]


def test_a_session_flood_evicts_no_other_visitors_chat():
    victim, session = {"X-Forwarded-For": "10.0.0.1"}, secrets.token_hex(8)
    small = {"trusted_proxies": ("127.0.0.1",), "max_sessions": 20, "max_sessions_per_client": 5}
    with served(**small) as proxied, httpx.Client(timeout=60) as c:
        fn = chat_fn(proxied, c)
        assert chat(c, proxied, fn, "青岛育儿假有几天？", session, headers=victim)[0] == 200
        # one visitor opening 60 sessions only replaces its own (5 kept); many visitors then fill every slot:
        # new sessions are refused, nobody's live chat is pushed out
        flood = [
            c.post(
                proxied + "/gradio_api/queue/join",
                json={
                    "data": [" ", None, "auto", None],
                    "fn_index": fn,
                    "session_hash": secrets.token_hex(8),
                },
                headers={"X-Forwarded-For": f"10.9.0.{i}" if i >= 60 else "10.8.0.1"},
            ).status_code
            for i in range(90)
        ]
        assert set(flood) <= {200, 429} and flood[:60].count(200) == 60 and 429 in flood[60:], flood
        status, text = chat(c, proxied, fn, "那产假呢？", session, headers=victim)
    assert status == 200
    assert text.count('"role": "user"') >= 2, text[:500]  # the first turn is still in the session
    assert "10天" in text or "育儿假" in text


def test_the_region_lock_holds_without_any_session_state(proxied):
    """Fresh sessions (no page load, nothing stored on the server): the lock field, or the widget's address as
    Referer, each lock the answer to the widget's region."""
    widget_page = proxied + "/?embed=1&region=qingdao&lock=1"
    with httpx.Client(timeout=60) as c:
        fn = chat_fn(proxied, c)
        ip = {"X-Forwarded-For": "10.0.0.7"}
        _, free = chat(c, proxied, fn, BEIJING_Q, secrets.token_hex(8), region="qingdao", lock="", headers=ip)
        _, by_field = chat(
            c, proxied, fn, BEIJING_Q, secrets.token_hex(8), region="qingdao", lock="1", headers=ip
        )
        _, by_referer = chat(
            c,
            proxied,
            fn,
            BEIJING_Q,
            secrets.token_hex(8),
            region="auto",
            lock=None,
            headers={**ip, "Referer": widget_page},
        )
        bad = c.post(
            proxied + "/gradio_api/queue/join",
            json={"data": [BEIJING_Q, None, "qingdao", "yes"], "fn_index": fn, "session_hash": "s1"},
            headers=ip,
        )
    assert "rag-general" not in free and "北京" in free  # unlocked: Beijing's rule
    for text in (by_field, by_referer):
        assert "rag-general" in text, text[:400]  # the notice with the link to the general assistant
        assert "60天" not in text  # never the locked region's rule for another region's question
    assert bad.status_code == 422


# ---- 3. Host -----------------------------------------------------------------------------------------------------
def test_host_header_is_never_reflected_without_a_public_url(proxied):
    evil = {"Host": "evil.example", "accept": "text/html"}
    page = httpx.get(proxied + "/", headers=evil).text
    cfg = httpx.get(proxied + "/config", headers={"Host": "evil.example"}).json()
    assert "evil.example" not in page and "evil.example" not in cfg["root"], cfg["root"]
    assert 'content="/ui/share.png"' in page  # relative without RAG_PUBLIC_URL


def test_urls_come_from_rag_public_url():
    with served(public_url="https://zc.example.gov.cn") as url:
        page = httpx.get(url + "/", headers={"Host": "evil.example", "accept": "text/html"}).text
        cfg = httpx.get(url + "/config", headers={"Host": "evil.example"}).json()
    assert "evil.example" not in page
    assert 'content="https://zc.example.gov.cn/ui/share.png"' in page
    assert cfg["root"] == "https://zc.example.gov.cn"


# ---- 4. admin throttle and WebSocket -------------------------------------------------------------------------------
def test_anonymous_visitors_cannot_lock_the_operator_out(proxied):
    with httpx.Client(timeout=30) as c:
        anon = [
            c.get(proxied + "/admin", headers={"X-Forwarded-For": "10.1.0.1"}).status_code for _ in range(20)
        ]
        anon += [
            c.post(proxied + "/admin/reload", headers={"X-Forwarded-For": "10.1.0.1"}).status_code
            for _ in range(10)
        ]
        # a guesser with credentials locks out only its own address (behind the proxy: its real address)
        guesses = [
            c.get(
                proxied + "/admin/pins",
                headers={"X-Forwarded-For": "10.1.0.2", "Authorization": f"Bearer g{i}"},
            ).status_code
            for i in range(8)
        ]
        operator = c.get(
            proxied + "/admin/pins",
            headers={"X-Forwarded-For": "10.1.0.3", "Authorization": f"Bearer {TOKEN}"},
        )
        same_ip = c.get(
            proxied + "/admin/pins",
            headers={"X-Forwarded-For": "10.1.0.1", "Authorization": f"Bearer {TOKEN}"},
        )
    assert set(anon) <= {401, 403} and 429 not in anon
    assert guesses[:5] == [401] * 5 and 429 in guesses[5:]
    assert operator.status_code == 200 and same_ip.status_code == 200


def _basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_admin_failures_are_counted_per_credential_and_address(proxied):
    """Wrong passwords for one user name at address A: that pair alone is throttled. The operator signing in
    under another name at A, with the token at A, or from address B is let in; a guesser rotating names at one
    address meets the address-wide ceiling (20) and still never touches address B."""
    a, b, c = ({"X-Forwarded-For": ip} for ip in ("10.2.0.1", "10.2.0.2", "10.2.0.3"))
    with httpx.Client(timeout=30) as cl:

        def pins(headers, auth):
            return cl.get(proxied + "/admin/pins", headers={**headers, "Authorization": auth}).status_code

        guesses = [pins(a, _basic("admin", f"guess{i}")) for i in range(7)]
        same_pair = pins(a, _basic("admin", TOKEN))  # throttled pair: refused before the compare
        other_name = pins(a, _basic("operator", TOKEN))
        bearer_at_a = pins(a, f"Bearer {TOKEN}")
        at_b = pins(b, _basic("admin", TOKEN))
        rotated = [pins(c, _basic(f"user{i}", "wrong")) for i in range(24)]
        operator_at_b = pins(b, _basic("admin", TOKEN))
    assert guesses[:5] == [401] * 5 and guesses[5:] == [429, 429], guesses
    assert same_pair == 429
    assert (other_name, bearer_at_a, at_b, operator_at_b) == (200, 200, 200, 200)
    assert rotated[:20] == [401] * 20 and set(rotated[20:]) == {429}, rotated


def test_websocket_upgrades_are_requests_not_a_lasting_lock_out():
    with served(max_connections_per_ip=5) as url:
        host = url.removeprefix("http://")
        upgrade = (
            f"GET /gradio_api/queue/join HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        replies = [_sends(url, upgrade, wait=2) for _ in range(15)]  # three times the limit
        assert all(r.startswith(b"HTTP/1.1 4") for r in replies), {r[:40] for r in replies}
        assert not any(r.startswith(b"HTTP/1.1 101") for r in replies)
        time.sleep(0.5)
        assert httpx.get(url + "/healthz", timeout=10).status_code == 200  # not locked out


# ---- 5. shared limits ---------------------------------------------------------------------------------------------
@pytest.fixture()
def redis_url(tmp_path):
    import shutil
    import subprocess

    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed (scripts/sysdeps.sh installs it as root)")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            redis.Redis(port=port).ping()
            break
        except redis.RedisError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_feedback_limit_and_one_rating_per_client_hold_across_replicas(redis_url, tmp_path, monkeypatch):
    """Two replicas (two apps, one SQLite database, one real Redis): the feedback limit (10 a minute) is one
    limit, and an answer is rated once per client whichever replica is asked."""
    monkeypatch.setenv("RAG_DATABASE_URL", f"sqlite:///{tmp_path / 'rag.sqlite'}")
    shared = {"rate_limit": 10, "redis_url": redis_url, "trusted_proxies": ("127.0.0.1",)}
    with served(**shared) as a, served(**shared) as b, httpx.Client(timeout=60) as c:
        spam = {"X-Forwarded-For": "10.5.0.1"}
        codes = [
            c.post(
                (a, b)[i % 2] + "/api/feedback",
                json={"answer_id": f"{i:032x}", "rating": "down"},
                headers=spam,
            ).status_code
            for i in range(40)
        ]
        asked = c.post(
            a + "/api/ask", json={"question": "青岛育儿假有几天？"}, headers={"X-Forwarded-For": "10.5.0.2"}
        )
        answer_id = asked.json()["answer_id"]
        rate = {"answer_id": answer_id, "rating": "up"}
        first = c.post(a + "/api/feedback", json=rate, headers={"X-Forwarded-For": "10.5.0.3"})
        deadline = time.monotonic() + 15
        while True:  # replica b knows the answer once a's log writer stored it
            again = c.post(b + "/api/feedback", json=rate, headers={"X-Forwarded-For": "10.5.0.3"})
            if again.status_code != 404 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        other = c.post(b + "/api/feedback", json=rate, headers={"X-Forwarded-For": "10.5.0.4"})
    # one limit across both replicas: 10 pass (20 if each replica kept its own); an unknown id is looked up once
    # more after a batch window (~1 s, issue 27), so a token may refill meanwhile: at most 2 more pass
    assert codes.count(404) + codes.count(429) == 40 and 10 <= codes.count(404) <= 12, codes
    assert first.status_code == 200 and other.status_code == 200
    assert again.status_code == 409 and "已经评价过" in again.json()["detail"]


# ---- 6. status codes ----------------------------------------------------------------------------------------------
SINCE_FUZZ = [
    "99999d", "0d", "-1d", "2024-01-01T00:00+08:00", "0001-01-01", "9999-12-31T23:59:59", "%00", "1e9d",
    "x" * 5000, "2024-13-45", "７d", "all", "",
]  # fmt: skip


def test_admin_inputs_are_typed_and_bounded(proxied, tmp_path):
    auth = {"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": "10.6.0.1"}
    js = {**auth, "content-type": "application/json"}
    with httpx.Client(timeout=60) as c:
        responses = [
            c.post(proxied + f"/admin/pins/{2**70}/delete", headers=js, content=b"{}"),
            c.post(proxied + f"/admin/pins/{-(2**70)}/delete", headers=js, content=b"{}"),
            c.post(proxied + "/admin/pins/1e9/delete", headers=js, content=b"{}"),
            c.post(proxied + "/admin/pins", headers=js, content=b"[" * 30000),
            c.post(proxied + "/admin/pins", headers=js, content=b'{"a":' * 10000 + b"1" + b"}" * 10000),
            c.post(
                proxied + "/admin/pins",
                headers=js,
                content=b'{"question": "\\ud800", "answer": "x", "cite": ["a"]}',
            ),
            c.post(
                proxied + "/admin/pins",
                headers=js,
                content=b'{"question": "q", "answer": "\\udfff\\ud800", "cite": ["\\ud800"]}',
            ),
            c.post(proxied + "/admin/pins", headers=js, content=b'{"question": 1, "answer": [], "cite": {}}'),
            c.post(proxied + "/admin/pins/1/delete", headers=js, content=b"[" * 30000),
        ]
        for since in SINCE_FUZZ:
            for path in ("/admin/report.json", "/admin/export.csv", "/admin"):
                responses.append(c.get(proxied + path, params={"since": since}, headers=auth))
        for path in ("/admin/report.json", "/admin"):  # a lone surrogate, percent-encoded UTF-8
            responses.append(c.get(proxied + path + "?since=%ED%A0%80", headers=auth))
        pins = c.get(proxied + "/admin/pins", headers=auth)
        page = c.get(proxied + "/admin", headers=auth)
    bad = [(str(r.request.url)[:80], r.status_code) for r in responses if r.status_code >= 500]
    assert not bad, bad
    assert all(r.status_code < 500 for r in responses)
    assert pins.status_code == 200 and "no-store" in pins.headers["cache-control"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert WIDGET not in page.headers["content-security-policy"]
    assert page.headers.get("x-frame-options") == "DENY"


def test_three_pipelined_posts_get_three_responses(proxied):
    host = proxied.removeprefix("http://")
    body = b'{"question": "\xe9\x9d\x92\xe5\xb2\x9b\xe8\x82\xb2\xe5\x84\xbf\xe5\x81\x87\xe6\x9c\x89\xe5\x87\xa0\xe5\xa4\xa9"}'
    one = (
        f"POST /api/ask HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"X-Forwarded-For: 10.7.0.1\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    data = _sends(proxied, one * 3, wait=60)
    assert data.count(b"HTTP/1.1 200") == 3, data[:600]
