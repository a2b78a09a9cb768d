"""Every sentence a WeChat / WeCom user reads from the channel itself (answers come from the answerer)."""

from __future__ import annotations

GREETING = (
    "您好，欢迎关注！我可以解答{covered}的生育支持政策，每个回答都注明出自哪份文件的哪一条。\n"
    "您可以这样问：\n{examples}\n"
    "发送“地区 青岛”或发送位置可以设定地区；发送“重新开始”清除对话。"
)
RESTARTED = "好的，已重新开始。请问您想了解哪个地区的哪方面政策？"
REGION_SET = "已将地区设为{region}。请问您想了解{region}的哪方面政策？"
REGION_UNKNOWN = "暂未收录“{name}”的政策文件。已收录的地区：{covered}。"
LOCATION_UNKNOWN = (
    "无法从您发送的位置确定地区。已收录的地区：{covered}。您可以发送“地区 青岛”这样的文字来设定。"
)
VOICE_UNRECOGNISED = "抱歉，没能识别这段语音，请用文字再问一次。"
NOT_SUPPORTED = "抱歉，我只能回答文字或语音提出的政策问题，请直接输入您的问题，例如“青岛育儿假有几天？”"
EMPTY = "请输入您想了解的政策问题，例如“青岛育儿假有几天？”"
RATE_LIMITED = "您的提问太频繁了，请{wait}秒后再问。"
BUSY = "抱歉，系统正忙，没能及时查到答案，请稍后再发送一次您的问题。"
FAILED = "抱歉，处理这个问题时出错了，请稍后再试。"
FULL_ANSWER = "完整回答与原文条款：{url}"
CUT_MARK = "……（内容较长，已截断）"
CITATION = "依据：{cites}。"
SELF_TEST = "自检：青岛育儿假有几天？"
PAGE_TITLE = "生育政策问答"
PAGE_SOURCES = "原文条款"
RATE_PROMPT = "这个回答对您有帮助吗？"
THANKS = "谢谢您的反馈！"
ANSWER_GONE = "这个回答已过期或不存在，请在对话中重新提问。"
