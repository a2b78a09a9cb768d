"""Every sentence a citizen reads, in one place: templates, refusals, draft and scope notes, topic lists.

Placeholders are filled with str.format; region names inside sentences are the short display names (通化市),
never the metadata's long form. Code and comments elsewhere stay in English; wording changes happen here only.
"""

from __future__ import annotations

# ---- input ----------------------------------------------------------------------------------------------
NOT_TEXT = "{field}必须是文字。"
EMPTY = "{field}不能为空，请输入您想了解的政策问题。"
TOO_LONG = "{field}太长（{n} 字），请精简到 {limit} 字以内。"
UNREADABLE = "{field}包含无法识别的字符（不成对的 Unicode 代理项），请重新输入。"
UNKNOWN_REGION = "未知地区 {region!r}，可选：{choices}。"

# ---- refusals -------------------------------------------------------------------------------------------
INJECTION = (
    "抱歉，我只能依据已收录的生育支持政策文件回答政策问题，不能执行修改设定、扮演其他角色或透露内部提示词等要求。"
    "请直接提出您想了解的政策问题，例如“青岛市产假有多少天？”"
)
TOPICS = "婚假、产假、陪产假、育儿假、生育保险、托育、住房、教育、个人所得税、就业权益"
OFF_TOPIC = (
    "抱歉，已收录的生育支持政策文件中没有与这个问题相关的内容。我可以回答{covered}关于"
    + TOPICS
    + "等方面的政策。"
)
NO_CLAUSE = "{region}的《{title}》中没有找到与这个问题直接相关的规定，无法给出依据。具体办理事项建议咨询当地12345热线。"
NOT_COVERED = (
    "目前收录的政策文件中没有{places}的方案，无法回答。已收录的地区：{covered}。您可以指明其中一个地区再问。"
)
# a message that is nothing but a greeting or thanks (你好 / 谢谢): greeted back, never "no relevant content"
GREETING_REPLY = (
    "您好！我可以解答{covered}的生育支持政策，例如" + TOPICS + "。请问您想了解哪个地区的哪方面政策？"
)
THANKS_REPLY = "不客气！如果还想了解其他生育支持政策，请继续提问。"
WHICH_TOPIC = "请问您想了解{regions}生育支持政策的哪一方面？例如：" + TOPICS + "、计划生育家庭扶助。"
ALL_REGIONS_NAME = "各地"

# ---- region notices (preset region vs the region named in the question) --------------------------------
REGION_SWITCHED = "您问的是{region}的政策："
REGION_LOCKED = "这里只解答{locked}的政策；{asked}的问题请到通用的生育政策问答中提问。"

# ---- draft and scope notes ------------------------------------------------------------------------------
DRAFT_NOTE = "（注意：该文件为征求意见稿，内容以正式发布的文件为准。）"
DRAFT_TAG = "（征求意见稿）"
DRAFT_MANY = "注意：标注“征求意见稿”的文件内容以正式发布的文件为准。"
SCOPE_PARENT = "说明：以上是{plan}的方案，可能不适用于{asked}的其他地方。"
SCOPE_NEARBY = "说明：以上是{scope}的方案，可能不适用于{asked}，请以当地规定为准。"
SCOPE_WITHIN = "说明：{asked}属于{plan}，以上是{plan}的方案；{asked}如有本地的具体规定，请以当地规定为准。"

# ---- fact answers ---------------------------------------------------------------------------------------
BASIS = "依据：《{title}》{section} [{n}]"
ORIGINAL = "（原文：“{sentence}”）"
NO_NUMBER = "方案原文为“{sentence}”，但没有规定具体的{what}。"
NO_NUMBER_WHAT = {"天数": "天数", "金额": "金额", "比例": "比例", "数量": "数量", "": "标准"}

# ---- several regions ------------------------------------------------------------------------------------
MULTI_ALL = "您没有指明地区，以下按已收录的各地方案分别作答："
MULTI_SOME = "各地区分别如下："
REGION_NOT_FOUND = "{region}：方案中未找到相关规定。"

