"""Fast tests of the WeChat / WeCom channel pieces: the safe-mode crypto (interoperable with wechatpy both ways),
signatures and timestamps, the defused XML reader, the chat-bubble cutter, conversations and reply caches."""

from __future__ import annotations

import base64
import time

import pytest
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.exceptions import InvalidSignatureException

from rag.ops.shared_state import KeyValue
from rag.server.channels import bubble
from rag.server.channels.config import load_channel_config
from rag.server.channels.conversation import Conversations, user_key
from rag.server.channels.crypto import CryptoError, MessageCrypto, check_timestamp, signature
from rag.server.channels.messages import CUT_MARK
from rag.server.channels.wxml import XmlError, build, incoming, parse, sealed_reply, text_reply

KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID, CORP = "wx1234567890abcdef", "ww0123456789abcdef"
INNER = build({"ToUserName": "gh_x", "FromUserName": "oAbc", "CreateTime": 1, "MsgType": "text",
               "Content": "青岛育儿假有几天？]]>", "MsgId": 42})  # fmt: skip


def now() -> str:
    return str(int(time.time()))


@pytest.mark.parametrize("platform, receiver", [(WeChatCrypto, APPID), (WeComCrypto, CORP)])
def test_messages_encrypted_by_wechatpy_are_read_here(platform, receiver):
    ts = now()
    envelope = parse(platform("tok", KEY, receiver).encrypt_message(INNER, "n1", ts))
    mine = MessageCrypto("tok", KEY, receiver)
    plain = mine.verify_and_decrypt(envelope["MsgSignature"], ts, "n1", envelope["Encrypt"])
    assert parse(plain)["Content"] == "青岛育儿假有几天？]]>"


@pytest.mark.parametrize("platform, receiver", [(WeChatCrypto, APPID), (WeComCrypto, CORP)])
def test_replies_sealed_here_are_read_by_wechatpy(platform, receiver):
    reply = sealed_reply(MessageCrypto("tok", KEY, receiver).sealed(INNER, nonce="n2"))
    fields = parse(reply)
    assert set(fields) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    plain = platform("tok", KEY, receiver).decrypt_message(
        reply, fields["MsgSignature"], fields["TimeStamp"], "n2"
    )
    assert parse(plain)["MsgId"] == "42"
    with pytest.raises(InvalidSignatureException):  # and the signature really covers the ciphertext
        platform("other", KEY, receiver).decrypt_message(
            reply, fields["MsgSignature"], fields["TimeStamp"], "n2"
        )


def test_signature_is_sha1_over_sorted_parts():
    import hashlib

    assert signature("b", "a", "c") == hashlib.sha1(b"abc").hexdigest()


def test_forged_signature_wrong_receiver_and_garbage_are_refused():
    ts = now()
    envelope = parse(WeChatCrypto("tok", KEY, APPID).encrypt_message(INNER, "n", ts))
    mine = MessageCrypto("tok", KEY, APPID)
    with pytest.raises(CryptoError) as e:
        mine.verify_and_decrypt("f" * 40, ts, "n", envelope["Encrypt"])
    assert e.value.status == 401
    other = parse(WeChatCrypto("tok", KEY, "wxSOMEONEELSE").encrypt_message(INNER, "n", ts))
    with pytest.raises(CryptoError) as e:
        mine.verify_and_decrypt(other["MsgSignature"], ts, "n", other["Encrypt"])
    assert e.value.status == 403
    for junk in ("not base64!!", base64.b64encode(b"x" * 31).decode(), base64.b64encode(b"\0" * 64).decode()):
        with pytest.raises(CryptoError) as e:
            mine.decrypt(junk)
        assert e.value.status == 400


def test_timestamps_more_than_five_minutes_off_are_refused():
    check_timestamp(str(int(time.time()) - 290))
    for bad in (str(int(time.time()) - 301), str(int(time.time()) + 400), "", "12a", "9" * 20):
        with pytest.raises(CryptoError):
            check_timestamp(bad)


def test_entity_bomb_and_external_entity_are_refused_fast():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
        + "]><xml><Content>&lol9;</Content></xml>"
    )
    external = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>'
    for body in (bomb, external, "<xml><a><b>nested</b></a></xml>", "<notxml/>", "<xml>", "x" * 20000, ""):
        t = time.perf_counter()
        with pytest.raises(XmlError):
            parse(body)
        assert time.perf_counter() - t < 0.05


def test_incoming_reads_voice_recognition_and_dedupe_keys():
    voice = incoming(
        {"MsgType": "voice", "FromUserName": "o1", "Recognition": "青岛产假多少天", "MsgId": "7"}
    )
    assert voice.content == "青岛产假多少天" and voice.dedupe_key == "7"
    event = incoming({"MsgType": "event", "Event": "subscribe", "FromUserName": "o1", "CreateTime": "99"})
    assert event.dedupe_key == "o1|99|subscribe"
    reply = parse(text_reply(event, "你好", 5))
    assert reply["ToUserName"] == "o1" and reply["MsgType"] == "text" and reply["Content"] == "你好"


