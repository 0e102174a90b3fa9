"""Units: one pint registry for the whole package.

Quantities in the dataset are stored in canonical units per measure: tonnes (``t``)
of contained content for masses, with other natural units (carats, cubic metres)
kept as they are. Prices carry their own unit string (``USD/t``, ``USD/kg``,
``USD/lb``). An unknown unit fails loudly with :class:`~critmin.errors.UnitError`.

Glossary
--------
t : metric tonne (1000 kg)
kt : thousand metric tonnes
Mt : million metric tonnes
kg : kilogram
ct : carat (0.2 g)
USD/t : US dollars per tonne
% : per cent (grade)
g/t : grams per tonne (grade)
oz, ozt, troy oz : troy ounce (31.1034768 g), the ounce of the precious-metal trade;
    the avoirdupois ounce (28.349523125 g) must be written ``oz_av``
st, short ton : short ton (2000 lb = 907.18474 kg), only when spelled so
long_ton, long ton : long ton (2240 lb = 1016.0469088 kg)
ton, tons : refused as ambiguous (metric, short or long); write t, st or long_ton
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from critmin.errors import UnitError

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = ["SOURCE_UNIT_MAP", "convert", "parse_quantity", "to_canonical", "ureg"]

#: Unit strings found in the sources, mapped to pint expressions.
SOURCE_UNIT_MAP: dict[str, str] = {
    "metric tons": "t",
    "metric ton": "t",
    "t": "t",
    "tonnes": "t",
    "thousand metric tons": "kt",
    "thousand metric dry tons": "kt",
    "million metric tons": "Mt",
    "kilograms": "kg",
    "kg": "kg",
    "thousand carats": "kct",
    "million carats": "Mct",
    "million cubic meters": "Mm3",
    "usd/t": "USD/t",
    "usd/kg": "USD/kg",
    "usd/lb": "USD/lb",
    "usd/troy oz": "USD/ozt",
}

_DEFINITIONS = """
USD = [currency]
cent_usd = 0.01 USD
kt = 1000 * metric_ton
Mt = 1000000 * metric_ton
ct = 0.2 * gram = carat_mass
kct = 1000 * ct
Mct = 1000000 * ct
Mm3 = 1000000 * meter ** 3
oz_av = avoirdupois_ounce
"""


@functools.lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    import pint

    # pint parses its definition files once and caches the result on disk (its own
    # cache folder): 0.41 s -> 0.09 s per process here, which every unit-using command pays
    reg: pint.UnitRegistry = pint.UnitRegistry(
        on_redefinition="ignore", autoconvert_offset_to_baseunit=True, cache_folder=":auto:"
    )
    for line in _DEFINITIONS.strip().splitlines():
        reg.define(line.strip())
    return reg


class _LazyRegistry:
    """Proxy so that ``import critmin`` does not pay for pint's start-up."""

    def __getattr__(self, name: str) -> object:
        return getattr(_registry(), name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _registry()(*args, **kwargs)


ureg = _LazyRegistry()


#: Multi-word units, rewritten to one pint name before the words are read one by one.
_PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bshort[\s_-]+tons?\b", re.I), "short_ton"),
    (re.compile(r"\blong[\s_-]+tons?\b", re.I), "long_ton"),
    (re.compile(r"\bmetric[\s_-]+tons?\b", re.I), "t"),
    (re.compile(r"\btroy[\s_-]+(?:oz|ounces?)\b", re.I), "troy_ounce"),
]
#: Words whose pint meaning is not the one of the minerals trade.
_WORDS: dict[str, str] = {
    "oz": "troy_ounce",
    "ozt": "troy_ounce",
    "ounce": "troy_ounce",
    "ounces": "troy_ounce",
    "st": "short_ton",
}
#: ``ton``, ``tons`` and their prefixed forms (pint reads ``kton`` as 1000 short tons).
_AMBIGUOUS_TON = re.compile(r"^(?:[kKMG]|kilo|mega|giga)?tons?$", re.I)


def _word(m: re.Match[str]) -> str:
    w = m.group(0)
    if _AMBIGUOUS_TON.match(w):
        raise UnitError(
            f"unit {w!r} is ambiguous (metric tonne, short ton or long ton): "
            "write t (metric tonne, 1000 kg), st or short_ton (2000 lb), or long_ton (2240 lb)"
        )
    return _WORDS.get(w.lower(), w)


