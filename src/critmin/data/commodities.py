"""The commodity registry: canonical ids, names, aliases and source mappings.

The registry is data (``registry/commodities.yaml``); this module loads it and
resolves user spellings (``"Ga"``, ``"gallium"``, ``"Gemanium"``) to canonical ids.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

__all__ = ["Commodity", "classify_measure", "get", "ids", "registry", "resolve"]

#: The ``id`` of each entry of the registry, flow (``- {id: x, ...}``) or block (``- id: x``).
_ID_LINE = re.compile(r"^- (?:\{\s*)?id:\s*([A-Za-z0-9_]+)\s*[,}]?", re.MULTILINE)


@dataclass(frozen=True)
class Commodity:
    """One commodity of the registry."""

    id: str
    name: str
    symbol: str | None = None
    aliases: tuple[str, ...] = ()
    mcs: tuple[str, ...] = ()
    salient: str | None = None
    ds140: dict[str, str] | None = None
    pinksheet: str | None = None
    default_price: str | None = None
    primary_measure: str | None = None
    products: tuple[dict[str, str], ...] = field(default_factory=tuple)


@functools.lru_cache(maxsize=1)
def ids() -> frozenset[str]:
    """Canonical ids of the registry, read without a YAML parser.

    A query that names a commodity by its id (``critmin rank gallium``) needs only
    this set; importing PyYAML and parsing the registry would cost about 40 ms of a
    cold start. tests/data/test_names.py checks it equals ``registry().keys()``.
    """
    text = resources.files("critmin.data").joinpath("registry/commodities.yaml").read_text("utf-8")
    return frozenset(_ID_LINE.findall(text))


@functools.lru_cache(maxsize=1)
def registry() -> dict[str, Commodity]:
    """All commodities by id."""
    import yaml

    text = resources.files("critmin.data").joinpath("registry/commodities.yaml").read_text("utf-8")
    items: list[dict[str, Any]] = yaml.load(
        text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )
    out: dict[str, Commodity] = {}
    for it in items:
        c = Commodity(
            id=it["id"],
            name=it["name"],
            symbol=it.get("symbol"),
            aliases=tuple(it.get("aliases", ())),
            mcs=tuple(it.get("mcs", ())),
            salient=it.get("salient"),
            ds140=it.get("ds140"),
            pinksheet=it.get("pinksheet"),
            default_price=it.get("default_price"),
            primary_measure=it.get("primary_measure"),
            products=tuple(it.get("products", ())),
        )
        out[c.id] = c
    return out


def resolve(name: str) -> str:
    """Canonical id of a commodity name, alias, MCS spelling, chemical symbol or sub-commodity.

    Delegates to :func:`critmin.data.names.commodity`; callers that show output should
    use that function to get the note of a sub-commodity (``"hafnium"`` -> zirconium).

    Raises
    ------
    UnknownCommodityError
        With near spellings as suggestions, or the reason a commodity is not covered.
    """
    from critmin.data.names import commodity

    return commodity(name).id


def get(name: str) -> Commodity:
    """The :class:`Commodity` for a name (see :func:`resolve`)."""
    return registry()[resolve(name)]


_MEASURE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"capacity", re.I), "capacity"),
    (re.compile(r"^reserves", re.I), "reserves"),
    (re.compile(r"refinery|smelter", re.I), "refinery_production"),
    (re.compile(r"^primary( low-purity)? production", re.I), "primary_production"),
    (re.compile(r"mine p(r)?oduction|^mine ", re.I), "mine_production"),
    (re.compile(r"^plant production|^pig iron|^raw steel|sponge metal", re.I), "plant_production"),
]


def classify_measure(source_type: str) -> str:
    """Measure implied by a USGS TYPE string (``"Mine production, tin content"`` -> mine_production)."""
    for pat, measure in _MEASURE_RULES:
        if pat.search(source_type.strip()):
            return measure
    return "production"