# ---- one place under several plans (county → city → province, issue 25) ---------------------------------
LEVEL_WORD = {"province": "省级", "city": "市级", "district": "区级", "county": "县级"}
LAYER_SILENT = "{name}的方案中没有找到这方面的规定；以下是上级方案的规定："
LAYER_UPPER = "{name}（{level}规定）：{fact} [{n}]"
LAYER_REFERS_UP = "{name}的方案把这件事交给{level}规定：“{sentence}” [{n}]"
LAYER_REFERS_DOWN = "{name}（{level}规定）把具体标准交给下级确定：“{sentence}” [{n}]"
LAYER_NOT_HELD = "未收录{level}的方案，无法给出{level}的具体规定。"
LAYERS_NOTE = "说明：以上按{names}的顺序列出各级方案各自的规定，每条出自所标明的一级方案；各级规定分别列出，不代为合计。"
# a place inside a covered province whose own plan is not held (望澜市 in 澜海省; 贵阳 in 贵州省)
NO_OWN_PLAN = "未收录{place}自己的方案；以下是{plan}的规定，{where}可能另有规定。"
NO_OWN_WHERE = {"市": "市里", "州": "州里", "盟": "盟里", "县": "县里", "旗": "旗里", "区": "区里"}
NO_OWN_WHERE_ELSE = "当地"

# ---- lists ----------------------------------------------------------------------------------------------
LIST_HEAD = "{region}的方案中与此相关的规定有："
# counts in Chinese numerals (rag.answers.listing.cn_count): every Arabic digit an answer shows is a plan's figure
LIST_HEAD_COUNT = "{region}的方案中与此相关的规定共{n}项，出自{k}个条款："
COMPARE_LIST_EXTRA = "区别：{region}列出的“{items}”，{other}的这条规定没有列出。"
OTHER_YEAR = "方案没有写到{asked}年的这项目标，下面是到{said}年的目标："
LIST_NOT_THE_THING = "{region}的方案中没有写到“{thing}”方面的规定；"
LIST_HEAD_FIRST = "{region}的方案中与此相关的规定较多，以下列出最相关的{n}项，出自{k}个条款："
LIST_GROUP = "{heading}："
LIST_MORE = "另有其他相关条款未列出，可查看《{title}》全文。"  # no count: every digit of an answer comes from a clause

# ---- comparisons ----------------------------------------------------------------------------------------
COMPARE_VERDICT_MORE = "{winner}的{benefit}{adj}：{values}。"
COMPARE_VERDICT_STRICTER = "{winner}的目标更严（数值更低）：{values}。"
COMPARE_VERDICT_SAME = "{regions}的{benefit}一样：{values}。"
COMPARE_VERDICT_SAME_NUMBER = "{regions}的{benefit}数字相同：{values}（{floors}写的是下限，实际可能更多）。"
COMPARE_SIDE_HEAD = "各地的规定写法不完全一样，分别如下（原文对照）："
COMPARE_SIDE_SAME = "各地的规定原文相同："
COMPARE_SIDE_NONE = "{region}：方案中未找到相关规定。"
COMPARE_NO_VERDICT = "无法直接比较：{reason}。"
COMPARE_REASON_NO_NUMBER = "{regions}的方案没有规定具体的{what}"
COMPARE_REASON_UNITS = "各地规定的口径不同（{values}）"
COMPARE_REASON_QUALIFIER = "各地规定的口径不同（{values}），需结合具体条件看"
COMPARE_REASON_MISSING = "{regions}的方案中未找到相关规定"
COMPARE_VALUE = "{region}{value}"
COMPARE_WHAT_LABEL = {"天数": "假期", "金额": "金额", "比例": "比例", "数量": "数量", "": "规定"}
COMPARE_REASON_YEARS = "各地的数字是不同年份的目标（{values}）"
COMPARE_REASON_ONLY = "只有{region}的方案规定了具体的{what}，{others}的方案没有规定"
COMPARE_REASON_DIFFER = "，各地规定的内容不完全一样"
COMPARE_NOTE_FLOOR = "（{region}规定的是下限“{value}”，实际可能更多）"
COMPARE_NOTE_CAP = "（{region}规定的是上限“{value}”，实际可能更少）"
COMPARE_ALSO_UNSTATED = "{regions}的方案没有规定具体的{what}。"
COMPARE_LINE = "{region}{draft}：{fact} [{n}]"
COMPARE_UNSPECIFIED = (
    "{region}{draft}：方案中提到{benefit}，但没有规定具体的{what}（原文：“{sentence}”）[{n}]"
)
ADJ_MORE = {"天数": "更长", "金额": "更高", "比例": "更高", "": "更多"}
ADJ_LESS = {"天数": "更短", "金额": "更低", "比例": "更低", "": "更少"}
MOST_HEAD = "已收录的各地中，"

