"""Country names to ISO 3166-1 alpha-3 codes, and country groups.

Source names are matched after cleaning (trailing spaces, non-breaking spaces,
footnote digits glued to the name, parenthetical sub-types). Aggregate rows map to
pseudo-codes: ``WLD`` (world total), ``OTH`` (other countries), ``XAG`` (another
aggregate the source names, such as "United States and Canada").

pycountry is used when the dataset is built; at run time the package reads its
bundled ``countries`` table instead (fast start-up).
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

from critmin.errors import UnknownCountryError

__all__ = ["clean_source_name", "group_members", "groups", "resolve_source_country"]

#: Names used by USGS, the World Bank or CEPII that pycountry does not resolve as wanted.
NAME_OVERRIDES: dict[str, str] = {
    "burma": "MMR",
    "congo (kinshasa)": "COD",
    "congo (brazzaville)": "COG",
    "korea, republic of": "KOR",
    "korea, north": "PRK",
    "south korea": "KOR",
    "north korea": "PRK",
    "russia": "RUS",
    "laos": "LAO",
    "vietnam": "VNM",
    "iran": "IRN",
    "turkey": "TUR",
    "türkiye": "TUR",
    "taiwan": "TWN",
    "côte d’ivoire": "CIV",
    "cote d'ivoire": "CIV",
    "côte d'ivoire": "CIV",
    "syria": "SYR",
    "tanzania": "TZA",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "moldova": "MDA",
    "czechia": "CZE",
    "czech republic": "CZE",
    "united kingdom": "GBR",
    "united states": "USA",
    "kosovo": "XKX",
}

_AGGREGATE_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^world total", re.I), "WLD", "world"),
    (re.compile(r"^world$", re.I), "WLD", "world"),
    (re.compile(r"^other countries", re.I), "OTH", "other"),
    (re.compile(r"^united states and canada$", re.I), "XAG", "aggregate"),
]

_FOOTNOTE = re.compile(r"\s+\d{1,2}$")
_PAREN = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<detail>[^()]*)\)\s*$")


def clean_source_name(raw: str) -> tuple[str, str]:
    """Clean a source's country cell.

    Returns
    -------
    tuple of (str, str)
        The cleaned name and any parenthetical detail (``"United States (kyanite)"``
        gives ``("United States", "kyanite")``). Detail is ``""`` when absent.
    """
    name = raw.replace("\xa0", " ").strip()
    name = re.sub(r"\s+", " ", name)
    name = _FOOTNOTE.sub("", name)
    detail = ""
    m = _PAREN.match(name)
    if m and m.group("name").lower() not in ("congo", "korea"):
        name, detail = m.group("name").strip(), m.group("detail").strip()
    return name, detail


@functools.lru_cache(maxsize=2048)
def resolve_source_country(raw: str) -> tuple[str, str, str]:
    """Map a source's country cell to ``(iso3, entity_type, detail)``.

    ``entity_type`` is ``country``, ``world``, ``other`` or ``aggregate``.

    Raises
    ------
    UnknownCountryError
        If the name matches no country and no aggregate pattern.
    """
    full = raw.replace("\xa0", " ").strip()
    full = _FOOTNOTE.sub("", full)
    for pat, code, kind in _AGGREGATE_PATTERNS:
        if pat.search(full):
            detail = ""
            m = re.search(r"\(([^()]*)\)", full)
            if m:
                detail = m.group(1)
            return code, kind, detail
    name, detail = clean_source_name(raw)
    key = name.lower()
    if key in NAME_OVERRIDES:
        return NAME_OVERRIDES[key], "country", detail
    import pycountry

    try:
        c = pycountry.countries.lookup(name)
        return str(c.alpha_3), "country", detail
    except LookupError:
        pass
    try:
        hits = pycountry.countries.search_fuzzy(name)
    except LookupError:
        hits = []
    if len(hits) == 1:
        return str(hits[0].alpha_3), "country", detail
    raise UnknownCountryError(raw)


@functools.lru_cache(maxsize=1)
def groups() -> dict[str, dict[str, Any]]:
    """Country groups (EU27, OECD, G7) with members and the source of membership."""
    import yaml

    text = resources.files("critmin.data").joinpath("registry/groups.yaml").read_text("utf-8")
    data: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return data


def group_members(name: str) -> list[str]:
    """ISO3 members of a group such as ``EU27``, ``OECD`` or ``G7`` (case-insensitive).

    Group aliases of :mod:`critmin.data.names` (``"EU"``, ``"European Union"``, ``"G-7"``)
    are accepted.

    Raises
    ------
    UnknownCountryError
        If ``name`` is not a group (a country name raises too).
    """
    for key, spec in groups().items():
        if key.lower() == name.strip().lower():
            return list(spec["members"])
    from critmin.data.names import country

    try:
        hit = country(name)
    except UnknownCountryError:
        raise UnknownCountryError(name) from None
    if hit.kind != "group":
        raise UnknownCountryError(name, hint=f"{hit.id} is a country, not a group (EU27, OECD, G7)")
    return list(hit.members)
