"""`rag benefits` (the screen of one family) and `rag benefits rules` (the rules of a plan), over an Assistant."""

from __future__ import annotations

from ..errors import InputError
from . import family as F
from .screen import screen
from .view import rule_lines, rules_dict, screening_lines

NEED_REGION = "请用 --region 指定地区（如 --region 青岛）。"


def run(args, asst, print_json) -> int:
    if not args.region:
        raise InputError(NEED_REGION)
    if args.what == "rules":
        if args.json:
            print_json(rules_dict(asst, args.region))
        else:
            print("\n".join(rule_lines(asst, args.region)))
        return 0
    fam = F.from_specs(args.region, args.child, args.parent, args.hukou, args.housing)
    result = screen(asst, fam)
    if args.json:
        print_json(result.to_dict())
    else:
        print("\n".join(screening_lines(result)))
    return 0
