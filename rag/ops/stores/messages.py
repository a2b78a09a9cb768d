"""Every sentence a citizen or an operator reads from the question log, feedback, report and pinned answers.

Kept in one place (the project's rag/messages.py belongs to another branch); merge into it when both land.
"""

from __future__ import annotations

FEEDBACK_THANKS = "感谢您的反馈！"
FEEDBACK_UNKNOWN_ID = "未找到这条回答（编号不存在或已过期），无法记录反馈。"
FEEDBACK_BAD_RATING = "评价只能是 up（有帮助）或 down（没帮助）。"
FEEDBACK_COMMENT_TOO_LONG = "补充说明太长，请精简到 {limit} 字以内。"
FEEDBACK_DISABLED = "本服务未开启反馈功能。"
FEEDBACK_DB_DOWN = "暂时无法记录反馈，请稍后再试。"
DOWN_REASONS = ("答案错误", "没回答我的问题", "看不懂", "其他")

PINNED_LABEL = "（此回答已由工作人员核对。）"

ADMIN_DISABLED = "未启用管理页面（未设置 RAG_ADMIN_TOKEN）。"
ADMIN_BAD_TOKEN = "需要正确的管理令牌才能查看。"

PIN_NO_CITE = "请用 --cite 给出至少一个条款编号。"
PIN_UNKNOWN_CLAUSE = "条款编号 {clause} 不在当前索引中（可用 rag chunks 查看编号）。"
PIN_NUMBER_MISSING = "回答中的数字“{number}”没有出现在所引用的条款原文中，不能置顶。"
PIN_EMPTY = "问题和回答都不能为空。"
PIN_TOO_LONG = "问题限 {q} 字、回答限 {a} 字以内。"
PIN_NOT_FOUND = "没有编号为 {id} 的置顶回答。"
PIN_CLAUSE_CHANGED = "所引用的条款 {clause} 在重建索引后内容有变化，已暂停使用，请核对后重新置顶。"
PIN_CLAUSE_GONE = "所引用的条款 {clause} 在重建索引后已不存在，已暂停使用。"

STORE_BAD_URL = "数据库地址 RAG_DATABASE_URL 无法使用：{error}"
STORE_DOWN = "无法连接数据库：{error}"
STORE_FILE_GONE = "数据库文件 {path} 已被删除：之后的记录将写入重新创建的文件。"
STORE_FILE_REPLACED = "数据库文件 {path} 已被替换：之后的记录将写入新文件。"
STORE_FILE_UNREADABLE = "无法读取数据库文件 {path}：{error}"
STORE_FILE_READONLY = "数据库文件 {path} 不可写。"
LOG_WAITING = "提问与反馈记录暂时无法写入数据库（{error}），{n} 条在内存中等待重试。"
LOG_RECOVERED = "数据库已恢复，等待中的 {n} 条记录已写入。"
LOG_DROPPED_BAD = "有 {n} 条记录数据库拒收（{error}），已丢弃并计数。"
LOG_DROPPED_AT_STOP = "停止服务时数据库仍不可用，{n} 条提问与反馈记录未能写入（已计数）。"
BAD_SINCE = "时间范围 {value!r} 不合法，请写成 7d（天）、12h（小时）或 2026-11-01 这样的日期。"
BAD_DATE = "日期 {value!r} 不合法，请写成 2026-11-01 这样的格式。"
NOTHING_TO_REPORT = "所选时间范围内没有记录到任何提问。"
PURGED = "已删除 {before} 之前的 {questions} 条提问记录和 {feedback} 条反馈。"

# operator commands (rag report / pin / log)
CLI_HTML_WRITTEN = "已写入 HTML 报告：{path}"
CLI_CSV_WRITTEN = "已导出 {n} 条提问记录：{path}"
CLI_SUMMARY = "提问 {questions} 条，未能回答 {refused} 条（{rate:.1%}），👍 {up} / 👎 {down}，响应 p50 {p50} ms / p95 {p95} ms"
CLI_GROUP_TITLES = {
    "top_questions": "问得最多",
    "refused_questions": "未能回答",
    "disliked_questions": "点了👎",
}
CLI_GROUP_LINE = "  {count:>4}  {region} {terms}（{intent}）例：{example}"
CLI_SUSPENDED = "已暂停的置顶回答 #{id}：{question} — {reason}"
CLI_PINNED = "已置顶 #{id}。"
CLI_PIN_REMOVED = "已删除置顶回答 #{id}。"
CLI_PINS_CHECKED = "已核对置顶回答：新暂停 {n} 条。"
CLI_NO_PINS = "还没有置顶回答。"
CLI_PIN_ACTIVE = "使用中"
CLI_PIN_SUSPENDED = "已暂停：{reason}"
CLI_PIN_LINE = "#{id} [{state}] {question}\n    {answer}\n    引用：{clauses}"
CLI_GOLD_UNREADABLE = "无法读取金标准 {path}：{error}"
CLI_PIN_CHECK_FAILED = "未能核对置顶回答：{error}"
CLI_PIN_SUSPENDED_AFTER_INDEX = "置顶回答 #{id} 已暂停：{reason}"
NO_INDEX = "没有找到索引（{path}）：请先运行 `rag index`。"
UNSPECIFIED_REGION = "未指明"
REGIONS_MORE = "{names}等{n}地"
NO_CJK_FONT = (
    "未找到中文字体，报告图表中的中文将无法显示：请安装 fonts-noto-cjk，或用 RAG_CJK_FONT 指定字体文件。"
)
KIND_NAMES = {
    "fact": "事实",
    "list": "列举",
    "compare": "多地对比",
    "yesno": "是否",
    "followup": "追问",
    "clarify": "请用户说明",
    "refuse": "未能回答",
    "refused": "未能回答",
    "pinned": "置顶回答",
    "": "未分类",
}

# rag report --alert (one line each, for cron and monitors)
ALERT_FACTS = "近 {minutes} 分钟：提问 {n} 条，未能回答 {refused} 条（{r_share:.0%}），评价没帮助 {down}/{rated}（{d_share:.0%}）"
ALERT_LINE = "告警：{facts}；{over}。"
ALERT_REFUSED_OVER = "未能回答比例超过 {limit:.0%}"
ALERT_DOWN_OVER = "没帮助比例超过 {limit:.0%}"
ALERT_OK = "正常：{facts}。"
ALERT_TOO_FEW = "正常（提问少于 {min} 条，不作判断）：{facts}。"
ALERT_BAD_SETTING = (
    "告警设置 {name} 的值 {value!r} 不合法：比例写 0 到 1 之间的小数，条数和分钟数写非负整数。"
)

# the console (/admin)
CONSOLE_BAD_FILTER = "筛选条件 {name} 的值不合法。"
PROBE_BAD_QUESTION = "请输入要测试的问题（{limit} 字以内）。"
PROBE_BAD_REGION = "所选地区不在当前索引中。"
CONSOLE_NO_GROUP = "没有这个问题组（可能已处理，或已超出统计范围）。"
CONSOLE_FORM_TOO_BIG = "提交的内容太长。"
STORE_UNAVAILABLE = "数据库暂时不可用，请稍后再试（提问与回答不受影响）。"
