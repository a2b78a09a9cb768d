"""Labels the operator reads: Beijing time with the zone shown, channel and outcome names (shared by the report and
the console's gap queue)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "北京时间")
CHANNELS = {"ui": "网页", "widget": "嵌入窗口", "api": "API", "v1": "OpenAI 兼容接口", "python": "Python"}
OUTCOMES = {
    "answered": "已回答",
    "clarify": "请用户说明",
    "not_stated": "方案未规定",
    "not_covered": "未收录该地",
    "off_topic": "与政策无关",
    "refused": "未能回答",
    "locked": "地区锁定转介",
    "injection": "拒绝指令注入",
    "pinned": "置顶回答",
}


def beijing(ts: datetime | None) -> str:
    """A stored UTC time as the operator reads it, with the zone shown."""
    if ts is None:
        return ""
    return ts.replace(tzinfo=timezone.utc).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + "（北京时间）"
