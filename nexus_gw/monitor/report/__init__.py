"""The after-close report: model (``build_report``) and renderers (text, json, csv, html). See docs/report.md."""

from nexus_gw.monitor.report.model import SCHEMA, Report, TripRow, build_report
from nexus_gw.monitor.report.render import FORMATS, render

__all__ = ["FORMATS", "SCHEMA", "Report", "TripRow", "build_report", "render"]