def long_answer(n: int = 40) -> dict:
    items = [f"- 第{i}项：二孩每人每月300元、三孩每人每月380元的保育费补助。 [{i % 3 + 1}]" for i in range(n)]
    cites = [
        {
            "rank": r,
            "doc_title": "青岛市优化生育政策实施方案",
            "section": f"二、主要任务 > （三）托育 > {r}.补助",
        }
        for r in (1, 2, 3)
    ]
    return {"answer": "青岛市的方案中与此相关的规定有：\n" + "\n".join(items), "citations": cites}


def test_long_answers_are_cut_at_a_sentence_within_2048_bytes_with_link_and_sources():
    link = "https://zc.example.gov.cn/answer/" + "a" * 32
    text = bubble.compose(long_answer(), link)
    assert bubble.size(text) <= 2048
    body, cites, tail = text.rsplit("\n", 2)
    assert tail.endswith(link) and cites.startswith("依据：《青岛市优化生育政策实施方案》")
    assert body.endswith("]" + CUT_MARK)
    kept_items = [ln for ln in body.split("\n") if ln.startswith("- ")]
    assert all(ln.count("300元") == 1 and ln.count("380元") == 1 for ln in kept_items)  # no number cut
    assert bubble.size(bubble.compose(long_answer(3), link)) < 2048 and "已截断" not in bubble.compose(
        long_answer(3)
    )


@pytest.mark.parametrize("limit", range(200, 700, 37))
def test_a_cut_never_splits_a_number_bracket_or_quotation(limit):
    ans = {
        "answer": "方案原文为“生育第三个子女的，奖励产假60天，男方享受陪产假15天。”据此可以领取。"
        + "每月发放1234.5元补贴（原文：“按每人每月1234.5元标准发放。”）。" * 10,
        "citations": [{"rank": 1, "doc_title": "某市方案", "section": "一、总则"}],
    }
    text = bubble.compose(ans, max_bytes=limit)
    assert bubble.size(text) <= limit
    body = text.split("\n")[0].removesuffix(CUT_MARK)
    assert body.count("“") == body.count("”") and body.count("（") == body.count("）")
    assert "1234.5元" in body or "1234" not in body


def test_bubble_is_plain_text():
    text = bubble.compose({"answer": "**产假** <b>158</b> 天。\n依据：《X》一 [1]", "citations": []})
    assert text == "产假 158 天。"


def test_conversations_are_bounded_expiring_and_keyed_by_a_hash():
    values = KeyValue(max_items=100)
    convs = Conversations(values, idle=0.2)
    key = user_key("token", "mp", "oRAWOPENID")
    assert "oRAWOPENID" not in key and key == user_key("token", "mp", "oRAWOPENID")
    conv = convs.load(key)
    conv.region = "qingdao"
    for i in range(10):
        conv.remember(f"问题{i}", "回答" * 1000)
    convs.save(key, conv)
    again = convs.load(key)
    assert again.region == "qingdao" and len(again.history) == 6 and len(again.history[-1]["content"]) == 800
    time.sleep(0.25)
    assert convs.load(key).region is None
    for i in range(200):
        values.set(f"k{i}", "v", 60)
    assert values.get("k0") is None and values.get("k199") == "v"
    assert values.add("claim", "1", 60) and not values.add("claim", "1", 60)


def test_channel_config_from_environment_and_rag_toml(monkeypatch):
    from types import SimpleNamespace

    from rag.errors import RagError

    for name in (
        "RAG_WECHAT_TOKEN",
        "RAG_WECHAT_AES_KEY",
        "RAG_WECHAT_APPID",
        "RAG_WECOM_TOKEN",
        "RAG_PUBLIC_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    assert not load_channel_config(SimpleNamespace(extra={})).enabled
    toml = {
        "wecom": {"token": "t", "aes_key": KEY, "corp_id": CORP},
        "server": {"public_url": "https://a.b/"},
    }
    cfg = load_channel_config(SimpleNamespace(extra=toml))
    assert cfg.work.receiver_id == CORP and cfg.mp is None and cfg.public_url == "https://a.b"
    monkeypatch.setenv("RAG_WECHAT_TOKEN", "t")
    monkeypatch.setenv("RAG_WECHAT_AES_KEY", "short")
    with pytest.raises(RagError, match="43"):
        load_channel_config(SimpleNamespace(extra={}))


def test_comparison_signs_are_text_not_tags():
    text = bubble.compose(
        {"answer": "年龄<3岁的婴幼儿，补贴>100元。<br/>见<a href='x'>此处</a>。", "citations": []}
    )
    assert text == "年龄<3岁的婴幼儿，补贴>100元。见此处。"
