"""The channel inside the app (FastAPI TestClient, hashing-embedder index): nothing at /wechat/* unless
configured, the routes when configured, and the app's own limits in front of them."""

from __future__ import annotations

import pytest
from _ops_helpers import hash_settings_in
from _wechat import MP, WORK, Platform
from fastapi.testclient import TestClient

from rag.assistant import Assistant
from rag.server import create_app
from rag.server.channels.config import Account, ChannelConfig
from rag.server.config import ServerConfig


@pytest.fixture(scope="module")
def hash_assistant(tmp_path_factory):
    return Assistant.load(settings=hash_settings_in(tmp_path_factory.mktemp("wechat-index")))


def app_with(assistant, monkeypatch, tmp_path, channels):
    monkeypatch.setenv("RAG_DATABASE_URL", f"sqlite:///{tmp_path / 'log.sqlite'}")
    return create_app(assistant, ServerConfig(rate_limit=0), channels=channels)


CONFIGURED = ChannelConfig(
    mp=Account(kind="mp", token=MP["token"], aes_key=MP["key"], receiver_id=MP["id"]),
    work=Account(kind="work", token=WORK["token"], aes_key=WORK["key"], receiver_id=WORK["id"]),
    public_url="https://zc.example.gov.cn",
)


def test_nothing_at_the_callback_paths_when_not_configured(hash_assistant, monkeypatch, tmp_path):
    with TestClient(app_with(hash_assistant, monkeypatch, tmp_path, ChannelConfig())) as http:
        for path in ("/wechat/mp", "/wechat/work", "/answer/" + "a" * 32):
            assert http.get(path).status_code == 404
            assert http.post(path, content=b"<xml/>").status_code in (404, 405)


def test_configured_routes_verify_and_answer(hash_assistant, monkeypatch, tmp_path):
    with TestClient(app_with(hash_assistant, monkeypatch, tmp_path, CONFIGURED)) as http:
        for kind in ("mp", "work"):
            side = Platform("http://testserver", kind, client=http)
            r, echo = side.verify()
            assert r.status_code == 200 and r.text == echo
            reply = side.ask("青岛育儿假有几天？", user="o-app")
            assert reply["MsgType"] == "text" and reply["Content"]
            assert http.put(side.url).status_code == 405


def test_plaintext_mode_without_an_aes_key(hash_assistant, monkeypatch, tmp_path):
    plain = ChannelConfig(mp=Account(kind="mp", token=MP["token"], aes_key="", receiver_id=""))
    with TestClient(app_with(hash_assistant, monkeypatch, tmp_path, plain)) as http:
        side = Platform("http://testserver", "mp", client=http)
        inner = side.message("text", user="o-plain", Content="青岛育儿假有几天？")
        r = side.post(inner, plaintext=True)
        assert r.status_code == 200 and "<Content>" in r.text and "Encrypt" not in r.text
        r = side.http.post(
            side.url, params={"signature": "0" * 40, "timestamp": "1", "nonce": "1"}, content=inner
        )
        assert r.status_code == 401


class Slow:
    """The real (hashing) assistant, but every answer takes `delay` seconds: an overloaded machine."""

    def __init__(self, inner, delay: float):
        self.inner, self.delay = inner, delay

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def ask(self, *args, **kw):
        import time

        time.sleep(self.delay)
        return self.inner.ask(*args, **kw)


def test_a_reply_leaves_within_four_seconds_even_when_answering_is_slow(
    hash_assistant, monkeypatch, tmp_path
):
    import time

    from rag.server.channels.messages import BUSY

    app = app_with(Slow(hash_assistant, 4.5), monkeypatch, tmp_path, CONFIGURED)
    with TestClient(app) as http:
        side = Platform("http://testserver", "mp", client=http)
        t = time.monotonic()
        reply = side.ask("青岛育儿假有几天？", user="o-slow")
        assert time.monotonic() - t < 4.0 and reply["Content"] == BUSY
