"""By-product supply: gallium from alumina refining, germanium from zinc (pure functions).

A by-product metal is recovered from the process stream of a host product. The
supply it can support is

``potential = host_t * prod(factors)``  and  ``supported = min(potential, capacity)``

where the factors chain the content of the host ore and the recoveries (e.g. for
gallium: t bauxite per t alumina x g Ga per t bauxite x share leached into Bayer liquor
x recovery from the liquor). Each factor cites a row of the facts table
(``facts:<line>``) or is labelled an assumption. The installed (or planned) recovery
capacity caps the result: the limit is installed capacity, not geology (Frenzel et al.
2016, facts:186).

References
----------
Frenzel, M., Ketris, M.P., Seifert, T., Gutzmer, J. (2016), On the current and future
availability of gallium, Resources Policy 47, 38-50.
Zhao, Z., Yang, Y., Xiao, Y., Fan, Y. (2012), Recovery of gallium from Bayer liquor: a
review, Hydrometallurgy 125-126, 115-124.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from critmin.errors import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "CRUST",
    "PLANNED",
    "ROUTES",
    "ByproductRoute",
    "Factor",
    "byproduct_supply",
    "grade_bound",
    "route",
    "route_table",
]


@dataclass(frozen=True)
class Factor:
    """One multiplicative factor of a by-product route.

    Attributes
    ----------
    name : str
        Identifier (``ga_in_bauxite``).
    value : float
        Central value in ``unit``.
    low, high : float
        Range for sensitivity. Same unit.
    unit : str
        Unit of the factor; the chain of units multiplies to ``t by-product / t host``.
    scale : float
        Multiplier that turns ``value`` into a pure ratio (``1e-6`` for g/t).
    source : str
        ``facts:<line>`` or ``assumption``.
    note : str
        What the source says.
    """

    name: str
    value: float
    low: float
    high: float
    unit: str
    scale: float = 1.0
    source: str = "assumption"
    note: str = ""

    def ratio(self, which: str = "value") -> float:
        """The factor as a pure ratio (``value``, ``low`` or ``high``)."""
        return float(getattr(self, which)) * self.scale


@dataclass(frozen=True)
class ByproductRoute:
    """A by-product, its host product and the factor chains of its cases.

    Attributes
    ----------
    metal, host, host_measure : str
        By-product commodity, host commodity and the store measure of host output.
    cases : dict of str to tuple of Factor
        Named factor chains (``technical``: all recoverable metal; ``economic``:
        the share extractable at today's economics).
    benchmarks : tuple of (str, float, str)
        Published intensities ``(label, g per t host, source)`` to compare with.
    host_element : str
        Element that the host product carries (``Al`` in alumina, ``Zn`` in zinc content).
    host_element_share : float
        Mass share of that element in the host product (``0.5293`` t Al / t Al2O3). [1]
    """

    metal: str
    host: str
    host_measure: str
    cases: dict[str, tuple[Factor, ...]]
    benchmarks: tuple[tuple[str, float, str], ...] = field(default_factory=tuple)
    host_element: str = ""
    host_element_share: float = 1.0

    def intensity(self, case: str, which: str = "value") -> float:
        """By-product per host product for one case. [t/t]"""
        if case not in self.cases:
            raise ValidationError(f"unknown case {case!r}; choose one of {sorted(self.cases)}")
        out = 1.0
        for f in self.cases[case]:
            out *= f.ratio(which)
        return out


def byproduct_supply(
    host_t: float, intensity: float, capacity_t: float | None = None
) -> tuple[float, float]:
    """By-product supply supported by a host output.

    Parameters
    ----------
    host_t : float
        Host product output (alumina, zinc in concentrate). [t/yr]
    intensity : float
        Recoverable by-product per unit of host product (content x recovery). [t/t]
    capacity_t : float, optional
        Installed or planned recovery capacity; ``None`` for no cap. [t/yr]

    Returns
    -------
    tuple of float
        ``(potential, supported)``: uncapped and capacity-capped supply. [t/yr]

    Notes
    -----
    ``potential = host_t * intensity``; ``supported = min(potential, capacity_t)``.
    """
    if host_t < 0 or intensity < 0:
        raise ValidationError("host output and intensity must be >= 0")
    if capacity_t is not None and capacity_t < 0:
        raise ValidationError("capacity must be >= 0")
    potential = host_t * intensity
    supported = potential if capacity_t is None else min(potential, capacity_t)
    return potential, supported


_G_T = 1e-6  # g/t -> t/t

_RUDNICK_GAO = (
    "Rudnick, R.L., Gao, S. (2003), Composition of the continental crust, "
    "Treatise on Geochemistry 3.01, Table 3 (upper continental crust)"
)

#: Upper-crust abundances [g/t] with their source (Al from 15.40 wt% Al2O3 x 0.5293).
CRUST: dict[str, tuple[float, str]] = {
    "Ga": (17.5, _RUDNICK_GAO),
    "Ge": (1.4, _RUDNICK_GAO),
    "Zn": (67.0, _RUDNICK_GAO),
    "Al": (15.40e4 * 0.5293, _RUDNICK_GAO + "; Al = 15.40 wt% Al2O3 x 0.5293 t Al/t Al2O3"),
}

#: How far ore-forming processes may enrich a by-product relative to its host element,
#: beyond their crustal ratio, in the grade bound of :func:`grade_bound`. [1]
ENRICHMENT_ALLOWANCE = (
    10.0,
    "assumption: by-product/host ratios in ores stay within 10x the crustal ratio "
    "(Ga/Al in bauxite ~1-2x; Ge/Zn in sphalerite below 1x)",
)

_SYMBOL = {"gallium": "Ga", "germanium": "Ge"}


def grade_bound(r: ByproductRoute) -> tuple[float, str]:
    """Upper bound on the by-product content of one tonne of host product.

    Parameters
    ----------
    r : ByproductRoute
        The route.

    Returns
    -------
    tuple of (float, str)
        The bound [g by-product / t host product] and how it was derived.

    Notes
    -----
    ``bound = c_byproduct / c_host_element * host_element_share * 1e6 * A``, with
    ``c`` the upper-crust abundances of :data:`CRUST` [g/t] and ``A`` the
    :data:`ENRICHMENT_ALLOWANCE`. No case of a route may exceed it: a factor chain
    above it has a unit error (a ``g/t`` factor without its ``1e-6`` scale gives
    ``1e6`` times too much).
    """
    sym = _SYMBOL[r.metal]
    cb, src = CRUST[sym]
    ch, _ = CRUST[r.host_element]
    a, asrc = ENRICHMENT_ALLOWANCE
    bound = cb / ch * r.host_element_share * 1e6 * a
    how = (
        f"{sym}/{r.host_element} crustal ratio {cb:g}/{ch:g} g/t ({src}) x "
        f"{r.host_element_share:g} t {r.host_element}/t {r.host} x {a:g} ({asrc})"
    )
    return bound, how


#: Factors common to both gallium cases: bauxite per alumina and gallium in bauxite.
_BAUXITE_GA = (
    Factor(
        "bauxite_per_alumina",
        2.5,
        2.0,
        3.0,
        "t bauxite/t alumina",
        note="typical Bayer-process consumption; not in the facts table",
    ),
    Factor(
        "ga_in_bauxite",
        50,
        20,
        80,
        "g Ga/t bauxite",
        _G_T,
        "facts:190,191",
        "~50 ppm average (facts:190); 20-80 ppm range (facts:191)",
    ),
)

_GALLIUM = ByproductRoute(
    metal="gallium",
    host="alumina",
    host_measure="refinery_production",
    cases={
        "technical": (
            *_BAUXITE_GA,
            Factor(
                "leached_to_liquor",
                0.70,
                0.60,
                0.80,
                "fraction",
                1.0,
                "facts:191",
                "~70 % of Ga leached with alumina, ~30 % to red mud",
            ),
            Factor(
                "recovery_from_liquor",
                0.80,
                0.70,
                0.90,
                "fraction",
                1.0,
                "facts:184",
                "solvent extraction recovers ~80 % of Ga in Bayer liquor",
            ),
        ),
        "economic": (
            *_BAUXITE_GA,
            Factor(
                "extractable_share",
                0.15,
                0.10,
                0.15,
                "fraction",
                1.0,
                "facts:185",
                "~15 % of contained Ga extractable at 50 ppm feed (Frenzel et al. 2016)",
            ),
        ),
    },
    benchmarks=(
        ("ERG Pavlodar plan: 15 t Ga / 1.5 Mt alumina", 10.0, "facts:164,167,189"),
        ("Metlen plan: 50 t Ga / 1.265 Mt alumina", 40.0, "facts:189"),
        ("ATALCO plan: up to 50 t Ga / >1 Mt alumina", 50.0, "facts:174"),
    ),
    host_element="Al",
    host_element_share=0.5293,
)

_GERMANIUM = ByproductRoute(
    metal="germanium",
    host="zinc",
    host_measure="mine_production",
    cases={
        "technical": (
            Factor(
                "ge_in_zinc",
                200,
                50,
                500,
                "g Ge/t Zn content",
                _G_T,
                note="germanium in zinc concentrates per t zinc content; not in the facts table",
            ),
            Factor(
                "recovered_share",
                0.03,
                0.03,
                0.03,
                "fraction",
                1.0,
                "facts:180",
                "~3 % of Ge in zinc concentrates is recovered globally (USGS, cited by Argus)",
            ),
        ),
    },
    host_element="Zn",
    host_element_share=1.0,
)

#: By-product routes known to :func:`route`.
ROUTES: dict[str, ByproductRoute] = {"gallium": _GALLIUM, "germanium": _GERMANIUM}


def route(metal: str) -> ByproductRoute:
    """The by-product route of a metal (``gallium`` from alumina, ``germanium`` from zinc)."""
    key = metal.strip().lower()
    if key not in ROUTES:
        raise ValidationError(f"no by-product route for {metal!r}; known: {sorted(ROUTES)}")
    return ROUTES[key]


def route_table(r: ByproductRoute) -> pd.DataFrame:
    """The factors of every case as a table (``case``, ``factor``, ``value``, ``low``,
    ``high``, ``unit``, ``source``, ``note``)."""
    import pandas as pd

    rows = [
        {
            "case": case,
            "factor": f.name,
            "value": f.value,
            "low": f.low,
            "high": f.high,
            "unit": f.unit,
            "source": f.source,
            "note": f.note,
        }
        for case, fs in r.cases.items()
        for f in fs
    ]
    return pd.DataFrame(rows)


#: Planned by-product recovery capacity by country (t/yr, source), used where the store
#: has no installed capacity for the country.
PLANNED: dict[str, dict[str, tuple[float, str]]] = {
    "gallium": {
        "KAZ": (15.0, "facts:167 (ERG Pavlodar, start 2026)"),
        "GRC": (50.0, "facts:152 (Metlen, 2027-2028)"),
        "USA": (50.0, "facts:174 (ATALCO Gramercy)"),
        "DEU": (40.0, "facts:155 (Stade restart, 2027)"),
        "AUS": (100.0, "facts:161 (Alcoa Wagerup)"),
        "CAN": (3.5, "facts:150 (Rio Tinto Vaudreuil demonstration)"),
    },
}
