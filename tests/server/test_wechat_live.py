"""WeChat's and WeCom's side played against a real `rag serve` (real model, real index, SQLite question log):
URL checks, encrypted questions answered in time, retries, forgeries, hostile bodies, every message type, the
conversation per user, long answers cut with a link to the full answer page. wechatpy's WeChatCrypto encrypts
what the platform sends and decrypts what we reply."""

from __future__ import annotations

import concurrent.futures
import sqlite3
import subprocess
import time

import httpx
import pytest
from _live_server import rag_serve_process
from _wechat import Platform, env_for, stored

pytestmark = pytest.mark.slow
PUBLIC = "https://zc.example.gov.cn"
WINDOW = 4.0  # the passive reply must be back within 4 s (WeChat gives up at 5)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    d = tmp_path_factory.mktemp("wechat-live")
    db = d / "log.sqlite"
    env = {**env_for(PUBLIC), "RAG_DATABASE_URL": f"sqlite:///{db}", "RAG_RATE_LIMIT": "12"}
    with rag_serve_process(env, stderr=open(d / "stderr.log", "w")) as (url, _):
        yield url, db


@pytest.fixture(scope="module")
def mp(served):
    return Platform(served[0], "mp")


@pytest.fixture(scope="module")
def work(served):
    return Platform(served[0], "work")


def timed(fn, *args, **kw):
    t = time.monotonic()
    out = fn(*args, **kw)
    assert time.monotonic() - t < WINDOW
    return out


def log_rows(db, question: str) -> list[tuple]:
    time.sleep(1.5)  # the question log writes in batches (0.5 s window)
    with sqlite3.connect(db) as c:
        return c.execute(
            "SELECT channel, client FROM questions WHERE question = ?", (stored(question),)
        ).fetchall()


# ---- URL verification --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["mp", "work"])
def test_url_verification_good_and_bad_signature(served, kind):
    side = Platform(served[0], kind)
    r, echo = side.verify()
    assert r.status_code == 200 and r.text == echo
    r, echo = side.verify(good=False)
    assert r.status_code == 401 and echo not in r.text
    r, echo = side.verify(timestamp=int(time.time()) - 600)  # signed, but 10 minutes old
    assert r.status_code == 401


# ---- questions ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kind, question, fact, region",
    [
        ("mp", "青岛育儿假有几天？", "10天", "青岛"),
        ("work", "通化婚假多少天", "15天", "通化"),
        ("mp", "北京生育津贴怎么领？", "北京", "北京"),
    ],
)
def test_encrypted_question_answered_correctly_in_time(served, kind, question, fact, region):
    side = Platform(served[0], kind)
    reply = timed(side.ask, question, user=f"o-ask-{kind}-{region}")
    text = reply["Content"]
    assert reply["MsgType"] == "text" and reply["ToUserName"] == f"o-ask-{kind}-{region}"
    assert fact in text.split("\n")[0] and region in text  # the asked fact first
    assert "\n依据：《" in text and "<" not in text and "**" not in text
    assert text.rstrip().split("\n")[-1].startswith("完整回答与原文条款：" + PUBLIC + "/answer/")


def test_retry_of_the_same_msgid_gets_the_same_reply_and_is_logged_once(served, mp):
    url, db = served
    question = "青岛陪产假有几天？"
    inner = mp.message("text", user="o-retry", msg_id="880001", Content=question)
    first = timed(mp.reply, mp.post(inner))
    retries = [timed(mp.reply, mp.post(inner)) for _ in range(3)]  # re-encrypted, new nonce: as WeChat does
    assert all(r["Content"] == first["Content"] for r in retries)
    concurrent_inner = mp.message("text", user="o-retry", msg_id="880002", Content="青岛产假有多少天？")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:  # a retry racing the first delivery
        replies = list(pool.map(lambda _: mp.reply(mp.post(concurrent_inner)), range(3)))
    assert len({r["Content"] for r in replies}) == 1
    rows = log_rows(db, question)
    assert len(rows) == 1 and rows[0][0] == "wechat"
    assert len(log_rows(db, "青岛产假有多少天？")) == 1


