"""`rag wechat check`: registered by rag/cli.py; imports nothing heavy until it runs."""

from __future__ import annotations

import sys


def register(sub, settings_of) -> None:
    sp = sub.add_parser("wechat", help="WeChat / WeCom callbacks: URLs to configure and a self-test")
    wsub = sp.add_subparsers(dest="wechat_cmd", required=True)
    check = wsub.add_parser("check", help="print the callback URLs and self-test a running `rag serve`")
    check.add_argument(
        "--server", default="http://127.0.0.1:7860", help="the running server (default %(default)s)"
    )
    check.add_argument("--no-test", action="store_true", help="only print the URLs")
    check.set_defaults(func=lambda args: cmd_check(args, settings_of))


def cmd_check(args, settings_of) -> int:
    from ...config import load_settings
    from .check import print_urls, self_test
    from .config import load_channel_config

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
