"""WeChat's "safe mode" message encryption (WXBizMsgCrypt), shared by the 公众号 and 企业微信 callbacks.

The platforms' own scheme, byte for byte: the key is the 43-character EncodingAESKey base64-decoded (32 bytes),
the IV its first 16 bytes; the plaintext is 16 random bytes + the message length (4 bytes, big-endian) + the
message + the receiver id (AppID / CorpID), padded PKCS#7 to a 32-byte block, AES-256-CBC, base64. Signatures
are SHA-1 over the sorted strings (token, timestamp, nonce[, ciphertext]). Everything a caller sends is checked
before it is used: a wrong signature, a bad padding, a wrong receiver id each raise `CryptoError` with the HTTP
status the route answers with, and nothing of the message leaves here unverified.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import struct
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeChat pads to 32 bytes (not AES's 16)
MAX_SKEW = 300  # seconds a timestamp may be off the server's clock


class CryptoError(Exception):
    """A request that fails a check: `status` is the HTTP answer (401 signature/time, 403 receiver, 400 body)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def signature(*parts: str) -> str:
    """SHA-1 of the sorted parts joined: the platforms' `signature` and `msg_signature`."""
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode("utf-8")).hexdigest()


def check_signature(expected_parts: tuple[str, ...], given: str | None) -> None:
    if not given or not hmac.compare_digest(signature(*expected_parts), given.strip().lower()):
        raise CryptoError(401, "bad-signature")


def check_timestamp(timestamp: str | None, now: float | None = None, skew: int = MAX_SKEW) -> None:
    """A replayed or forged request carries an old timestamp: more than `skew` seconds off is refused."""
    if not timestamp or not timestamp.isdigit() or len(timestamp) > 12:
        raise CryptoError(401, "bad-timestamp")
    if abs(int(timestamp) - (now if now is not None else time.time())) > skew:
        raise CryptoError(401, "stale-timestamp")


def aes_key(encoding_aes_key: str) -> bytes:
    """The 43-character EncodingAESKey -> the 32-byte AES key; ValueError for anything else."""
    key = (encoding_aes_key or "").strip()
    if len(key) != 43:
        raise ValueError("EncodingAESKey must be 43 characters")
    try:
        raw = base64.b64decode(key + "=", validate=True)
    except binascii.Error:
        raise ValueError("EncodingAESKey is not base64") from None
    if len(raw) != 32:
        raise ValueError("EncodingAESKey must decode to 32 bytes")
    return raw


def _pad(data: bytes) -> bytes:
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def _unpad(data: bytes) -> bytes:
    n = data[-1] if data else 0
    if not 1 <= n <= BLOCK or data[-n:] != bytes([n]) * n:
        raise CryptoError(400, "bad-padding")
    return data[:-n]


class MessageCrypto:
    """One account's token, key and receiver id (AppID for 公众号, CorpID for 企业微信)."""

    def __init__(self, token: str, encoding_aes_key: str, receiver_id: str):
        self.token, self.receiver_id = token, receiver_id
        self.key = aes_key(encoding_aes_key)

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, text: str, random_prefix: bytes | None = None) -> str:
        body = text.encode("utf-8")
        plain = (random_prefix or os.urandom(16)) + struct.pack(">I", len(body)) + body
        plain += self.receiver_id.encode("utf-8")
        enc = self._cipher().encryptor()
        return base64.b64encode(enc.update(_pad(plain)) + enc.finalize()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        """The message, after padding, length and receiver id checks (400 undecryptable, 403 wrong receiver)."""
        try:
            raw = base64.b64decode(ciphertext or "", validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError(400, "bad-base64") from None
        if not raw or len(raw) % 16:
            raise CryptoError(400, "bad-length")
        dec = self._cipher().decryptor()
        plain = _unpad(dec.update(raw) + dec.finalize())
        if len(plain) < 20:
            raise CryptoError(400, "too-short")
        (size,) = struct.unpack(">I", plain[16:20])
        if 20 + size > len(plain):
            raise CryptoError(400, "bad-size")
        body, receiver = plain[20 : 20 + size], plain[20 + size :]
        if not hmac.compare_digest(receiver, self.receiver_id.encode("utf-8")):
            raise CryptoError(403, "wrong-receiver")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise CryptoError(400, "not-utf8") from None

    def verify_and_decrypt(
        self, msg_signature: str | None, timestamp: str | None, nonce: str | None, ciphertext: str
    ) -> str:
        check_timestamp(timestamp)
        check_signature((self.token, timestamp or "", nonce or "", ciphertext), msg_signature)
        return self.decrypt(ciphertext)

    def sealed(self, text: str, timestamp: str | None = None, nonce: str | None = None) -> dict[str, str]:
        """What an encrypted reply carries: Encrypt, MsgSignature, TimeStamp, Nonce."""
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))
        encrypted = self.encrypt(text)
        return {
            "Encrypt": encrypted,
            "MsgSignature": signature(self.token, timestamp, nonce, encrypted),
            "TimeStamp": timestamp,
            "Nonce": nonce,
        }