def test_user_id_is_hashed_in_the_log_and_never_stored_raw(served, work):
    url, db = served
    timed(work.ask, "重庆育儿假有几天？", user="oRAW-OPENID-4242")
    rows = log_rows(db, "重庆育儿假有几天？")
    assert rows == [("wecom", rows[0][1])] and rows[0][1] and "4242" not in rows[0][1]
    with sqlite3.connect(db) as c:
        dump = "\n".join(c.iterdump())
    assert "oRAW-OPENID-4242" not in dump


# ---- refusals ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["mp", "work"])
def test_forged_signature_wrong_receiver_plaintext_and_stale_time_are_refused(served, kind):
    url, _ = served
    side = Platform(url, kind)
    inner = side.message("text", user="o-forger", Content="青岛育儿假有几天？")
    r = side.post(inner, forge=True)
    assert r.status_code == 401 and "Encrypt" not in r.text and "育儿假" not in r.text
    wrong = Platform(url, kind, receiver="wxWRONG000000000" if kind == "mp" else "wwWRONG000000000")
    r = wrong.post(wrong.message("text", user="o-forger", Content="青岛育儿假有几天？"))
    assert r.status_code == 403 and "育儿假" not in r.text
    r = side.post(inner, plaintext=True)  # correctly signed, but not encrypted while an AES key is set
    assert r.status_code == 403 and "育儿假" not in r.text
    r = side.post(inner, timestamp=int(time.time()) - 400)
    assert r.status_code == 401


@pytest.mark.parametrize("kind", ["mp", "work"])
def test_entity_bomb_and_oversized_body_are_refused_fast(served, kind):
    side = Platform(served[0], kind)
    lol = (
        '<!ENTITY a "'
        + "x" * 100
        + '">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE xml [{lol}]><xml><Encrypt>&i;</Encrypt></xml>'
    params = {
        "msg_signature": "0" * 40,
        "timestamp": str(int(time.time())),
        "nonce": "1",
        "encrypt_type": "aes",
    }
    t = time.monotonic()
    r = side.http.post(side.url, params=params, content=bomb.encode())
    assert r.status_code == 400 and time.monotonic() - t < 1.0
    r = side.http.post(
        side.url, params=params, content=b"<xml><Encrypt>" + b"A" * 200_000 + b"</Encrypt></xml>"
    )
    assert r.status_code == 413
    r = side.http.post(
        side.url, params=params, content=b"<xml><Encrypt>" + b"A" * 30_000 + b"</Encrypt></xml>"
    )
    assert r.status_code == 400  # under the server's cap, over the channel's
    r = side.http.post(side.url, params=params, content=b"not xml at all")
    assert r.status_code == 400


# ---- message types -----------------------------------------------------------------------------------------
def test_subscribe_gets_a_greeting_with_three_example_questions(mp, work):
    for side in (mp, work):
        reply = timed(side.reply, side.post(side.message("event", user="o-new", Event="subscribe")))
        lines = reply["Content"].split("\n")
        examples = [ln for ln in lines if ln[:2] in ("1.", "2.", "3.")]
        assert len(examples) == 3 and all(ln.endswith("？") for ln in examples)
    for example in examples:  # each example question of the greeting is answered with a cited fact
        assert "依据：《" in timed(mp.ask, example[3:], user="o-new")["Content"]
    assert mp.reply(mp.post(mp.message("event", user="o-new", Event="unsubscribe"))) == {}


def test_voice_uses_recognition_text(mp):
    reply = timed(mp.reply, mp.post(mp.message("voice", user="o-voice", MediaId="m1", Format="amr",
                                               Recognition="青岛育儿假有几天")))  # fmt: skip
    assert "10天" in reply["Content"]
    reply = timed(mp.reply, mp.post(mp.message("voice", user="o-voice", MediaId="m2", Format="amr")))
    assert "语音" in reply["Content"] and "依据" not in reply["Content"]


@pytest.mark.parametrize("kind, msg_type, extra", [
    ("mp", "image", {"PicUrl": "http://x/y.jpg", "MediaId": "m"}),
    ("work", "file", {"MediaId": "m", "Title": "a.pdf"}),
    ("mp", "video", {"MediaId": "m"}),
    ("mp", "link", {"Title": "t", "Url": "http://x"}),
])  # fmt: skip
def test_images_files_and_other_types_get_one_polite_sentence(served, kind, msg_type, extra):
    side = Platform(served[0], kind)
    text = timed(side.reply, side.post(side.message(msg_type, user="o-pic", **extra)))["Content"]
    assert text.startswith("抱歉") and text.count("。") <= 2 and "依据" not in text


def test_location_sets_the_region_for_the_next_question(mp):
    reply = timed(mp.reply, mp.post(mp.message("location", user="o-loc", Location_X="36.06", Location_Y="120.38",
                                               Scale=15, Label="山东省青岛市市南区香港中路")))  # fmt: skip
    assert "青岛市" in reply["Content"]
    assert "10天" in timed(mp.ask, "育儿假有几天？", user="o-loc")["Content"]
    unknown = mp.reply(mp.post(mp.message("location", user="o-loc2", Location_X="0", Location_Y="0", Scale=1,
                                          Label="Atlantic Ocean")))  # fmt: skip
    assert "无法从您发送的位置确定地区" in unknown["Content"]


# ---- the conversation per user -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind, first, follow, fact", [
    ("mp", "青岛产假有多少天？", "那育儿假呢？", "10天"),
    ("work", "通化婚假多少天", "那育儿假呢？", "通化"),
    ("mp", "青岛育儿假有几天？", "陪产假呢", "青岛"),
])  # fmt: skip
def test_a_follow_up_keeps_the_region(served, kind, first, follow, fact):
    side = Platform(served[0], kind)
    user = f"o-follow-{kind}-{first[:2]}"
    timed(side.ask, first, user=user)
    text = timed(side.ask, follow, user=user)["Content"]
    assert fact in text and "您没有指明地区" not in text
    other = timed(side.ask, follow, user=user + "-someone-else")["Content"]  # another user has no region
    assert "您没有指明地区" in other


