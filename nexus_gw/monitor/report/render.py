"""One entry point for every report format."""

from __future__ import annotations

from collections.abc import Callable

from nexus_gw.monitor.report.csvout import render_csv
from nexus_gw.monitor.report.jsonout import render_json
from nexus_gw.monitor.report.model import Report
from nexus_gw.monitor.report.text import render_text


def _html(report: Report) -> str:
    from nexus_gw.monitor.report.html import render_html  # matplotlib only when asked for

    return render_html(report)


FORMATS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": _html,
}


def render(report: Report, fmt: str) -> str:
    """The report in ``fmt`` (text, json, csv or html)."""
    return FORMATS[fmt](report)
