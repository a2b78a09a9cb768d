"""The chat page's sentences (from rag/messages.py, the one place for them) and the little logic around them.
chat.js receives SCRIPT_TEXT through /ui/config.json, so the browser side has no Chinese of its own.

Examples are templates over a region's short name ("{r}育儿假有几天？"): with a preset region the examples ask about
that region; a test checks that every one of them is answered (not refused) for every covered region."""

from __future__ import annotations

from .. import messages as m
from ..ops.stores.messages import DOWN_REASONS, FEEDBACK_THANKS
from ..question.validate import MAX_QUESTION_CHARS

SITE_TITLE = m.PAGE_TITLE
SITE_DESCRIPTION = m.PAGE_DESCRIPTION
HEADER = m.PAGE_HEADER
AUTO_LABEL = m.PAGE_AUTO_REGION
REGION_LABEL = m.PAGE_REGION_LABEL
MAX_CHARS = MAX_QUESTION_CHARS  # the same bound the answerer enforces

GREETING_AUTO = m.PAGE_GREETING_AUTO
EXAMPLES_AUTO = m.PAGE_EXAMPLES_AUTO
EXAMPLE_TEMPLATES = m.PAGE_EXAMPLE_TEMPLATES
EXAMPLES_LABEL = m.PAGE_EXAMPLES_LABEL
INPUT_LABEL = m.PAGE_INPUT_LABEL
INPUT_PLACEHOLDER = m.PAGE_INPUT_PLACEHOLDER
SEND_LABEL = m.PAGE_SEND
CHAT_LABEL = m.PAGE_CHAT_LABEL
GENERAL_LINK = m.PAGE_GENERAL_LINK
TAB_CHAT = m.PAGE_TAB_CHAT
TAB_COMPARE = m.PAGE_TAB_COMPARE

# shown by chat.js
SCRIPT_TEXT = {
    "chat_label": CHAT_LABEL,
    "input_label": INPUT_LABEL,
    "send_label": SEND_LABEL,
    "region_label": REGION_LABEL,
    "counter": m.PAGE_COUNTER,
    "pasted_cut": m.PAGE_PASTE_CUT,
    "copy_label": m.PAGE_COPY,
    "feedback_labels": m.PAGE_FEEDBACK_LABELS,
    "examples_label": EXAMPLES_LABEL,
    "feedback_sheet": m.PAGE_FEEDBACK_SHEET,
    "down_reasons": list(DOWN_REASONS),
    "feedback_thanks": FEEDBACK_THANKS,
    "print": m.PAGE_PRINT,
    "print_short": m.PAGE_PRINT_SHORT,
    "speak": m.PAGE_SPEAK,
    "speak_stop": m.PAGE_SPEAK_STOP,
    "voice": m.PAGE_VOICE,
    "voice_stop": m.PAGE_VOICE_STOP,
    "voice_failed": m.PAGE_VOICE_FAILED,
    "elder": m.PAGE_ELDER,
    "elder_hint": m.PAGE_ELDER_HINT,
    "region_unknown_console": m.PAGE_REGION_UNKNOWN_CONSOLE,
    "gradio_text": m.PAGE_GRADIO_TEXT,
}


def greeting(region_name: str | None, locked: bool = False) -> str:
    if not region_name:
        return GREETING_AUTO
    return (m.PAGE_GREETING_LOCKED if locked else m.PAGE_GREETING_REGION).format(name=region_name)


def examples(short_name: str | None) -> list[str]:
    """Example questions for a preset region (its short name), or the cross-region set."""
    if not short_name:
        return list(EXAMPLES_AUTO)
    return [t.format(r=short_name) for t in EXAMPLE_TEMPLATES]


def region_unknown(value: str) -> str:
    """The page's sentence for a region value (?region=, a widget's data-region) that names no covered region."""
    return m.PAGE_REGION_UNKNOWN.format(value=value)