def _pint_unit(unit: str) -> str:
    """Pint expression of a source- or user-style unit string.

    ``oz`` is the troy ounce, ``st`` the short ton; ``ton``/``tons`` raise
    :class:`~critmin.errors.UnitError` as ambiguous.
    """
    key = unit.strip()
    mapped = SOURCE_UNIT_MAP.get(key.lower())
    if mapped is not None:
        return mapped
    for pat, repl in _PHRASES:
        key = pat.sub(repl, key)
    return re.sub(r"[A-Za-z_]+", _word, key)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a magnitude between two units.

    Parameters
    ----------
    value : float
        Magnitude in ``from_unit``.
    from_unit, to_unit : str
        Source-style (``"thousand metric tons"``) or pint-style (``"kt"``) unit strings.

    Returns
    -------
    float
        Magnitude in ``to_unit``.

    Raises
    ------
    UnitError
        If a unit is unknown or the dimensions differ.
    """
    import pint

    reg = _registry()
    src, dst = _pint_unit(from_unit), _pint_unit(to_unit)
    try:
        q = reg.Quantity(value, src)
        return float(q.to(dst).magnitude)
    except pint.errors.UndefinedUnitError as exc:
        raise UnitError(f"unknown unit in {from_unit!r} or {to_unit!r}") from exc
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}: {exc}") from exc
    except (AttributeError, TypeError, ValueError, AssertionError) as exc:
        raise UnitError(f"cannot parse unit {from_unit!r} or {to_unit!r}") from exc


def factor(from_unit: str, to_unit: str) -> float:
    """Multiplicative factor from ``from_unit`` to ``to_unit`` (``convert(1, ...)``)."""
    return convert(1.0, from_unit, to_unit)


#: Mass units in tonnes, for the common case without loading pint's registry
#: (a test checks every pair against pint).
FAST_MASS_T: dict[str, float] = {"t": 1.0, "kg": 1e-3, "g": 1e-6, "kt": 1e3, "Mt": 1e6}

_QTY_RE = re.compile(r"^\s*([-+]?\d+(?:[.,_]\d+)*(?:[eE][-+]?\d+)?)\s*([^\d\s].*)?$")


def parse_quantity(text: str, to_unit: str = "t", default_unit: str | None = None) -> float:
    """Parse a quantity string such as ``"15t"``, ``"15000 kg"`` or ``"1.2 kt"``.

    Parameters
    ----------
    text : str
        Number followed by a unit.
    to_unit : str
        Unit of the returned magnitude. [t by default]
    default_unit : str, optional
        Unit assumed when ``text`` carries none; without it a bare number is an error.

    Returns
    -------
    float
        Magnitude in ``to_unit``.
    """
    m = _QTY_RE.match(text)
    if not m:
        raise UnitError(f"cannot read quantity {text!r}: expected a number and a unit, e.g. 15t")
    number = float(m.group(1).replace("_", "").replace(",", ""))
    unit = (m.group(2) or "").strip()
    if not unit:
        if default_unit is None:
            raise UnitError(f"quantity {text!r} has no unit; write e.g. {text}t or {text}kg")
        unit = default_unit
    if unit in FAST_MASS_T and to_unit in FAST_MASS_T:
        return number * FAST_MASS_T[unit] / FAST_MASS_T[to_unit]
    return convert(number, unit, to_unit)


def to_canonical(value: float, unit: str) -> tuple[float, str]:
    """Convert a magnitude to the canonical unit of its dimension.

    Masses go to tonnes (``t``); carats to carats (``ct``); volumes to cubic metres (``m3``).

    Returns
    -------
    tuple of (float, str)
        Converted magnitude and canonical unit string.
    """
    import pint

    reg = _registry()
    pu = _pint_unit(unit)
    try:
        q = reg.Quantity(1.0, pu)
    except (pint.errors.UndefinedUnitError, AttributeError, TypeError, ValueError) as exc:
        raise UnitError(f"unknown unit {unit!r}") from exc
    if pu in ("kct", "Mct", "ct"):
        return value * float(q.to("ct").magnitude), "ct"
    dim = q.dimensionality
    if dim == reg.Quantity(1, "kg").dimensionality:
        return value * float(q.to("t").magnitude), "t"
    if dim == reg.Quantity(1, "m**3").dimensionality:
        return value * float(q.to("m**3").magnitude), "m3"
    raise UnitError(f"no canonical unit for {unit!r} (dimension {dim})")
