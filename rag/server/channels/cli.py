"""`rag wechat check`: declared in rag/cli.py, which imports this module only when the command runs."""

from __future__ import annotations

import sys

from ...config import load_settings
from .check import print_urls, self_test
from .config import load_channel_config


def cmd_check(args) -> int:
    channels = load_channel_config(load_settings())
    if not channels.enabled:
        print(
            "未配置微信渠道：请设置 RAG_WECHAT_TOKEN（公众号）或 RAG_WECOM_TOKEN（企业微信），见 docs/wechat.md。",
            file=sys.stderr,
        )
        return 1
    print_urls(channels)
    if args.no_test:
        return 0
    ok_all = True
    for account in (channels.mp, channels.work):
        if account is not None:
            ok, line = self_test(account, args.server)
            print(f"自检 {args.server.rstrip('/')}{account.path}：{line}")
            ok_all = ok_all and ok
    return 0 if ok_all else 1
