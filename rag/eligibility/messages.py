"""Every sentence the eligibility screen (我能享受什么) shows a citizen or an operator, in one place; each is a
format template."""

# -- input errors (the family's situation) ----------------------------------------------------------------------
NOT_AN_OBJECT = "请求内容应为一个 JSON 对象（包含 region、children、parents 等字段）。"
NO_REGION = "请填写所在地区（如：青岛、北京市朝阳区）。"
REGION_TOO_LONG = "地区名称过长（{n} 字，上限 {limit} 字），请只填写地名。"
UNKNOWN_PLACE = "目前收录的方案中没有您填写的地区的方案。已收录的地区：{covered}。"
TOO_MANY_CHILDREN = "孩子最多填写 {limit} 个（收到 {n} 个）。"
TOO_MANY_PARENTS = "父母最多填写 {limit} 位（收到 {n} 位）。"
BAD_FIELD = "“{field}”的取值无法识别，可选：{choices}。"
BAD_AGE = "第 {i} 个孩子的月龄应为 0 到 {limit} 之间的整数；尚未出生请填 expected，不清楚请填 unknown。"
BAD_ORDER = "第 {i} 个孩子的孩次应为 1 到 {limit} 之间的整数，不清楚请填 unknown。"
BAD_CHILD = "第 {i} 个孩子的写法无法识别。写法：孩次:月龄，如 2:3 表示二孩、3 个月；2:expected 表示待产。"
BAD_PARENT = "父母的写法无法识别。写法：角色:就业，如 mother:employed。"
UNKNOWN_KEY = "有无法识别的字段。可用字段：{choices}。"

# -- the screen's output ---------------------------------------------------------------------------------------
DRAFT = "注意：{region}的方案为征求意见稿，内容以正式发布的文件为准。"
SCOPE = (
    "说明：结果只依据所列方案条款中写明的条件逐项核对，不代表最终资格，具体以经办部门审核为准；"
    "方案没有写明具体标准的项目只列为“可能符合”。金额、天数均照录条款原文，不做合计。"
)
NOTHING = "根据您填写的情况，{region}的方案中没有找到写明具体条件且适用于您家庭的项目。"
ENCOURAGED = "方案鼓励{what}，尚无具体标准"
EXPLORING = "方案提出{what}，尚无具体标准"
NO_FIGURE = "方案提到：{what}（未写明具体{kind}）"
CHECK_MODALITY = "方案只是鼓励或探索，尚无具体标准：请向当地了解是否已出台细则"
CHECK_NO_FIGURE = "方案没有写明具体{kind}：请向经办部门了解具体标准"
CHECK_CONDITION = "请核对方案写明的条件：{text}"
ASSUMED = (
    "以下按您描述的情况理解：{facts}；其余按“不清楚”处理。可以在“我能享受什么”表单中补充后查看更准确的结果。"
)
UNIT_KIND = {"天数": "天数", "金额": "金额", "比例": "比例"}

# -- the command line --------------------------------------------------------------------------------------------
CLI_ITEM = "{n}. 【{status}】{name}：{summary}"
CLI_TO_CHECK = "   需核对：{text}"
CLI_CONDITION = "   条件原文：{text}"
CLI_CITE = "   依据：{doc} {clause}：{text}"
CLI_QUESTIONS = "补充以下情况可让结果更准确："
CLI_RULE = "{clause}\t{benefit}\t{figure}\t{modality}\t{conditions}\t{source}"
NO_RULES = "{region}的方案中没有读出可筛查的规则（没有写明对象和标准的假期、补贴、保险、税收、公积金条款）。"
IMPLICIT = {
    "birth": "〔隐含〕刚出生或待产",
    "leave:mother": "〔隐含〕妈妈在职",
    "leave:father": "〔隐含〕爸爸在职",
    "leave:parent": "〔隐含〕父母在职",
}
CLI_RULE_HEADER = ("条款", "项目", "数值", "力度", "条件", "来源")