# ---- yes / no -------------------------------------------------------------------------------------------
YES = "有。"
NO = "没有。"
CAN = "可以。"
CANNOT = "不可以。"
NOT_MENTIONED = "方案中没有提到{thing}。"
NOT_ANSWERED = "方案提到了{thing}，但没有写到您问的这种情况。"
# a benefit named (or carried over from the dialogue) that the region's plan never speaks of: an answer, not a refusal
NO_RULE = "{region}的方案中没有提到{thing}。"
SILENT_BASIS = "依据：《{title}》全文 [1]"
# the rule found names some districts and not the one asked about (青岛黄岛区… / 在市南区、市北区范围内…)
PLACE_LIMITED = "方案中没有提到{place}：这条规定只写了{places}。"
RELATED = "相关的规定（并非您问的内容）：{fact}"
MISUSED = "没有。{benefit}不适用于您说的“{situation}”这种情况。"
MISUSED_FOR = "没有。{benefit}不适用于您说的“{situation}”这种情况，对应的是{instead}。"
MISUSED_INSTEAD = "{benefit}的规定是：{fact} [{n}]"

# ---- follow-ups -----------------------------------------------------------------------------------------
TYPO_FIXED = "（已按“{fixed}”理解您的问题。）"

# ---- web page: chat page and widget (used through rag/server/ui_text.py) ---------------------------------
PAGE_TITLE = "生育政策问答"
PAGE_DESCRIPTION = (
    "用日常中文提问各地生育支持政策（婚假、产假、育儿假、生育补贴、托育等），回答引用官方实施方案原文条款。"
)
PAGE_HEADER = (
    "# 生育政策问答\n根据各地《优化生育政策促进人口长期均衡发展》实施方案作答，每个回答都附有原文出处。"
)
PAGE_AUTO_REGION = "自动识别"
PAGE_REGION_LABEL = "地区"
PAGE_GREETING_AUTO = "您好！请问您想了解哪个地区的生育支持政策？例如婚假、产假、育儿假、生育补贴、托育服务。"
PAGE_GREETING_REGION = "您好！这里解答{name}的生育支持政策，例如育儿假、产假、托育服务、住房支持。"
PAGE_GREETING_LOCKED = "您好！这里只解答{name}的生育支持政策，例如育儿假、产假、托育服务、住房支持。"
PAGE_EXAMPLES_AUTO = (
    "青岛育儿假有几天？",
    "北京生育津贴怎么领取？",
    "重庆对三孩家庭有什么住房支持？",
    "通化婚假多少天？",
)
# {r}: a region's short name; every template must be answered for every covered region (tests/test_ui.py)
PAGE_EXAMPLE_TEMPLATES = (
    "{r}育儿假有几天？",
    "{r}生育保险怎么报销？",
    "{r}托育服务有什么支持？",
    "{r}三孩家庭有什么住房支持？",
)
PAGE_EXAMPLES_LABEL = "示例问题（点击即提问）"
PAGE_INPUT_LABEL = "输入您的问题"
PAGE_INPUT_PLACEHOLDER = "输入问题，例如：青岛育儿假有几天？"
PAGE_SEND = "发送"
PAGE_CHAT_LABEL = "对话记录"
PAGE_GENERAL_LINK = "前往通用问答（可查询所有地区）"
PAGE_TAB_CHAT = "问答"
PAGE_TAB_COMPARE = "各地对比"
PAGE_COUNTER = "已输入 {n}/{max} 字"
PAGE_PASTE_CUT = "粘贴的内容有 {n} 字，超过 {max} 字上限，只保留了前 {max} 字，请精简后再发送。"
PAGE_COPY = "复制这条消息"
# Gradio's English names on the Chatbot's feedback buttons, shown in Chinese by chat.js
PAGE_FEEDBACK_LABELS = {
    "Like": "赞",
    "Liked": "已赞",
    "Dislike": "踩",
    "Disliked": "已踩",
    "Feedback": "其他反馈",
}
PAGE_COMPARE_NOTE = (
    "下表由各地方案原文自动整理，点击数值后的编号可查看原文条款；“未规定”表示方案中没有找到该项。"
)
PAGE_COMPARE_UNAVAILABLE = "暂时无法显示各地对比：{reason}"
PAGE_COMPARE_EMPTY = "对比表为空"
PAGE_COMPARE_BENEFIT = "待遇"
PAGE_COMPARE_LINK = "查看第 {n} 条条款原文"
PAGE_CITE_LINK = "查看第 {n} 条依据"
PAGE_CITE_OPEN = "查看原文"
PAGE_CITE_SOURCE = "查看原文（官网）"
PAGE_CITE_REPORT = "报告此条款有误"
PAGE_LIST_MORE = "更多（还有 {n} 条）"
PAGE_NEXT_OFFICE = "具体怎么办理，请咨询{office}及其相关部门，或拨打 12345 政务服务便民热线。"
PAGE_NEXT_GENERAL = "如需进一步咨询，可拨打 12345 政务服务便民热线。"
PAGE_NEXT_REACH = "联系方式："
PAGE_NEXT_PHONE = "电话 "
PAGE_NEXT_WEB = "网站 "
PAGE_REGION_UNKNOWN = "没有找到地区“{value}”，已改为自动识别：请在问题里说明地区。"
PAGE_REGION_UNKNOWN_CONSOLE = "生育政策问答：data-region=“{value}” 不是已收录的地区（可写 slug、地区名或简称，如 qingdao、青岛市、青岛），已改为自动识别。"
PAGE_SUGGEST = "您可能还想问："
PAGE_SUGGEST_VAGUE = "您是不是想问："
PAGE_PRINT = "打印或保存本次对话"
PAGE_PRINT_SHORT = "打印"
PAGE_SPEAK = "朗读"
PAGE_SPEAK_STOP = "停止朗读"
PAGE_VOICE = "语音输入"
PAGE_VOICE_STOP = "停止语音输入"
PAGE_VOICE_FAILED = "没有听清，或这台设备不能语音输入：请再试一次，或直接打字。"
PAGE_ELDER = "长辈版"
PAGE_ELDER_HINT = "大字、大按钮、无弹窗，可朗读回答"
# chat.js: the sheet under 👎, and Chinese for Gradio's remaining English (toasts, aria labels)
PAGE_FEEDBACK_SHEET = {
    "title": "这条回答哪里不对？",
    "detail": "哪里不对？（选填）",
    "send": "提交",
    "close": "关闭",
    "thanks": "谢谢，您的反馈已记录，工作人员会查看。",
    "failed": "反馈没有发送成功，请稍后再试。",
    "report_reason": "答案错误",
    "report_detail": "第{n}条依据（{where}）有误：",
}
PAGE_GRADIO_TEXT = {
    "Info": "提示",
    "Warning": "注意",
    "Error": "出错了",
    "Success": "完成",
    "Scroll down": "滚到最新消息",
    "More tabs": "更多标签页",
    "Close": "关闭",
    "Clear": "清空对话",
    "Connection to the server was lost. Attempting reconnection...": "与服务器的连接已断开，正在重新连接……",
    "Connection re-established.": "已重新连接。",
    "Connection can be lost in the background on mobile devices.": "手机在后台时连接可能会断开。",
    "common.complete": "已完成",
    "common.error": "出错了",
    "common.loading": "加载中",
    "common.progress": "进度",
    "common.clear": "清空",
    "bot's message": "回答",
    "user's message": "您的问题",
}

