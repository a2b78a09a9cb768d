"""Redaction of personal data (issue 28): every common written form of a Chinese phone, ID or bank card number
and of an e-mail address is gone from what is stored or logged; dates, years and amounts stay."""

from __future__ import annotations

import pytest
from _personal_forms import in_sentence, leaks, personal
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.ops.stores.privacy import redact


@settings(max_examples=600, deadline=None)
@given(st.data())
def test_no_generated_form_survives_redaction(data):
    form, secret = data.draw(personal())
    text = data.draw(in_sentence(form))
    assert not leaks(secret, redact(text)), (text, redact(text))


@pytest.mark.parametrize(
    "text",
    [
        "2024年1月1日以后出生的三孩每月500元",
        "2024-01-01以后出生的孩子有补贴吗",
        "生育津贴10000元怎么算",
        "产假158天，男方护理假15天",
        "北京、上海、重庆的育儿假各几天",
        "0-3岁婴幼儿照护服务",
    ],
)
def test_dates_amounts_and_ordinary_words_stay(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "电话138-1234-5678",
        "+86 138 1234 5678",
        "１３８１２３４５６７８",
        "138.1234.5678",
        "110101 1990 0101 123X",
        "0532-88888888",
        "6222 0212 3456 7890 123",
        "abcde（at）163（dot）com",
        "abcde at qq dot com",
    ],
)
def test_named_forms_are_redacted(text):
    assert "＊" in redact(text) and not any(c.isdigit() for c in redact(text).replace("＊", ""))
