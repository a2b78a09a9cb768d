"""Every sentence the ingest stage shows a person (operator previews, index report, file problems), in one place.

Kept here until the project's rag/messages.py exists on this branch; each is a format template.
"""

NOT_FOUND = "找不到文件 {name}（{path}）。"
EMPTY_FILE = "文件 {name} 是空文件，没有可读取的内容。"
UNREADABLE = "无法读取文件 {name}（{why}），请确认文件完整且格式与扩展名一致。"
UNKNOWN_FORMAT = "文件 {name} 的格式 {suffix} 不受支持：请提供 .txt、.md、.pdf、.docx、.html 或 .htm 文件。"
IMAGE_PDF = "文件 {name} 是扫描版（纯图片）PDF，没有可提取的文字：请提供文字版 PDF、Word 或网页版本。"
ENCRYPTED_PDF = "文件 {name} 是加密的 PDF，无法提取文字：请提供未加密的版本。"
NO_TEXT = "文件 {name} 中没有提取到任何文字。"
TOO_MANY_PAGES = "文件 {name} 有 {pages} 页，超过 {limit} 页的上限，不像是一份方案，未读取。"
TOO_LARGE = "文件 {name} 超过 {limit} MB 的上限，未读取。"
NO_LAYOUT = "未识别到条款编号（一、/（一）/第X条 等），已按自然段切分；请用 `rag ingest` 检查切分结果。"
NO_CLAUSE = "文件 {name}（{slug}）没有切分出任何条款：请用 `rag ingest {path}` 检查，或加 --allow-empty 强制建立索引。"
TOO_FEW = (
    "文件 {name}（{slug}）只切分出 {clauses} 个条款，只覆盖了正文 {chars} 字中的 {kept} 字，疑似版式未被识别："
    "请用 `rag ingest {path}` 检查，或加 --allow-empty 强制建立索引。"
)
LOW_COVERAGE = "只有 {pct}% 的正文进入了条款，其余可能是未识别的版式或被当作标题/落款丢弃。"
SUPERSEDES_UNKNOWN = "{meta}：{slug} 的 supersedes = {target!r} 不是任何已登记文件的 slug 或文件名。"
SUPERSEDES_CYCLE = "{meta}：supersedes 形成了循环（{chain}）。"
PARENT_UNKNOWN = "{meta}：{slug} 的 parent = {target!r} 不是任何已登记文件的 slug。"
BAD_URL = "{where} = {value!r} 不是以 http:// 或 https:// 开头、不含空格和引号的网址。"
BAD_CONTACT = "{where} 须是 {{ {fields} }} 形式的表（每项可省略，name 不超过 60 字）。"
BAD_PHONE = "{where}.phone = {value!r} 不是可拨打的电话号码（只允许数字、空格、括号、- 和开头的 +）。"
CATALOGUE_TOO_LARGE = "{path} 超过 {limit} MB，不像是文件清单，未读取；方案很多时可按省拆分为 seeds/documents/*.toml（每省一个文件）。"
CATALOGUE_TOO_MANY = "方案清单超过 {limit} 条（读到 {path} 时），不像是文件清单，未读取。"
CATALOGUE_TOO_MANY_FILES = "{dir} 中的清单文件超过 {limit} 个，未读取；请按省合并。"
