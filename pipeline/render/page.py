"""The frame every HTML page of ours shares: its style sheet and the mark that tells a
rerun the page is ours."""

from __future__ import annotations

import html

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;
line-height:1.45;color:#1d1d1f}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #d0d0d5;padding:.4rem .6rem;vertical-align:top;text-align:left}
th{background:#f3f3f6}
td.num{text-align:right;color:#666;width:3rem}
.flag{background:#fff3cd}.flags{color:#8a5a00;font-size:.85em}.passthrough{color:#666}
.review .context td{color:#888;font-size:.9em}.review .risky{background:#fff3cd}
.review tr.start td{border-top:3px solid #9a9aa3}
.status-failed{color:#b00020}.status-skipped{color:#666}.status-done{color:#0a7d32}
"""


#: Marks the HTML pages this tool writes (so a rerun knows it may replace them).
GENERATOR_META = '<meta name="generator" content="bilingual-pipeline">'


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"{GENERATOR_META}<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )
