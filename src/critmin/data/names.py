"""One resolver for commodity and country names, used by the CLI, the APIs, claims and scenarios.

Commodities resolve through the registry (``registry/commodities.yaml``: ids, names,
aliases, USGS spellings, exact-case symbols) and the curated sub-commodity table
(``registry/aliases_commodities.yaml``): a name that sits inside another table
(hafnium in zirconium, neodymium in rare_earths, lithium carbonate in lithium) resolves
to that table **with a note** that callers show; names critmin has no data for (coal,
uranium) are refused with the reason.

Countries resolve through the curated alias table (``registry/aliases_countries.yaml``),
the groups (``registry/groups.yaml``: EU27, OECD, G7), the aggregate pseudo-codes
(``WLD``, ``OTH``, ``XAG``) and pycountry (ISO 3166-1 codes, names, official and common
names), all compared after folding case, accents and punctuation
(``"Côte d'Ivoire"`` = ``"cote divoire"``).

"Did you mean" suggestions require a near spelling: an optimal-string-alignment edit
distance of 1 (2 for names of 8 characters or more), so ``"uranium"`` never suggests
germanium nor ``"iridium"`` indium. An unknown name gets no suggestion rather than a
wrong one.

Every table is loaded on first use (nothing is read at import).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from critmin.errors import UnknownCommodityError, UnknownCountryError, ValidationError

__all__ = ["Resolved", "commodity", "country", "fold", "suggest"]

Kind = Literal["commodity", "country", "group", "aggregate"]

#: Aggregate pseudo-codes of the store (see :mod:`critmin.data.countries`).
AGGREGATES: dict[str, str] = {"WLD": "World", "OTH": "Other countries", "XAG": "Other aggregate"}


@dataclass(frozen=True)
class Resolved:
    """A resolved name.

    Attributes
    ----------
    id : str
        Commodity id, ISO3 code, group key (``EU27``) or aggregate pseudo-code.
    kind : str
        ``commodity``, ``country``, ``group`` or ``aggregate``.
    note : str or None
        What the caller must show with the result when the name was not read literally
        (a sub-commodity mapped to its table, "Korea" read as KOR); ``None`` otherwise.
    members : tuple of str
        ISO3 members of a group; empty otherwise.
    """

    id: str
    kind: Kind
    note: str | None = None
    members: tuple[str, ...] = ()


def fold(text: str) -> str:
    """Compare-key of a name: accents, case, apostrophes and punctuation removed.

    ``"Côte d’Ivoire"`` and ``"cote d'ivoire"`` both give ``"cote divoire"``;
    ``"D.R. Congo"`` gives ``"d r congo"``; a leading ``"the "`` is dropped.
    """
    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"['’`´]", "", s)
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    return s[4:] if s.startswith("the ") else s


def _yaml(name: str) -> Any:
    import yaml

    text = resources.files("critmin.data").joinpath(f"registry/{name}").read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# --------------------------------------------------------------------------- suggestions


def _osa(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (Damerau-Levenshtein without re-edits), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def suggest(key: str, table: dict[str, str], n: int = 3) -> list[str]:
    """Targets of ``table`` whose folded name is within a small edit distance of ``key``.

    The distance allowed is 1 for a key shorter than 8 characters and 2 otherwise;
    keys of 3 characters or less (codes) get no suggestion.

    Returns
    -------
    list of str
        Up to ``n`` distinct targets, nearest first.
    """
    if len(key) <= 3:
        return []
    limit = 1 if len(key) < 8 else 2
    scored: dict[str, int] = {}
    for name, target in table.items():
        if len(name) <= 3 or name.startswith("sym:"):
            continue
        d = _osa(key, name, limit)
        if d <= limit and d < scored.get(target, limit + 1):
            scored[target] = d
    return [t for t, _ in sorted(scored.items(), key=lambda kv: (kv[1], kv[0]))][:n]


# --------------------------------------------------------------------------- commodities


@functools.lru_cache(maxsize=1)
def _commodity_tables() -> tuple[dict[str, tuple[str, str | None]], dict[str, str]]:
    """(folded name or ``sym:Symbol`` -> (id, note template)), (name -> refusal message)."""
    from critmin.data.commodities import registry

    table: dict[str, tuple[str, str | None]] = {}
    refused: dict[str, str] = {}
    cur = _yaml("aliases_commodities.yaml")
    # curated entries first: they override a registry alias (hafnium gets its note)
    for ent in cur.get("aliases", []):
        for nm in ent.get("names", []):
            table.setdefault(fold(nm), (ent["id"], ent.get("note")))
        for sym in ent.get("symbols", []):
            table.setdefault("sym:" + sym, (ent["id"], ent.get("note")))
    for ent in cur.get("unsupported", []):
        for nm in ent.get("names", []):
            refused[fold(nm)] = ent["message"]
        for sym in ent.get("symbols", []):
            refused["sym:" + sym] = ent["message"]
    for c in registry().values():
        for k in (c.id, c.id.replace("_", " "), c.name, *c.aliases, *c.mcs):
            table.setdefault(fold(k), (c.id, None))
        if c.symbol:
            table.setdefault("sym:" + c.symbol, (c.id, None))
    return table, refused


def _fill(template: str | None, name: str) -> str | None:
    return None if template is None else template.replace("{name}", name)


def commodity(name: str) -> Resolved:
    """Resolve a commodity name, alias, USGS spelling, chemical symbol or sub-commodity.

    Parameters
    ----------
    name : str
        ``"Ga"``, ``"gallium"``, ``"Gemanium"``, ``"hafnium"``, ``"PGM"``, ``"REO"``...

    Returns
    -------
    Resolved
        ``kind="commodity"``; ``note`` set when the name sits inside another table.

    Raises
    ------
    UnknownCommodityError
        Unknown (with near spellings, if any) or not covered (with the reason).
    """
    raw = name.strip()
    from critmin.data.commodities import ids

    fast = fold(raw).replace(" ", "_")
    if fast in ids():  # a canonical id: no YAML parsed, no alias table (cold start)
        return Resolved(fast, "commodity")
    table, refused = _commodity_tables()
    sym = raw[:1].upper() + raw[1:].lower() if 1 <= len(raw) <= 2 else ""
    # a symbol is case-sensitive ("Sn", "W", "Nd"); "sn"/"w" only if no name matches
    if 1 <= len(raw) <= 2 and raw[0].isupper() and raw == sym:
        if "sym:" + raw in table:
            cid, note = table["sym:" + raw]
            return Resolved(cid, "commodity", _fill(note, raw))
        if "sym:" + raw in refused:
            raise UnknownCommodityError(name, hint=_fill(refused["sym:" + raw], raw))
    key = fold(raw)
    if key in table:
        cid, note = table[key]
        return Resolved(cid, "commodity", _fill(note, raw))
    if key in refused:
        raise UnknownCommodityError(name, hint=_fill(refused[key], raw))
    if sym and "sym:" + sym in table:
        cid, note = table["sym:" + sym]
        return Resolved(cid, "commodity", _fill(note, sym))
    near = suggest(key, {k: v[0] for k, v in table.items()})
    raise UnknownCommodityError(name, near)


# --------------------------------------------------------------------------- countries


@dataclass(frozen=True)
class _Entry:
    id: str
    kind: Kind
    note: str | None = None


@functools.lru_cache(maxsize=1)
def _curated() -> tuple[dict[str, _Entry], dict[str, str]]:
    """Curated aliases, groups and aggregates (no pycountry): folded name -> entry; ambiguous names."""
    from critmin.data.countries import NAME_OVERRIDES, groups

    cur = _yaml("aliases_countries.yaml")
    out: dict[str, _Entry] = {}
    ambiguous: dict[str, str] = {}
    for ent in cur.get("ambiguous", []):
        for nm in ent["names"]:
            ambiguous[fold(nm)] = ent["message"]
    for ent in cur.get("aliases", []):
        for nm in ent["names"]:
            out.setdefault(fold(nm), _Entry(ent["iso3"], "country", ent.get("note")))
    for ent in cur.get("groups", []):
        for nm in ent["names"]:
            out.setdefault(fold(nm), _Entry(ent["group"], "group", ent.get("note")))
    for key, spec in groups().items():
        out.setdefault(fold(key), _Entry(key, "group"))
        out.setdefault(fold(str(spec.get("name", key))), _Entry(key, "group"))
    for nm, code in NAME_OVERRIDES.items():
        out.setdefault(fold(nm), _Entry(code, "country"))
    for code, nm in AGGREGATES.items():
        out.setdefault(fold(code), _Entry(code, "aggregate"))
        out.setdefault(fold(nm), _Entry(code, "aggregate"))
    out.setdefault("world total", _Entry("WLD", "aggregate"))
    return out, ambiguous


@functools.lru_cache(maxsize=1)
def _iso() -> dict[str, str]:
    """pycountry's ISO 3166-1 codes and names: folded key -> ISO3 (loaded on first miss)."""
    import pycountry

    out: dict[str, str] = {}
    for c in pycountry.countries:
        a3 = str(c.alpha_3)
        out.setdefault(fold(a3), a3)
        out.setdefault(fold(str(c.alpha_2)), a3)
        for attr in ("name", "official_name", "common_name"):
            v = getattr(c, attr, None)
            if v:
                out.setdefault(fold(str(v)), a3)
                # "Korea, Republic of" -> "republic of korea"; "Bolivia, Plurinational State of" -> "bolivia"
                if "," in str(v):
                    head, _, tail = str(v).partition(",")
                    out.setdefault(fold(f"{tail} {head}"), a3)
    return out


