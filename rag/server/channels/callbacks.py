"""The two callback routes: /wechat/mp (公众号 服务器配置) and /wechat/work (企业微信 自建应用 接收消息).

Both follow the platforms' documented protocol exactly:
* GET is the URL check. 公众号: `signature` = SHA-1 of sorted (token, timestamp, nonce), answered with `echostr`
  as sent. 企业微信: `msg_signature` also covers the encrypted `echostr`, answered with its decrypted text.
* POST carries a message. In safe mode the body is <xml><Encrypt>…</Encrypt></xml>; `msg_signature` covers the
  ciphertext, the receiver id inside the plaintext must be our AppID / CorpID, and the reply is encrypted and
  signed the same way. A 公众号 without an AES key runs in plaintext mode (`signature` only); with a key, a
  plaintext body is refused — there is no silent fallback.
Refusals carry no answer: 401 for a bad signature or timestamp, 403 for a wrong receiver id or a plaintext body
under AES, 400 for a body that is not the platforms' XML or cannot be decrypted.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from ..contract import ApiError, log_client_error
from .config import Account
from .crypto import CryptoError, MessageCrypto, check_signature, check_timestamp
from .dialogue import Responder
from .wxml import XmlError, incoming, parse, sealed_reply, text_reply

REFUSED = {
    400: "消息格式无效或无法解密。",
    401: "签名或时间戳校验失败。",
    403: "消息的接收方不符，或在安全模式下收到了明文消息。",
}
MAX_ECHO = 1024  # the platforms' echostr is a few dozen characters (a few hundred encrypted)


def refuse(status: int, account: Account, reason: str) -> ApiError:
    log_client_error(f"wechat-{reason}", "微信回调被拒绝（%s）：%s", account.path, reason)
    return ApiError(status, REFUSED[status])


def _query(request: Request, name: str) -> str:
    return (request.query_params.get(name) or "")[:MAX_ECHO]


def _xml(data: bytes | str, account: Account) -> dict[str, str]:
    try:
        return parse(data)
    except XmlError as exc:
        raise refuse(400, account, f"xml-{exc}") from None


class Callback:
    """The GET and POST handlers of one configured account."""

    def __init__(self, account: Account, responder: Responder):
        self.account, self.responder = account, responder
        self.crypto = (
            MessageCrypto(account.token, account.aes_key, account.receiver_id) if account.aes_key else None
        )

    def verify(self, request: Request) -> str:
        """GET: the text to echo when the platform's URL check passes."""
        q = lambda name: _query(request, name)  # noqa: E731
        try:
            if self.account.kind == "mp":
                check_timestamp(q("timestamp"))
                check_signature((self.account.token, q("timestamp"), q("nonce")), q("signature"))
                return q("echostr")
            return self.crypto.verify_and_decrypt(
                q("msg_signature"), q("timestamp"), q("nonce"), q("echostr")
            )
        except CryptoError as exc:
            raise refuse(exc.status, self.account, exc.reason) from None

    async def message(self, request: Request) -> Response:
        started = time.monotonic()
        q = lambda name: _query(request, name)  # noqa: E731
        outer = _xml(await request.body(), self.account)
        try:
            if self.crypto is None:  # 公众号 plaintext mode (no AES key configured)
                check_timestamp(q("timestamp"))
                check_signature((self.account.token, q("timestamp"), q("nonce")), q("signature"))
                fields = outer
            else:
                if "Encrypt" not in outer or (self.account.kind == "mp" and q("encrypt_type") != "aes"):
                    raise CryptoError(403, "plaintext-under-aes")
                plain = self.crypto.verify_and_decrypt(
                    q("msg_signature"), q("timestamp"), q("nonce"), outer["Encrypt"]
                )
                fields = _xml(plain, self.account)
        except CryptoError as exc:
            raise refuse(exc.status, self.account, exc.reason) from None
        msg = incoming(fields)
        if not msg.from_user:
            raise refuse(400, self.account, "no-sender")
        text = await self.responder.reply(self.account, msg, started)
        if not text:
            return PlainTextResponse("success")
        reply = text_reply(msg, text, int(time.time()))
        if self.crypto is not None:
            reply = sealed_reply(self.crypto.sealed(reply, nonce=q("nonce") or None))
        return Response(reply, media_type="application/xml; charset=utf-8")


def router_for(account: Account, responder: Responder) -> APIRouter:
    callback = Callback(account, responder)
    router = APIRouter(include_in_schema=False)

    @router.get(account.path)
    def verify(request: Request):
        return PlainTextResponse(callback.verify(request))

    @router.post(account.path)
    async def message(request: Request):
        return await callback.message(request)

    return router
