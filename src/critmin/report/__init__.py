"""Reports: the self-contained HTML briefing and its terminal summary.

- :func:`critmin.report.brief.brief` renders ``DIR/brief.yaml`` to one HTML file
  (plotly.js embedded; no network request).
- :mod:`critmin.report.html` — document assembly; :mod:`critmin.report.plot` — charts.
"""

from critmin.report.brief import BriefResult, BriefSpec, brief, load_brief_spec

__all__ = ["BriefResult", "BriefSpec", "brief", "load_brief_spec"]
