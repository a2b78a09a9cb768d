"""Test helper: plays the WeChat (公众号) or WeCom (企业微信) platform against a callback URL, with wechatpy's own
WeChatCrypto doing the platform's side of the encryption, so every test also proves interoperability."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import httpx
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto

from rag.server.channels.wxml import build, parse

MP = {
    "token": "mp-token-123",
    "key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "id": "wx1234567890abcdef",
}
WORK = {
    "token": "wecom-token-9",
    "key": "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut",
    "id": "ww0123456789abcdef",
}


def env_for(public_url: str = "") -> dict:
    env = {
        "RAG_WECHAT_TOKEN": MP["token"],
        "RAG_WECHAT_AES_KEY": MP["key"],
        "RAG_WECHAT_APPID": MP["id"],
        "RAG_WECOM_TOKEN": WORK["token"],
        "RAG_WECOM_AES_KEY": WORK["key"],
        "RAG_WECOM_CORP_ID": WORK["id"],
    }
    if public_url:
        env["RAG_PUBLIC_URL"] = public_url
    return env


def stored(question: str) -> str:
    """The question as the question log keeps it (normalised, personal numbers redacted)."""
    from rag.ops.stores import redact
    from rag.text.normalize import normalize_query

    return redact(normalize_query(question))[:500]


def sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


@dataclass
class Platform:
    """base: the server's URL; kind: "mp" or "work"; receiver: the AppID/CorpID this side encrypts for."""

    base: str
    kind: str = "mp"
    receiver: str | None = None
    token: str | None = None
    client: httpx.Client | None = None

    def __post_init__(self):
        cfg = MP if self.kind == "mp" else WORK
        self.token = self.token or cfg["token"]
        self.receiver = self.receiver or cfg["id"]
        cls = WeChatCrypto if self.kind == "mp" else WeComCrypto
        self.crypto = cls(self.token, cfg["key"], self.receiver)
        self.mine = cls(cfg["token"], cfg["key"], cfg["id"])  # decrypts replies as the real platform would
        self.url = self.base + ("/wechat/mp" if self.kind == "mp" else "/wechat/work")
        self.http = self.client or httpx.Client(timeout=30)

    def verify(self, good: bool = True, timestamp: int | None = None) -> tuple[httpx.Response, str]:
        """The console's URL check: (response, the echo text the server must answer with)."""
        ts, nonce = str(timestamp or int(time.time())), secrets.token_hex(4)
        echo = "echo-" + secrets.token_hex(6)
        if self.kind == "mp":
            sig = sha1_sorted(self.token, ts, nonce) if good else "0" * 40
            params = {"signature": sig, "timestamp": ts, "nonce": nonce, "echostr": echo}
            return self.http.get(self.url, params=params), echo
        enc = parse(self.crypto.encrypt_message(echo, nonce, ts))["Encrypt"]
        sig = sha1_sorted(self.token, ts, nonce, enc) if good else "0" * 40
        params = {"msg_signature": sig, "timestamp": ts, "nonce": nonce, "echostr": enc}
        return self.http.get(self.url, params=params), echo

    def message(
        self, msg_type: str = "text", user: str = "oUser-1", msg_id: str | None = None, **fields
    ) -> str:
        base = {
            "ToUserName": "gh_account" if self.kind == "mp" else self.receiver,
            "FromUserName": user,
            "CreateTime": int(fields.pop("create_time", time.time())),
            "MsgType": msg_type,
        }
        if msg_type != "event":
            base["MsgId"] = int(msg_id or secrets.randbits(60))
        if self.kind == "work":
            base["AgentID"] = 1000002
        return build({**base, **fields})

    def post(
        self, inner_xml: str, *, forge: bool = False, timestamp: int | None = None, plaintext: bool = False
    ):
        ts, nonce = str(timestamp or int(time.time())), secrets.token_hex(4)
        params = {"timestamp": ts, "nonce": nonce}
        if plaintext:
            params["signature"] = sha1_sorted(self.token, ts, nonce)
            return self.http.post(self.url, params=params, content=inner_xml.encode())
        enc = parse(self.crypto.encrypt_message(inner_xml, nonce, ts))["Encrypt"]
        sig = sha1_sorted(self.token, ts, nonce, enc)
        params["msg_signature"] = ("0" if sig[0] != "0" else "1") + sig[1:] if forge else sig
        if self.kind == "mp":
            params.update(signature=sha1_sorted(self.token, ts, nonce), encrypt_type="aes", openid="oUser-1")
        body = build({"ToUserName": "gh_account" if self.kind == "mp" else self.receiver, "Encrypt": enc})
        return self.http.post(self.url, params=params, content=body.encode())

    def reply(self, response: httpx.Response) -> dict:
        """The decrypted reply's fields (wechatpy checks the signature and our receiver id while decrypting)."""
        assert response.status_code == 200, response.text
        if response.text == "success":
            return {}
        outer = parse(response.text)
        plain = self.mine.decrypt_message(
            response.text, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"]
        )
        return parse(plain)

    def ask(self, content: str, user: str = "oUser-1", **kw) -> dict:
        return self.reply(self.post(self.message("text", user=user, Content=content, **kw)))
