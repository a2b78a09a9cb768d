"""Charts that read (issue 27): every /admin chart is drawn with a CJK font found explicitly, whatever state
matplotlib's font cache is in; a missing glyph (tofu) fails the test, and the detector is shown to catch one."""

from __future__ import annotations

import warnings

import pytest

from rag.ops.report import charts, cjk_font_file, kind_label, region_label

NAMES = {"beijing": "北京市", "qingdao": "青岛市", "chongqing": "重庆市", "tonghua": "通化市"}


def report() -> dict:
    return {
        "per_day": [{"day": f"2026-12-0{i}", "questions": i * 3, "refused": i} for i in range(1, 8)],
        "per_region": {
            "qingdao": 40,
            "beijing": 22,
            "beijing,chongqing,qingdao,tonghua": 9,
            "未指明": 4,
        },
        "region_names": NAMES,
        "feedback": {"up": 12, "down": 5},
        "per_kind": {"fact": 50, "refuse": 12, "compare": 8, "clarify": 3, "pinned": 2},
    }


def missing_glyphs(draw) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw()
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


@pytest.fixture(scope="module")
def font():
    path = cjk_font_file()
    if path is None:
        pytest.fail("no CJK font installed: scripts/sysdeps.sh installs fonts-noto-cjk")
    return path


def test_every_chart_renders_without_a_missing_glyph(font):
    out = {}
    assert missing_glyphs(lambda: out.update(charts(report()))) == []
    assert set(out) == {"per_day", "per_region", "feedback"} and all(
        png[:4] == b"\x89PNG" for png in out.values()
    )


def test_the_detector_fails_on_tofu(font):
    """A label the font cannot draw (an emoji, as the old 👍/👎 labels) is caught: the test above can fail."""
    import matplotlib.pyplot as plt

    from rag.ops.report import _plt

    _plt()

    def draw():
        fig, ax = plt.subplots()
        ax.set_title("👍")
        fig.savefig(__import__("io").BytesIO(), format="png")
        plt.close(fig)

    assert missing_glyphs(draw)


def test_labels_are_chinese_names_not_slugs_or_english():
    assert region_label("beijing,chongqing", NAMES) == "北京市、重庆市"
    assert region_label("beijing,chongqing,qingdao,tonghua", NAMES) == "北京市、重庆市等4地"
    assert region_label(None, NAMES) == "未指明"
    assert [kind_label(k) for k in ("fact", "refuse", "compare")] == ["事实", "未能回答", "多地对比"]


STALE_CACHE = """
import sys, warnings
from matplotlib import font_manager
# what a font cache built before fonts-noto-cjk was installed looks like: no CJK face in the list
font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
sys.path.insert(0, sys.argv[1])
from test_report_charts import missing_glyphs, report
from rag.ops.report import charts
print(len(missing_glyphs(lambda: charts(report()))))
"""


def test_a_stale_font_cache_still_draws_chinese(font, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    tests = str(Path(__file__).parent)
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", STALE_CACHE, tests], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "0", out.stderr[-2000:]