# ---- national scale (many plans: ask for the region; 哪个地方…最… from the benefits table) ---------------
WHICH_REGION = (
    "已收录{n}个地区的方案，请问您想了解哪个地区的{topic}？请说明省、市或区县，例如“{example}的{topic}”。"
)
WHICH_REGION_TOPIC = "政策"
WHICH_PLACE = "您说的{name}是{options}的？请说明所在的市或省。"
WHICH_PLACE_OR = "的还是"
COVERED_MANY = "{names}等{n}个地区"
TOP_HEAD = "已收录的{total}个地区中，{benefit}{adj}的是："
TOP_TIED = "另有{count}个地区同为{value}。"
TOP_NONE = "已收录的各地方案中没有可以直接排序的{benefit}{what}，请指明地区再问。"
TOP_NO_TABLE = "各地对照表中没有这一项，无法直接排出哪里最{adj}；请指明地区再问。"
ADJ_MOST = {"天数": "最长", "金额": "最高", "比例": "最高", "": "最多"}
ADJ_LEAST = {"天数": "最短", "金额": "最低", "比例": "最低", "": "最少"}

# ---- rag compare, GET /api/compare and the compare tab (rag/benefits/view.py) ---------------------------------------
COMPARE_EMPTY_NAME = "请填写要对比的待遇名称，例如：育儿假。"
COMPARE_NAME_TOO_LONG = "待遇名称太长（{n} 字），请精简到 {limit} 字以内。"
COMPARE_UNKNOWN = "没有找到可对比的待遇“{name}”。可对比的待遇有：{choices}。"
COMPARE_NOT_COMPARABLE = "“{key}”没有可对比的数值，不在各地对比表中。可对比的待遇有：{choices}。"
COMPARE_NO_TABLE = "索引中没有各地待遇对照表：请运行 `rag index` 重建索引。"
COMPARE_NOT_COVERED = "未规定"
COMPARE_NO_NUMBER = "提到但未规定具体{kind}"
COMPARE_HEADER = ("地区", "数值", "限定", "条件", "条款")
COMPARE_RESOLVED_NOTE = "（按“{key}”对比）"

