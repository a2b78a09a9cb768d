"""Hypothesis strategies for the personal data a citizen may type (issue 28): Chinese mobile and landline
numbers, 18-digit ID numbers, bank cards — grouped with spaces, dashes or dots, with +86, in full-width digits —
and e-mail addresses, also written with at/dot. Each example is (the text as typed, the secret part that must
never be stored: the digits of a number, or the mailbox name of an address)."""

from __future__ import annotations

from hypothesis import strategies as st

SEPARATORS = [" ", "-", ".", "－", " - ", "—", "\u3000"]
D = st.sampled_from("0123456789")


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.lists(D, min_size=n, max_size=n).map("".join)


def _group(number: str, sizes: list[int], sep: str | None) -> str:
    if sep is None:
        return number
    parts, pos = [], 0
    for n in sizes:
        parts.append(number[pos : pos + n])
        pos += n
    parts.append(number[pos:])
    return sep.join(p for p in parts if p)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def numbers(draw) -> tuple[str, str]:
    kind = draw(st.sampled_from(["mobile", "id", "landline", "card"]))
    sep = draw(st.one_of(st.none(), st.sampled_from(SEPARATORS)))
    if kind == "mobile":
        number = "1" + draw(st.sampled_from("3456789")) + draw(_digits(9))
        text = _group(number, [3, 4], sep)
        text = draw(st.sampled_from(["", "+86 ", "+86-", "+86", "(+86)"])) + text
    elif kind == "id":
        number = draw(st.sampled_from("123456")) + draw(_digits(16)) + draw(st.sampled_from("0123456789Xx"))
        text = _group(number, draw(st.sampled_from([[6, 4, 4], [6, 8], [3, 3, 4, 4]])), sep)
    elif kind == "landline":
        area = "0" + draw(_digits(draw(st.sampled_from([2, 3]))))
        number = area + draw(_digits(draw(st.sampled_from([7, 8]))))
        text = _group(number, [len(area)], sep or "-")
    else:
        n = draw(st.sampled_from([16, 17, 19]))
        number = "62" + draw(_digits(n - 2))
        text = _group(number, [4, 4, 4, 4], sep)
    if draw(st.booleans()):
        text = _full_width(text)
    return text, number.upper().replace("X", "")


@st.composite
def emails(draw) -> tuple[str, str]:
    # at least four different letters: "aaaaa" would be found in any page (a colour such as #aaaaaa); and a digit
    # or two after them, as mailboxes often have: a bare word ("comments", drawn once) is also a key of the JSON
    # report, and the check would call the page's own word a leak
    user = draw(
        st.text("abcdefghijklmnopqrstuvwxyz", min_size=6, max_size=10).filter(lambda u: len(set(u)) >= 4)
    ) + draw(_digits(draw(st.sampled_from([1, 2, 3]))))
    domain = draw(st.sampled_from(["qq", "163", "example", "gov-mail"]))
    tld = draw(st.sampled_from(["com", "cn", "net"]))
    at = draw(st.sampled_from(["@", "＠", " at ", "(at)", "（at）", "[at]", " AT "]))
    dot = draw(st.sampled_from([".", " dot ", "(dot)", "（dot）", "．"]))
    return f"{user}{at}{domain}{dot}{tld}", user


def personal() -> st.SearchStrategy[tuple[str, str]]:
    return st.one_of(numbers(), emails())


def in_sentence(form: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            "我的电话是{}，青岛产假有几天？",
            "{}",
            "联系方式{} 育儿假怎么休",
            "请回复到{}谢谢",
            "身份证{}能领补贴吗",
        ]
    ).map(lambda t: t.format(form))


def leaks(secret: str, stored: str) -> bool:
    """Whether `secret` (digits, or a mailbox name) can be read back from `stored`."""
    from rag.ops.stores.privacy import fold

    stored = fold(stored).lower()
    if secret.isdigit():
        return secret in "".join(c for c in stored if c.isdigit())
    return secret.lower() in stored