def _label(code: str) -> str:
    """``"Kazakhstan (KAZ)"`` for a suggestion; a group or pseudo-code as it is."""
    import pycountry

    c = pycountry.countries.get(alpha_3=code)
    if c is None:
        return code
    return f"{getattr(c, 'common_name', None) or c.name} ({code})"


def country(name: str, *, groups: bool = True) -> Resolved:
    """Resolve a country name, ISO2/ISO3 code, alias, group or aggregate.

    Parameters
    ----------
    name : str
        ``"DRC"``, ``"Viet Nam"``, ``"UK"``, ``"Korea"``, ``"CIV"``, ``"EU27"``...
    groups : bool
        Accept a group (``EU27``, ``OECD``, ``G7``); when False a group is refused with
        a message saying that one country is needed.

    Returns
    -------
    Resolved
        ``kind`` is ``country``, ``group`` (with ``members``) or ``aggregate``
        (``WLD``, ``OTH``, ``XAG``); ``note`` set when the name was read in one of
        several ways (``"Korea"`` -> KOR).

    Raises
    ------
    UnknownCountryError
        Unknown or ambiguous (``"Congo"``), with near spellings when there are any.
    ValidationError
        A group where one country is needed (``groups=False``).
    """
    raw = name.strip()
    key = fold(raw)
    curated, ambiguous = _curated()
    if key in ambiguous:
        raise UnknownCountryError(name, hint=ambiguous[key])
    ent = curated.get(key)
    if ent is None:
        code = _iso().get(key)
        if code is None:
            table = {**{k: v.id for k, v in curated.items()}, **_iso()}
            raise UnknownCountryError(name, [_label(c) for c in suggest(key, table)])
        ent = _Entry(code, "country")
    if ent.kind == "group":
        from critmin.data.countries import groups as _groups

        members = tuple(_groups()[ent.id]["members"])
        if not groups:
            raise ValidationError(
                f"{raw!r} is a group of {len(members)} countries ({ent.id}), not one country: "
                "give one country here (a group is accepted as a risk importer, a scenario "
                "destination or a claim's group)"
            )
        return Resolved(ent.id, "group", ent.note, members)
    return Resolved(ent.id, ent.kind, ent.note)
