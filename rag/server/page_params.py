"""What the page's query string names (?region=): read by the Gradio page on load and by /ui/config.json, which
tells chat.js (and through it a widget's host page) whether the value named a covered region."""

from __future__ import annotations

AUTO = "auto"
MAX_PARAM = 40  # characters of ?region= looked at


def resolve_region(value: str, docs) -> str | None:
    """A widget's data-region as a site owner writes it: the slug in any case (Qingdao), the region's name
    (青岛市), its short name (青岛) or another name documents.toml lists for it. None when nothing matches."""
    v = value.strip()
    if v.lower() in docs:
        return v.lower()
    for slug, d in docs.items():
        names = (d.region_name, d.short_name, getattr(d, "display_name", ""), *getattr(d, "aliases", ()))
        if v in [n for n in names if n]:
            return slug
    return None