# ---- plan metadata answers (rag/answers/meta.py; fields from seeds/documents.toml) --------------------------------
META_HEAD = "{region}的方案《{title}》："
META_DATE = "文件日期为{date}。"
META_DATE_RULE = "方案写明：“{sentence}”"
META_DATE_NO_RULE = "方案正文没有另写施行（生效）日期。"
META_DATE_EMPTY = "收录的文件信息中未载明这份文件的日期。"
META_ISSUER = "发文机关为{issuer}。"
META_ISSUER_EMPTY = "收录的文件信息中未载明发文机关。"
META_NUMBER = "文号为{number}。"
META_NUMBER_EMPTY = "收录的文件信息中未载明这份文件的文号（发文字号）。"
META_NUMBER_YES = "是的，文号为{number}。"
META_NUMBER_NO = "不是：{claimed}不是这份文件的文号。"
META_NUMBER_UNCHECKED = "无法核对“{claimed}”是不是它的文号，建议向发文机关确认。"
META_NUMBER_QUOTED = "方案正文中这个文号指的是另一份文件：“{sentence}”"
META_STATUS_FINAL = "这是正式印发的文件（{status}）。"
META_DRAFT_DATE = "收录的这份征求意见稿日期为{date}。"
META_STATUS_DRAFT = "这是{status}，不是正式文件，内容以正式发布的文件为准。"
META_TITLE = "文件名称为《{title}》。"
META_VALIDITY = "方案正文没有写明有效期，收录的信息中也没有它被新版本替代的记录。"
META_SUPERSEDED = "这份文件已被收录的新版本替代，回答以新版本为准。"
META_BASIS = "依据：收录文件信息《{title}》（{issuer}{date}）[{n}]"
META_SECTION = "文件信息"

# ---- verdicts from claims (rag/answers/verdict.py): never 有/可以 for what a plan only encourages or announces --
ENCOURAGED = "方案中没有规定具体的{what}：{region}的方案只是提出鼓励、支持（原文：“{part}”）。"
ENCOURAGED_FIGURE = "这不是硬性规定：{region}的方案只是鼓励（原文：“{part}”）。"
EXPLORING = "方案中没有规定具体的{what}：{region}的方案只是提出今后逐步建立（原文：“{part}”）。"
# the clause found does not settle what the question asks in its own words (攒到明年 / 水电按居民价): the clause leads,
# no verdict, and a note says which words the plan does not use (true literally; never "not what you asked")
UNSETTLED_NOTE = "说明：方案原文没有写到“{asked}”，以上是最相关的条款，是否适用请以原文为准。"
# the next step when a plan does not settle the question: the issuing government, or the hotline (no digits: every
# number of an answer comes from its cited clause)
# a question asking where / how / with which papers (aspects.toml) when the cited clauses do not say
ASPECT_UNSTATED = "说明：方案没有写明{what}。"
ASPECT_BESIDE = "同一条款还写道：{said}"
NEXT_STEP = "具体办理条件和流程，建议咨询{issuer}有关部门或当地政务服务便民热线。"
NEXT_STEP_HOTLINE = "具体办理条件和流程，建议咨询当地政务服务便民热线。"
# a question asserting a figure (是不是20天 / 听说给3000块): checked against the plan's claim, never echoed
PREMISE_TRUE = "是。{region}：{fact}"
PREMISE_FALSE = "不是。{region}的方案{about}规定的是：{fact}"
ONLY_FOR = "说明：这条规定写明适用于{who}家庭，您说的情况不在其中；其他情况请向当地有关部门咨询。"
AGE_OUTSIDE = "说明：这条规定写的是{limit}，您说的孩子年龄已不在这个范围内。"
PREMISE_CAN = "可以。{region}：{fact}"
PREMISE_STATES = "{region}的方案{about}规定的是：{fact}"
PREMISE_ADDED = "{region}的方案{about}规定的是在国家规定之外增加的天数，没有写明合计是多少：{fact}"
PREMISE_FIGURE_AT = "{region}的方案中，这个数字出自这项规定：{fact}"
PREMISE_FIGURE_NOT_GRANTED = (
    "不是。{region}的方案中，这个数字出自这项规定：{fact}；方案没有规定“{asked}”是这个数字。"
)
PREMISE_UNSTATED = "方案中没有规定{thing}具体的{what}（{region}），无法证实{said}这个说法。"
PREMISE_OTHER_RULE = "方案中出现这个数字的是另一项规定（并非您问的内容）：{fact}"
