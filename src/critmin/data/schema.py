"""Canonical schema of the critmin dataset.

Every table the package ships and every reader output uses these column names.
See ``docs/data.md`` for the meaning of each column.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "AGGREGATE_CODES",
    "COUNTRY_COLUMNS",
    "GOVERNANCE_COLUMNS",
    "MEASURES",
    "OBSERVATION_COLUMNS",
    "PRICE_COLUMNS",
    "QUALIFIERS",
    "SOURCE_COLUMNS",
    "TRADE_COLUMNS",
]

#: Measures an observation can report.
MEASURES: Final[dict[str, str]] = {
    "mine_production": "Mine production (contained content unless the product says otherwise)",
    "refinery_production": "Refinery or smelter production",
    "primary_production": "Primary production (e.g. low-purity gallium from alumina liquor)",
    "plant_production": "Plant production (industrial minerals, chemicals)",
    "production": "Production of an unspecified stage",
    "capacity": "Installed production capacity",
    "reserves": "Reserves",
    "net_import_reliance": "Net import reliance as a share of apparent consumption",
    "apparent_consumption": "Apparent consumption",
}

#: Qualifiers of an observation's value. Missing, withheld, bounded and zero stay apart.
QUALIFIERS: Final[dict[str, str]] = {
    "reported": "Value as reported by the source",
    "estimated": "Value estimated by the source (e.g. MCS 'e' columns, 'estimated 2023')",
    "withheld": "Withheld by the source to avoid disclosing proprietary data ('W'); value is null",
    "lower_bound": "The true value exceeds the stated value ('>2000000'); value holds the bound",
    "upper_bound": "The true value is below the stated value ('<25'); value holds the bound",
    "negligible": "Positive but below half the unit ('Less than 1/2 unit'); value is null",
    "not_available": "Not available ('NA', 'XX', or blank with a row present); value is null",
    "qualitative": "A word instead of a number ('Large', 'Moderate'); value is null",
    "included_elsewhere": "Counted inside an aggregate row; value is null, never add it again",
}

#: Pseudo-codes for rows that are not countries.
AGGREGATE_CODES: Final[dict[str, str]] = {
    "WLD": "World total",
    "OTH": "Other countries (aggregate of countries not listed)",
    "XAG": "Other aggregate named by the source (e.g. United States and Canada)",
}

OBSERVATION_COLUMNS: Final[list[str]] = [
    "commodity",  # canonical commodity id (lowercase slug)
    "measure",  # one of MEASURES
    "product",  # sub-product within a measure ('' when the measure has one)
    "iso3",  # ISO 3166-1 alpha-3, or WLD/OTH/XAG
    "entity_type",  # country | world | other | aggregate
    "country",  # name as printed by the source, cleaned
    "year",  # int
    "value",  # float in `unit`, null unless qualifier is reported/estimated/lower_bound
    "unit",  # canonical unit: t, ct, m3, %
    "qualifier",  # one of QUALIFIERS
    "raw_value",  # the source's cell, verbatim
    "raw_unit",  # the source's unit, verbatim
    "basis",  # source's description of the series (e.g. 'Mine production, tin content')
    "note",  # the source's note for this cell
    "edition",  # e.g. MCS2025
    "source_id",  # key into the sources table
    "source_row",  # 1-based line in the source file (header = 1)
]

#: Provenance columns the bundled tables carry beyond the canonical ones: the file (path
#: inside the reference folder, or a salient/DS140 file name), the 1-based line in it, and
#: the source's URL. Observations already have ``source_row``; prices add it here.
PROVENANCE_COLUMNS: Final[list[str]] = ["file", "url"]

PRICE_COLUMNS: Final[list[str]] = [
    "series",
    "commodity",
    "date",
    "period",
    "frequency",
    "value",
    "unit",
    "qualifier",
    "description",
    "edition",
    "source_id",
]

TRADE_COLUMNS: Final[list[str]] = [
    "year",
    "hs6",
    "exporter",
    "importer",
    "value_usd",
    "quantity_t",
    "edition",
    "source_id",
]

GOVERNANCE_COLUMNS: Final[list[str]] = [
    "iso3",
    "year",
    "dimension",
    "estimate",
    "std_error",
    "source_id",
]

COUNTRY_COLUMNS: Final[list[str]] = ["iso3", "name", "entity_type"]

SOURCE_COLUMNS: Final[list[str]] = [
    "source_id",
    "edition",
    "title",
    "citation",
    "publisher",
    "published",
    "licence",
    "url",
    "accessed",
    "note",
]
