"""Items of a 、-list and what one list has that the other lacks (fast, no model)."""

from rag.answers import enumeration as E


def test_items_of_the_longest_run_the_last_cut_at_deng():
    text = (
        "积极推进出生医学证明、儿童预防接种、户口登记、医保参保、社保卡申领、生育保险报销等“出生一件事”联办。"
    )
    assert E.items(text) == [
        "积极推进出生医学证明",
        "儿童预防接种",
        "户口登记",
        "医保参保",
        "社保卡申领",
        "生育保险报销",
    ]


def test_extras_need_shared_items_and_read_the_first_item_with_its_verb():
    a = E.items("积极推进出生医学证明、儿童预防接种、户口登记、生育保险报销等联办。")
    b = E.items("推进出生医学证明、儿童预防接种、户口登记等联办。")
    assert E.extras(a, b) == ["生育保险报销"] and E.extras(b, a) == []
    assert E.extras(["产假", "婚假", "育儿假"], ["托位", "学位", "房租"]) is None  # lists of different things
