"""Every sentence the chat page and its script show, in one place (data, not code). chat.js receives
SCRIPT_TEXT through /ui/config.json, so the browser side has no Chinese of its own.

Examples are templates over a region's short name ("{r}育儿假有几天？"): with a preset region the examples ask about
that region; a test checks that every one of them is answered (not refused) for every covered region."""

from __future__ import annotations

SITE_TITLE = "生育政策问答"
SITE_DESCRIPTION = (
    "用日常中文提问各地生育支持政策（婚假、产假、育儿假、生育补贴、托育等），回答引用官方实施方案原文条款。"
)
HEADER = "## 生育政策问答\n根据各地《优化生育政策促进人口长期均衡发展》实施方案作答，每个回答都附有原文出处。"
AUTO_LABEL = "自动识别"
REGION_LABEL = "地区"
MAX_CHARS = 500

GREETING_AUTO = "您好！请问您想了解哪个地区的生育支持政策？例如婚假、产假、育儿假、生育补贴、托育服务。"
GREETING_REGION = "您好！这里解答{name}的生育支持政策，例如育儿假、生育补贴、托育服务、住房支持。"
GREETING_LOCKED = "您好！这里只解答{name}的生育支持政策，例如育儿假、生育补贴、托育服务、住房支持。"

EXAMPLES_AUTO = (
    "青岛育儿假有几天？",
    "北京生育津贴怎么领取？",
    "重庆对三孩家庭有什么住房支持？",
    "通化婚假多少天？",
)
EXAMPLE_TEMPLATES = (
    "{r}育儿假有几天？",
    "{r}生育补贴有哪些？",
    "{r}托育服务有什么支持？",
    "{r}三孩家庭有什么住房支持？",
)
EXAMPLES_LABEL = "示例问题（点击即提问）"
INPUT_LABEL = "输入您的问题"
INPUT_PLACEHOLDER = "输入问题，例如：青岛育儿假有几天？"
SEND_LABEL = "发送"
CHAT_LABEL = "对话记录"
GENERAL_LINK = "前往通用问答（可查询所有地区）"
TAB_CHAT = "问答"
TAB_COMPARE = "各地对比"

# shown by chat.js
SCRIPT_TEXT = {
    "chat_label": CHAT_LABEL,
    "input_label": INPUT_LABEL,
    "send_label": SEND_LABEL,
    "region_label": REGION_LABEL,
    "counter": "已输入 {n}/{max} 字",
    "pasted_cut": "粘贴的内容有 {n} 字，超过 {max} 字上限，只保留了前 {max} 字，请精简后再发送。",
    "copy_label": "复制这条消息",
    "examples_label": EXAMPLES_LABEL,
}


def greeting(region_name: str | None, locked: bool = False) -> str:
    if not region_name:
        return GREETING_AUTO
    return (GREETING_LOCKED if locked else GREETING_REGION).format(name=region_name)


def examples(short_name: str | None) -> list[str]:
    """Example questions for a preset region (its short name), or the cross-region set."""
    if not short_name:
        return list(EXAMPLES_AUTO)
    return [t.format(r=short_name) for t in EXAMPLE_TEMPLATES]
