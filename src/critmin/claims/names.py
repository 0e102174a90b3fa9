"""Names in an article: commodities, countries and who the story relays.

The gazetteers come from the commodity registry (names and aliases) and the store's
countries table, plus the adjectives and short forms below; a found name maps to a
commodity id or an ISO3 code.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from critmin.claims.text import Mention, find_mentions, html_to_text, looks_like_html, name_pattern

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["DEMONYMS", "Article", "Gazetteer", "origins"]

#: Adjectives and short forms the countries table does not hold (resolved to ISO3 here).
DEMONYMS: dict[str, str] = {
    "chinese": "CHN",
    "kazakh": "KAZ",
    "russian": "RUS",
    "american": "USA",
    "u.s.": "USA",
    "us": "USA",
    "australian": "AUS",
    "canadian": "CAN",
    "congolese": "COD",
    "drc": "COD",
    "dr congo": "COD",
    "democratic republic of the congo": "COD",
    "democratic republic of congo": "COD",
    "japanese": "JPN",
    "indonesian": "IDN",
    "bolivian": "BOL",
    "peruvian": "PER",
    "chilean": "CHL",
    "brazilian": "BRA",
    "indian": "IND",
    "south african": "ZAF",
    "burmese": "MMR",
    "myanmar": "MMR",
    "german": "DEU",
    "korean": "KOR",
    "european union": "EUU",
    "world": "WLD",
    "global": "WLD",
    "worldwide": "WLD",
}
#: Commodity names that are common English words: taken only next to another commodity.
_AMBIGUOUS = {"lead", "lime", "salt", "peat", "mica", "cement"}


@dataclass
class Article:
    """An article's text, title, date and who it relays."""

    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    publisher: str | None = None
    meta: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_document(cls, doc: str, date: str | None = None) -> Article:
        """Plain text or HTML; the first line is the title when it has no final full stop."""
        meta: dict[str, str] = {}
        text = doc.replace("\r\n", "\n")
        if looks_like_html(text):
            text, meta = html_to_text(text)
        first = text.strip().split("\n", 1)[0].strip()
        title = meta.get("og:title") or (
            first if first and len(first) < 160 and not first.endswith(".") else None
        )
        pub = meta.get("article:published_time") or meta.get("date")
        return cls(
            text=text,
            title=title,
            date=date or (pub[:10] if pub else None),
            url=meta.get("og:url"),
            publisher=meta.get("og:site_name"),
            meta=meta,
        )


@functools.lru_cache(maxsize=1)
def _commodity_names() -> dict[str, str]:
    from critmin.data.commodities import registry

    names: dict[str, str] = {}
    for c in registry().values():
        for k in (c.name, c.id.replace("_", " "), *c.aliases):
            k = k.lower().strip()
            if len(k) >= 3 and not any(ch.isdigit() for ch in k):
                names.setdefault(k, c.id)
    return names


def _country_names(store: Store) -> dict[str, str]:
    from critmin.data.countries import NAME_OVERRIDES

    names: dict[str, str] = {}
    for row in store.country_name_records():
        names.setdefault(str(row["name"]).lower(), str(row["iso3"]))
    for k, v in {**NAME_OVERRIDES, **DEMONYMS}.items():
        names.setdefault(k.lower(), v)
    return names


@functools.lru_cache(maxsize=4)
def _patterns(country_items: tuple[tuple[str, str], ...]) -> tuple[Any, Any]:
    return name_pattern(_commodity_names()), name_pattern(dict(country_items))


_ORIGIN_PATTERNS = [
    re.compile(
        r"(?P<long>[A-Z][\w&’'.-]*(?:\s+(?:of\s+|for\s+|and\s+|&\s+)?[A-Z][\w&’'.-]*)*)\s+\((?P<short>[A-Z][A-Za-z0-9&]{1,9})\)"
    ),
    re.compile(
        r"\b[Aa]ccording\s+to\s+(?P<long>(?:[Tt]he\s+)?[A-Z][\w’'.-]*(?:\s+(?:of\s+)?[A-Z][\w’'.-]*)*)"
    ),
    re.compile(
        r"\bciting\s+(?P<long>(?:[Tt]he\s+)?[A-Z][\w’'.-]*(?:\s+(?:of\s+)?[A-Z][\w’'.-]*)*)"
    ),
]


def origins(text: str, exclude: set[str] | None = None) -> list[str]:
    """Who the story relays: "Eurasian Resources Group (ERG)", "According to X", "citing X".

    Names that are countries or commodities (``exclude``, lower case) are left out.
    """
    out: list[str] = []
    ex = exclude or set()
    for pat in _ORIGIN_PATTERNS:
        for m in pat.finditer(text):
            for g in ("long", "short"):
                v = m.groupdict().get(g)
                if not v:
                    continue
                v = re.sub(r"^[Tt]he\s+", "", v.strip(" .,"))
                if len(v) >= 2 and v.lower() not in ex and "," not in v and v not in out:
                    out.append(v)
    return out


class Gazetteer:
    """Commodity and country names, and the mentions of them in a text."""

    def __init__(self, store: Store) -> None:
        names = _country_names(store)
        self.country_names = names
        self.cpat, self.npat = _patterns(tuple(sorted(names.items())))
        self.cnames = _commodity_names()
        self.store = store
        self._resolved: dict[str, str] = {}

    def resolve_country(self, surface: str, fallback: str) -> str:
        """ISO3 of a name as the CLI resolves it (:func:`critmin.resolve_country`: aliases,
        ISO codes); the gazetteer's code for adjectives and forms it does not know."""
        key = re.sub(r"['’]s$", "", surface).strip()
        if key not in self._resolved:
            from critmin._api import resolve_country
            from critmin.errors import CritminError

            try:
                self._resolved[key] = resolve_country(key, self.store)
            except CritminError:
                self._resolved[key] = fallback
        return self._resolved[key]

    def commodities(self, s: str) -> list[Mention]:
        ms = find_mentions(s, "commodity", self.cpat, self.cnames)
        return [
            m
            for m in ms
            if m.surface.lower() not in _AMBIGUOUS
            or any(o is not m and abs(o.start - m.end) < 12 for o in ms)
        ]

    def countries(self, s: str) -> list[Mention]:
        out = []
        for m in find_mentions(s, "country", self.npat, self.country_names):
            if m.surface.lower() in ("us", "u.s.") and (
                m.surface not in ("US", "U.S.") or s[m.end : m.end + 1] == "$"
            ):
                continue
            nxt = s[m.end :]
            if (
                not m.surface.endswith(("s", "’s", "'s"))
                and re.match(r"\s+[A-Z][a-z]", nxt)
                and not re.match(r"\s+(?:The|In|It|Is|As)\b", nxt)
            ):
                continue  # "Iran Sharkan", "China Minmetals": part of a name
            if m.value != "WLD":
                code = self.resolve_country(m.surface, m.value)
                if code != m.value:
                    m = Mention(m.kind, code, m.start, m.end, m.surface)
            out.append(m)
        return out
