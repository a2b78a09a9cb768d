"""Answers inside WeChat's passive-reply window.

WeChat and WeCom wait 5 seconds for the reply to a message, then retry (three times) and finally show the user
"该公众号暂时无法提供服务". The extractive answer takes milliseconds; a chat model may take ten seconds. So with a
model configured, the model is asked first and given `budget` seconds; when it is not back by then the channel
answers with the extractive answer (the model's late reply is dropped). Either way one answer is logged, through
the server's question log (OpsAnswerer) like every other channel."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from ..ops import OpsAnswerer

log = logging.getLogger("rag.server")
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wechat-llm")


class InTime:
    """ask(): the wrapped (model) answerer's answer when back within `budget` seconds, else the extractive
    answerer's. Other attributes (docs, settings) are the wrapped one's."""

    def __init__(self, inner, extractive, budget: float):
        self.inner, self.extractive, self.budget = inner, extractive, budget

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def ask(self, question: str, region: str | None = None, history=(), **kw):
        job = _POOL.submit(self.inner.ask, question, region=region, history=history, **kw)
        try:
            return job.result(timeout=max(0.0, self.budget))
        except FutureTimeout:
            log.info("模型未在 %.1f 秒内回答，微信渠道改用摘录式回答。", self.budget)
        except Exception:  # the model failing is no reason to leave the citizen without an answer
            log.exception("模型回答失败，微信渠道改用摘录式回答。")
        return self.extractive.ask(question, region=region, history=history, **kw)


def channel_answerer(holder, channel: str, address: str, budget: float):
    """The served answerer for one channel message: logged under `channel` with the hashed `address`, and with
    a model configured, bounded by `budget` seconds (InTime)."""
    current = holder.current
    view = current.bound(channel, current.ops.client(address)) if isinstance(current, OpsAnswerer) else None
    inner = view.inner if view is not None else current
    uses_model = bool(getattr(holder.settings, "llm_base_url", ""))
    extractive = getattr(inner, "assistant", inner)
    if uses_model and extractive is not inner:
        inner = InTime(inner, extractive, budget)
    if view is None:
        return inner
    view.inner = inner  # the bound view is this message's own object: the shared answerer is unchanged
    return view
