"""Claims: check a story's numbers against the data, with a verdict and the evidence.

- :mod:`critmin.claims.spec` — claims files (YAML, pydantic): rank, share, quantity,
  growth, value, consistency and membership claims.
- :mod:`critmin.claims.checks` — pure comparisons and consistency arithmetic
  (grade x tonnage, hit rates, implied unit prices, growth).
- :mod:`critmin.claims.evaluate` — evaluation against the store.

Verdicts are ``supported``, ``contradicted`` or ``not_checkable``; "not checkable"
is an honest answer, never a pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from critmin.claims.evaluate import ClaimResult, evaluate, evaluate_file
from critmin.claims.spec import ClaimsFile, load_claims, parse_claims

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.data.store import Store

__all__ = [
    "ClaimResult",
    "ClaimsFile",
    "check_claims",
    "evaluate",
    "evaluate_file",
    "load_claims",
    "parse_claims",
]


def check_claims(path_or_spec: str | Path | ClaimsFile, store: Store | None = None) -> pd.DataFrame:
    """Check every claim of a claims file.

    Returns
    -------
    pandas.DataFrame
        One row per claim: ``id``, ``type``, ``verdict``, ``claimed``, ``computed``,
        ``unit``, ``text``, ``explanation``, ``sources`` (``source_id (edition)``),
        ``assumptions`` and ``evidence`` (list of row dicts). ``attrs["source"]``
        holds the story's reference.
    """
    import pandas as pd

    spec = path_or_spec if isinstance(path_or_spec, ClaimsFile) else load_claims(path_or_spec)
    rows = [r.as_row() for r in evaluate_file(spec, store)]
    df = pd.DataFrame(rows)
    df.attrs["source"] = spec.source.model_dump()
    return df
