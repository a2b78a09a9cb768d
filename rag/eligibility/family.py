"""The family's situation, the one input of the screen (API, command line, UI form and chat all build it here).

Bounded before it is read (≤ 10 children, ≤ 4 parents, ages 0–216 months, a place name ≤ 50 characters) and every
answer may be "unknown": a screen that forces a guess would turn a missing fact into a false 符合. Errors are one
Chinese sentence (InputError) that says what to write instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError
from . import messages as M

MAX_CHILDREN, MAX_PARENTS, MAX_AGE_MONTHS, MAX_ORDER, MAX_PLACE = 10, 4, 216, 10, 50
UNKNOWN = "unknown"
EMPLOYMENT = ("employed", "self_employed", "flexible", "not_working", UNKNOWN)
ROLES = ("mother", "father")
HOUSING = ("renting", "buying", "public_rental", UNKNOWN)
TRI = ("yes", "no", UNKNOWN)
# the everyday words a form, a command line or a chat may use for the same values
ALIASES = {
    "在职": "employed", "上班": "employed", "职工": "employed", "self-employed": "self_employed",
    "个体": "self_employed", "自雇": "self_employed", "灵活就业": "flexible", "not-working": "not_working",
    "无业": "not_working", "未就业": "not_working", "不上班": "not_working", "妈妈": "mother", "母亲": "mother",
    "mom": "mother", "爸爸": "father", "父亲": "father", "dad": "father", "租房": "renting", "买房": "buying",
    "购房": "buying", "公租房": "public_rental", "public-rental": "public_rental", "是": "yes", "否": "no",
    "true": "yes", "false": "no", "不清楚": UNKNOWN, "不知道": UNKNOWN, "": UNKNOWN, "none": UNKNOWN,
    "null": UNKNOWN, "expected": "expected", "待产": "expected", "怀孕": "expected",
}  # fmt: skip
FIELDS = ("region", "children", "parents", "local_hukou", "housing")


@dataclass(frozen=True)
class Child:
    order: int | None = None  # 孩次: 1 = 一孩, 2 = 二孩 …; None unknown
    age_months: int | None = None  # None: unknown (or expected)
    expected: bool = False  # not born yet (a due date)


@dataclass(frozen=True)
class Parent:
    role: str  # mother / father
    employment: str = UNKNOWN
    maternity_insurance: str = UNKNOWN  # 生育保险: yes / no / unknown


@dataclass(frozen=True)
class Family:
    region: str  # a slug, a region name or any place name (清镇, 朝阳区)
    children: tuple[Child, ...] = ()
    parents: tuple[Parent, ...] = ()
    local_hukou: str = UNKNOWN  # 本地户籍
    housing: str = UNKNOWN
    extra: dict = field(default_factory=dict, compare=False)  # nothing yet; kept out of equality

    def parent(self, role: str) -> Parent | None:
        return next((p for p in self.parents if p.role == role), None)


def choice(value, allowed: tuple[str, ...], name: str) -> str:
    """`value` as one of `allowed` (aliases and case resolved); InputError naming the choices otherwise."""
    key = UNKNOWN if value is None else str(value).strip().lower()[:40]
    key = ALIASES.get(key, key).replace("-", "_")
    if key not in allowed:
        raise InputError(M.BAD_FIELD.format(field=name, value=str(value)[:40], choices=" / ".join(allowed)))
    return key


def _int(value, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().lstrip("-").isdigit()):
        n = int(value)
        return n if low <= n <= high else None
    return None


def child(i: int, order=None, age_months=None, expected=False) -> Child:
    """The i-th child (1-based, for the message), each field checked."""
    o = None if choice_or_none(order) else _int(order, 1, MAX_ORDER)
    if o is None and not choice_or_none(order):
        raise InputError(M.BAD_ORDER.format(i=i, limit=MAX_ORDER, value=str(order)[:20]))
    if str(age_months).strip().lower() in ("expected", "待产"):
        age_months, expected = None, True
    a = None if choice_or_none(age_months) else _int(age_months, 0, MAX_AGE_MONTHS)
    if a is None and not choice_or_none(age_months):
        raise InputError(M.BAD_AGE.format(i=i, limit=MAX_AGE_MONTHS, value=str(age_months)[:20]))
    return Child(order=o, age_months=None if expected else a, expected=bool(expected) and a is None)


def choice_or_none(value) -> bool:
    """True when `value` says "unknown" in any accepted way."""
    return (
        value is None or ALIASES.get(str(value).strip().lower()) == UNKNOWN or str(value).lower() == UNKNOWN
    )


def from_dict(data) -> Family:
    """The family of a JSON request body (already size-bounded by the caller)."""
    if not isinstance(data, dict):
        raise InputError(M.NOT_AN_OBJECT)
    unknown = [k for k in data if k not in FIELDS]
    if unknown:
        raise InputError(
            M.UNKNOWN_KEY.format(keys="、".join(map(str, unknown[:5])), choices="、".join(FIELDS))
        )
    kids, adults = data.get("children") or [], data.get("parents") or []
    if not isinstance(kids, list) or not isinstance(adults, list):
        raise InputError(M.NOT_AN_OBJECT)
    _bound(len(kids), len(adults))
    children = tuple(
        child(i, **_only(c, ("order", "age_months", "expected"), i)) for i, c in enumerate(kids, 1)
    )
    parents = tuple(parent(**_only(p, ("role", "employment", "maternity_insurance"), 0)) for p in adults)
    return family(data.get("region"), children, parents, data.get("local_hukou"), data.get("housing"))


def _only(d, keys: tuple[str, ...], i: int) -> dict:
    if not isinstance(d, dict):
        raise InputError(
            M.BAD_CHILD.format(i=i, value=str(d)[:40]) if i else M.BAD_PARENT.format(value=str(d)[:40])
        )
    extra = [k for k in d if k not in keys]
    if extra:
        raise InputError(M.UNKNOWN_KEY.format(keys="、".join(map(str, extra[:5])), choices="、".join(keys)))
    return d


def _bound(children: int, parents: int) -> None:
    if children > MAX_CHILDREN:
        raise InputError(M.TOO_MANY_CHILDREN.format(limit=MAX_CHILDREN, n=children))
    if parents > MAX_PARENTS:
        raise InputError(M.TOO_MANY_PARENTS.format(limit=MAX_PARENTS, n=parents))


def parent(role=None, employment=None, maternity_insurance=None) -> Parent:
    return Parent(
        role=choice(role, ROLES, "role"),
        employment=choice(employment, EMPLOYMENT, "employment"),
        maternity_insurance=choice(maternity_insurance, TRI, "maternity_insurance"),
    )


def family(region, children=(), parents=(), local_hukou=None, housing=None) -> Family:
    """The checked family; the region must be a non-empty place name (resolved later against the plans)."""
    if not isinstance(region, str) or not region.strip():
        raise InputError(M.NO_REGION)
    if len(region) > MAX_PLACE:
        raise InputError(M.REGION_TOO_LONG.format(n=len(region), limit=MAX_PLACE))
    _bound(len(children), len(parents))
    return Family(
        region=region.strip(),
        children=tuple(children),
        parents=tuple(parents),
        local_hukou=choice(local_hukou, TRI, "local_hukou"),
        housing=choice(housing, HOUSING, "housing"),
    )


def from_specs(region, children=(), parents=(), local_hukou=None, housing=None) -> Family:
    """The family of the command line: --child 2:3 (孩次:月龄, 2:expected, unknown:unknown) and --parent
    mother:employed[:yes] (角色:就业[:生育保险])."""
    _bound(len(children), len(parents))
    kids = []
    for i, spec in enumerate(children, 1):
        bits = str(spec).split(":")
        if len(bits) != 2:
            raise InputError(M.BAD_CHILD.format(i=i, value=str(spec)[:40]))
        kids.append(child(i, order=bits[0], age_months=bits[1]))
    adults = []
    for spec in parents:
        bits = str(spec).split(":")
        if not 1 <= len(bits) <= 3:
            raise InputError(M.BAD_PARENT.format(value=str(spec)[:40]))
        adults.append(parent(*bits))
    return family(region, kids, adults, local_hukou, housing)
