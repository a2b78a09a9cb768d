"""`rag wechat check`: the callback URLs to paste into the consoles, and a self-test of a running server.

The self-test does what the platform does: the URL check (GET), then one question encrypted, signed and posted
like a real message; the reply must come back in time, correctly signed, encrypted for our receiver id."""

from __future__ import annotations

import secrets
import sys
import time

from .config import Account, ChannelConfig
from .crypto import CryptoError, MessageCrypto, signature
from .wxml import XmlError, build, parse

CONSOLE = {
    "mp": "公众号 设置与开发 > 基本配置 > 服务器配置",
    "work": "企业微信 应用管理 > 自建应用 > 接收消息 > 设置API接收",
}
NAMES = {"mp": "公众号", "work": "企业微信"}
QUESTION = "青岛育儿假有几天？"


def print_urls(channels: ChannelConfig, out=sys.stdout) -> None:
    base = channels.public_url or "https://<你的域名>"
    for account in (channels.mp, channels.work):
        if account is None:
            continue
        mode = "安全模式" if account.aes_key else "明文模式"
        print(f"{NAMES[account.kind]}（{CONSOLE[account.kind]}）：", file=out)
        print(f"  URL：{base}{account.path}", file=out)
        print(
            f"  Token：{account.token[:3]}…（与 {'RAG_WECHAT_TOKEN' if account.kind == 'mp' else 'RAG_WECOM_TOKEN'} 一致）",
            file=out,
        )
        print(f"  消息加解密方式：{mode}；接收方：{account.receiver_id or '（未设置）'}", file=out)
    if not channels.public_url:
        print("提示：设置 RAG_PUBLIC_URL（https://…）后，回复中会附带完整回答的链接。", file=out)


def self_test(account: Account, server: str, timeout: float = 10.0) -> tuple[bool, str]:
    """(ok, one line): GET verification, then an encrypted question answered within the 5-second window."""
    import httpx

    url = server.rstrip("/") + account.path
    ts, nonce = str(int(time.time())), secrets.token_hex(5)
    crypto = MessageCrypto(account.token, account.aes_key, account.receiver_id) if account.aes_key else None
    with httpx.Client(timeout=timeout) as http:
        try:
            echo = "rag-check-" + secrets.token_hex(4)
            if account.kind == "mp":
                params = {"signature": signature(account.token, ts, nonce), "timestamp": ts, "nonce": nonce}
                r = http.get(url, params={**params, "echostr": echo})
            else:
                enc = crypto.encrypt(echo)
                sig = signature(account.token, ts, nonce, enc)
                r = http.get(
                    url, params={"msg_signature": sig, "timestamp": ts, "nonce": nonce, "echostr": enc}
                )
            if r.status_code != 200 or r.text != echo:
                return False, f"URL 验证失败（HTTP {r.status_code}）：请核对 Token 与 EncodingAESKey。"
            t = time.monotonic()
            params, body = _post_args(account, crypto, ts, nonce)
            r = http.post(url, params=params, content=body)
            took = time.monotonic() - t
        except httpx.HTTPError as exc:
            return False, f"无法连接 {url}：{type(exc).__name__}。请确认 rag serve 正在运行。"
    return _judge(r, crypto, took)


def _message(account: Account, ts: str) -> str:
    fields = {"ToUserName": "gh_selftest" if account.kind == "mp" else account.receiver_id,
              "FromUserName": "rag-self-test", "CreateTime": int(ts), "MsgType": "text",
              "Content": QUESTION, "MsgId": int(ts) * 1000 + secrets.randbelow(1000)}  # fmt: skip
    if account.kind == "work":
        fields["AgentID"] = 0
    return build(fields)


def _post_args(account: Account, crypto, ts: str, nonce: str) -> tuple[dict, bytes]:
    """Query and body of the test message, as the platform sends it (plaintext, or the encrypted envelope)."""
    message = _message(account, ts)
    params = {"timestamp": ts, "nonce": nonce, "signature": signature(account.token, ts, nonce)}
    if crypto is None:
        return params, message.encode()
    enc = crypto.encrypt(message)
    params["msg_signature"] = signature(account.token, ts, nonce, enc)
    if account.kind == "mp":
        params["encrypt_type"] = "aes"
    to = "gh_selftest" if account.kind == "mp" else account.receiver_id
    return params, build({"ToUserName": to, "Encrypt": enc}).encode()


def _judge(r, crypto, took: float) -> tuple[bool, str]:
    if r.status_code != 200:
        return False, f"消息自检失败（HTTP {r.status_code}）：{r.text[:200]}"
    try:
        outer = parse(r.text)
        if crypto is not None:
            outer = parse(crypto.verify_and_decrypt(outer.get("MsgSignature"), outer.get("TimeStamp"),
                                                     outer.get("Nonce"), outer.get("Encrypt", "")))  # fmt: skip
    except (XmlError, CryptoError) as exc:
        return False, f"回复无法验证或解密（{exc}）。"
    first = (outer.get("Content") or "").split("\n")[0][:60]
    ok = took < 5.0 and bool(first)
    return ok, f"{'通过' if ok else '失败'}：{took:.2f} 秒内回复“{first}…”"