def test_region_command_and_restart(work):
    user = "o-region-cmd"
    assert "通化" in timed(work.ask, "地区 通化", user=user)["Content"]
    assert "通化" in timed(work.ask, "育儿假有几天？", user=user)["Content"].split("\n")[0]
    assert "未收录" in timed(work.ask, "地区 火星", user=user)["Content"]
    assert "重新开始" in timed(work.ask, "重新开始", user=user)["Content"]
    assert "您没有指明地区" in timed(work.ask, "育儿假有几天？", user=user)["Content"]


def test_rate_limit_per_user(mp):
    replies = [mp.ask("北京产假多少天？", user="o-flood")["Content"] for _ in range(13)]
    assert "太频繁" in replies[-1] and "太频繁" not in replies[0]
    assert "太频繁" not in mp.ask("北京产假多少天？", user="o-calm")["Content"]  # others are not affected


# ---- long answers ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kind, question",
    [
        ("mp", "通化有哪些生育支持措施？"),
        ("work", "贵州省有哪些生育支持政策"),
        ("mp", "重庆有哪些托育政策？"),
    ],
)
def test_long_list_answer_cut_to_2048_bytes_with_the_link_to_the_full_answer(served, kind, question):
    url, db = served
    side = Platform(url, kind)
    full = httpx.post(url + "/api/ask", json={"question": question}, timeout=30).json()
    assert full["kind"] == "list" and len(full["answer"].encode()) > 2048 - 200
    text = timed(side.ask, question, user=f"o-long-{question[:2]}")["Content"]
    assert len(text.encode()) <= 2048 and "已截断" in text
    body, cites, link = text.rsplit("\n", 2)
    assert cites.startswith("依据：《") and link.startswith("完整回答与原文条款：" + PUBLIC + "/answer/")
    last_item = [ln for ln in full["answer"].split("\n") if ln.startswith("- ")][-1]
    assert last_item not in body  # cut, and what was kept is verbatim, whole sentences
    assert all(ln in full["answer"] for ln in body.removesuffix("……（内容较长，已截断）").split("\n"))
    page = httpx.get(url + link.split(PUBLIC, 1)[1], timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    import html as h

    assert h.escape(last_item) in page.text and h.escape(full["citations"][0]["text"]) in page.text
    rated = httpx.post(url + link.split(PUBLIC, 1)[1] + "/feedback", data={"rating": "up"}, timeout=30)
    assert rated.status_code == 200 and "谢谢" in rated.text
    time.sleep(1)
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT rating FROM feedback").fetchall()[-1] == ("up",)
    assert httpx.get(url + "/answer/" + "0" * 32, timeout=30).status_code == 404


# ---- with a chat model configured --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def with_model(tmp_path_factory):
    from fake_openai import FakeOpenAI

    d = tmp_path_factory.mktemp("wechat-llm")
    with FakeOpenAI() as srv:
        env = {**env_for(), "RAG_LLM_BASE_URL": srv.base_url, "RAG_LLM_MODEL": "fake-model",
               "RAG_LLM_API_KEY": "sk-test", "RAG_LLM_TIMEOUT": "30", "RAG_LOG": "off"}  # fmt: skip
        with rag_serve_process(env, stderr=open(d / "stderr.log", "w")) as (url, _):
            yield url, srv


MODEL_TEXT = "青岛市：女职工增加60天产假，配偶享受不少于15天陪产假 [1]。该文件为征求意见稿。"


def test_with_a_model_the_extractive_answer_is_sent_when_the_model_is_late(with_model):
    from fake_openai import Reply

    url, srv = with_model
    srv.script(Reply(MODEL_TEXT, delay=20))
    side = Platform(url, "mp")
    text = timed(side.ask, "青岛产假多少天？", user="o-llm-late")["Content"]
    assert "女职工增加60天产假" in text and not text.startswith(MODEL_TEXT[:20]) and srv.requests
    srv.script(Reply(MODEL_TEXT))  # back in time: the model's (checked) answer is the one sent
    text = timed(side.ask, "青岛的产假有多少天？", user="o-llm-fast")["Content"]
    assert text.startswith(MODEL_TEXT.split("。")[0])


# ---- rag wechat check --------------------------------------------------------------------------------------
def run_check(url: str, env: dict) -> subprocess.CompletedProcess:
    import os
    import sys
    from pathlib import Path

    names = [k for k in os.environ if k.startswith(("RAG_WECHAT_", "RAG_WECOM_", "RAG_PUBLIC_URL"))]
    base = {k: v for k, v in os.environ.items() if k not in names}
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", "wechat", "check", "--server", url],
        cwd=Path(__file__).resolve().parents[2], env={**base, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_rag_wechat_check_prints_the_urls_and_self_tests_the_server(served):
    url, _ = served
    done = run_check(url, env_for(PUBLIC))
    assert done.returncode == 0, done.stderr
    assert f"URL：{PUBLIC}/wechat/mp" in done.stdout and f"URL：{PUBLIC}/wechat/work" in done.stdout
    assert done.stdout.count("通过") == 2 and "育儿假" in done.stdout
    wrong = run_check(url, {**env_for(PUBLIC), "RAG_WECOM_TOKEN": "not-the-token"})
    assert wrong.returncode == 1 and "URL 验证失败" in wrong.stdout
    off = run_check(url, {})
    assert off.returncode == 1 and "未配置微信渠道" in off.stderr


def test_the_answer_page_never_shows_personal_numbers_from_the_question(served, work):
    url, _ = served
    text = timed(work.ask, "我的电话13812345678，青岛育儿假有几天？", user="o-private")["Content"]
    page = httpx.get(url + text.rsplit(PUBLIC, 1)[1], timeout=30).text
    assert "10天" in page and "13812345678" not in page


def test_rag_serve_says_where_the_callbacks_are(served):
    import pathlib

    logs = list(pathlib.Path(served[1]).parent.glob("stderr.log"))
    assert logs and "微信回调已启用：/wechat/mp、/wechat/work" in logs[0].read_text()
