"""Readers at the edge: one module per source format.

Each ``read_*`` function takes a path, parses the source's own layout and returns
a DataFrame in the canonical schema (:mod:`critmin.data.schema`), mapping source
columns to canonical names. They raise :class:`~critmin.errors.InputFileError`
naming the file, line and column when a file does not match its documented format.
:func:`read_price_csv` reads a user's ``period,price`` history into an annual series
(for the valuation price models) rather than the canonical schema.
"""

from critmin.data.readers.baci import read_baci
from critmin.data.readers.ds140 import read_ds140
from critmin.data.readers.mcs import read_mcs2025_world, read_mcs2026_prices, read_mcs2026_world
from critmin.data.readers.pinksheet import read_pinksheet
from critmin.data.readers.price_csv import read_price_csv
from critmin.data.readers.salient import read_salient
from critmin.data.readers.wgi import read_wgi

__all__ = [
    "read_baci",
    "read_ds140",
    "read_mcs2025_world",
    "read_mcs2026_prices",
    "read_mcs2026_world",
    "read_pinksheet",
    "read_price_csv",
    "read_salient",
    "read_wgi",
]
