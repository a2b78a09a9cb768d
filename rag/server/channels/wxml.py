"""The platforms' XML, read safely and written simply.

Reading goes through defusedxml with DTDs forbidden outright: a body declaring entities (a "billion laughs"
bomb, an external entity) is refused before any expansion, in microseconds. Only a flat <xml> of text children
is accepted, bounded in size and in element count; anything else is `XmlError` (the route answers 400).
"""

from __future__ import annotations

from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_XML = 16 * 1024  # far above any real callback (a text message of 2,048 bytes, encrypted, is ~3 KB)
MAX_FIELDS = 40


class XmlError(Exception):
    """A body that is not the platforms' flat XML."""


def parse(body: bytes | str) -> dict[str, str]:
    """The flat <xml><Name>text</Name>…</xml> as a dict (element names to stripped text)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    if not data or len(data) > MAX_XML:
        raise XmlError("size")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:  # ParseError is a SyntaxError
        raise XmlError(type(exc).__name__) from None
    if root.tag != "xml" or len(root) > MAX_FIELDS:
        raise XmlError("shape")
    out: dict[str, str] = {}
    for child in root:
        if not isinstance(child.tag, str) or len(child):
            raise XmlError("nested")
        out[child.tag] = (child.text or "").strip()
    return out


def cdata(text: str) -> str:
    """Text inside CDATA; a literal ]]> is split across two sections so it cannot close the first early."""
    return "<![CDATA[" + str(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build(fields: dict[str, str | int]) -> str:
    """<xml> with one child per field: numbers bare, text in CDATA (the form the platforms send and expect)."""
    parts = [f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}>{cdata(v)}</{k}>" for k, v in fields.items()]
    return "<xml>" + "".join(parts) + "</xml>"


@dataclass(frozen=True)
class Incoming:
    """One decrypted callback message, whatever the platform."""

    to_user: str
    from_user: str
    create_time: str
    msg_type: str
    msg_id: str = ""
    content: str = ""  # text messages; voice recognition text
    event: str = ""
    label: str = ""  # location messages: the place's address
    agent_id: str = ""  # 企业微信

    @property
    def dedupe_key(self) -> str:
        """MsgId when the message has one, else FromUserName + CreateTime (events): what a retry repeats."""
        return self.msg_id or f"{self.from_user}|{self.create_time}|{self.event}"


def incoming(fields: dict[str, str]) -> Incoming:
    kind = fields.get("MsgType", "").lower()
    content = fields.get("Content", "")
    if kind == "voice":
        content = fields.get("Recognition", "")
    return Incoming(
        to_user=fields.get("ToUserName", ""),
        from_user=fields.get("FromUserName", ""),
        create_time=fields.get("CreateTime", ""),
        msg_type=kind,
        msg_id=fields.get("MsgId", "") or fields.get("MsgID", ""),
        content=content,
        event=fields.get("Event", "").lower(),
        label=fields.get("Label", ""),
        agent_id=fields.get("AgentID", ""),
    )


def text_reply(msg: Incoming, content: str, now: int) -> str:
    """The passive text reply: from the account to the user who wrote."""
    return build(
        {
            "ToUserName": msg.from_user,
            "FromUserName": msg.to_user,
            "CreateTime": now,
            "MsgType": "text",
            "Content": content,
        }
    )


def sealed_reply(sealed: dict[str, str]) -> str:
    """The encrypted envelope: Encrypt, MsgSignature, TimeStamp, Nonce."""
    return build({k: (int(v) if k == "TimeStamp" else v) for k, v in sealed.items()})
