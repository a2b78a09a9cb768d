"""What counts as a stated figure in a plan's text: Arabic digits, and amounts written in Chinese numerals with
their unit (增加产假六十天, 一次性购房补贴五万元, 每天一小时). Plans the code has never seen often write figures the
second way; an answerer that only looked for digits would say "没有规定具体的天数" of a clause that states one."""

from __future__ import annotations

import re

CN_FIGURE = r"[一二两三四五六七八九十百千]+万?(?:天|日|元|个月|周岁|岁|小时|个百分点|倍|成)"
CN_PERCENT = r"百分之[零一二两三四五六七八九十百点]+"  # 上浮百分之三十
FIGURE = re.compile(rf"\d|{CN_FIGURE}|{CN_PERCENT}")
