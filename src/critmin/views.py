"""Column views: which columns a table shows, shared by the Python API, the CLI and the HTTP API.

Presentation choices live here, not in the computation or the service layer, so the
CLI and the HTTP API show the same columns for the same table.
"""

from __future__ import annotations

from critmin.markets._core import RANK_COLUMNS

__all__ = ["PRODUCTION_VIEW", "RANK_COLUMNS", "RANK_TABLE", "RANK_VIEW"]

#: Columns of a production table as the CLI and the HTTP API show it (JSON rows).
#: ``basis`` is what the figure measures (contained metal, REO, gross weight...).
PRODUCTION_VIEW = [
    "rank",
    "iso3",
    "country",
    "entity_type",
    "value",
    "unit",
    "basis",
    "share",
    "qualifier",
    "year",
    "edition",
    "source_id",
]
#: Columns of :func:`critmin.rank`'s table: the ranking with its ``basis`` after ``unit``.
RANK_TABLE = [*RANK_COLUMNS[:5], "basis", *RANK_COLUMNS[5:]]
#: Columns of a ranking as the CLI and the HTTP API show it (JSON rows).
RANK_VIEW = [*RANK_TABLE, "edition", "source_id"]
