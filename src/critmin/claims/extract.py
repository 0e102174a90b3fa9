"""Draft a claims file from an article's text: rules only, deterministic and offline.

``extract(text, date=...)`` finds the sentences with figures (quantities, money, percentages,
ranks, shares, multiples, changes over a period) and turns each figure into a draft claim
of :mod:`critmin.claims.spec`, with the quoted sentence and its character span. The
commodity, country and measure are read from the wording (see :mod:`critmin.claims.rules`)
and resolved through the same registry and countries table as the CLI; a figure it cannot
type is kept as an ``untyped`` claim with the reason, never dropped.

Resolution order for a figure's commodity and country: the words between the neighbouring
figures of the sentence, then the whole sentence, then (commodity) the last one named
earlier in the article, (country) the country the article names most.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from critmin.claims import rules as R
from critmin.claims.links import link_fact, member_patterns, primary_measure, shared_unit, what_ifs
from critmin.claims.names import Article, Gazetteer, origins
from critmin.claims.text import Mention, Sentence, sentences

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["Article", "extract", "extract_claims_file", "origins"]

#: Words that name the commodity of the previous sentences ("the metal").
_ANAPHORA = re.compile(r"\b(?:the\s+)?(?:high-tech\s+|critical\s+|strategic\s+)?metal\b", re.I)
_DOMESTIC = re.compile(r"\b(?:domestic|national|country['’]s|nationwide)\b", re.I)


def _clause_of(window: str, fig: str) -> str:
    """The comma-delimited part of ``window`` that holds the figure ``fig``.

    "China, which mined half of the world's antimony, restricted exports" -> the trade word
    sits in another clause than the share, so the share is not a trade figure.
    """
    i = window.find(fig)
    if i < 0:
        return window
    a = window.rfind(", ", 0, i)
    b = window.find(", ", i + len(fig))
    return window[a + 1 if a >= 0 else 0 : b if b >= 0 else len(window)]


class _Extractor:
    def __init__(self, article: Article, store: Store) -> None:
        self.a = article
        self.store = store
        self.names = Gazetteer(store)
        self.commodities = self.names.commodities
        self.countries = self.names.countries
        self.year = int(article.date[:4]) if article.date else None
        self.claims: list[dict[str, Any]] = []
        self.last_commodity: str | None = None
        self.last_grade: float | None = None
        self.main_country = self._main_country()
        exclude = set(self.names.country_names) | set(self.names.cnames)
        self.orgs = origins(article.text, exclude)

    def _main_country(self) -> str | None:
        c = Counter(m.value for m in self.countries(self.a.text) if m.value != "WLD")
        return c.most_common(1)[0][0] if c else None

    # -- claims --------------------------------------------------------------------
    def run(self) -> list[dict[str, Any]]:
        for sent in sentences(self.a.text):
            self.sentence(sent)
            cm = self.commodities(sent.text)
            if cm:
                self.last_commodity = cm[-1].value
        what_ifs(self.claims)
        return R.dedupe(self.claims)

    def add(self, sent: Sentence, ctype: str, **kw: Any) -> None:
        claim: dict[str, Any] = {
            "id": "",
            "text": sent.text,
            "span": [sent.start, sent.end],
            "type": ctype,
        }
        claim.update({k: v for k, v in kw.items() if v is not None})
        if ctype == "value" and "series" not in claim and claim.get("commodity"):
            link_fact(self.store, self.orgs, claim)
        self.claims.append(claim)

    def pick(
        self, mentions: list[Mention], a: int, b: int, h: R.Hit | None = None, world: bool = True
    ) -> str | None:
        """The mention in ``[a, b)`` nearest to the figure ``h`` (real countries before WLD)."""
        inside = [m for m in mentions if m.start >= a and m.end <= b]
        real = [m for m in inside if m.value != "WLD"]
        pool = real or (inside if world else [])
        if not pool:
            return None
        if h is None:
            return pool[0].value
        return min(pool, key=lambda m: max(m.start - h.end, h.start - m.end, 0)).value

    def sentence(self, sent: Sentence) -> None:
        s = sent.text
        cms, cts = self.commodities(s), self.countries(s)
        if _ANAPHORA.search(s) or not cms:
            ctx_commodity = cms[0].value if cms else self.last_commodity
        else:
            ctx_commodity = cms[0].value
        if R.EXPORT_CURBS.search(s):
            members = [m for m in cms if m.start > R.EXPORT_CURBS.search(s).end()]  # type: ignore[union-attr]
            if len(members) >= 1:
                self.membership(sent, members)
                return
        dom = R.DOMINANCE.search(s)
        if dom:
            after = [m for m in cts if m.start >= dom.end() and m.value != "WLD"]
            if after and ctx_commodity:
                self.add(
                    sent,
                    "share",
                    commodity=ctx_commodity,
                    country=after[0].value,
                    year=self._data_year(s),
                    claimed=0.5,
                    op="ge",
                    tolerance=0.0,
                    note=f"Qualitative: '{dom.group(0).strip()} {after[0].surface}' read as "
                    f"{after[0].surface} supplying at least half (a documented rule).",
                )
        hits = R.hits(s)
        if len(hits) >= 2 and self.grade_tonnage(sent, hits, ctx_commodity):
            return
        cuts = R.clause_cuts(s, hits)
        for i, h in enumerate(hits):
            a, b = cuts[i], cuts[i + 1]
            window = s[a:b]
            if h.kind == "money" and not h.data.get("per"):
                h.data["per"] = shared_unit(s, h)
            nearest = None if _ANAPHORA.search(s) else self.pick(cms, 0, len(s), h)
            commodity = self.pick(cms, a, b, h) or (
                (cms[0].value if cms else None)
                if h.kind == "money" and not h.data.get("per")
                else nearest or ctx_commodity
            )
            world = h.kind == "mass"
            country = self.pick(cts, a, b, h, world) or self.pick(cts, 0, len(s), h, world)
            if country is None and (_DOMESTIC.search(window) or commodity):
                country = self.main_country
            self.figure(sent, h, window, commodity, country)

    def _data_year(self, s: str) -> int | None:
        """A year stated in the sentence, else the year before the story (latest complete data)."""
        m = R.YEAR.search(s)
        if m and re.search(rf"\b(?:in|for|during|of)\s+{m.group(0)}", s):
            return int(m.group(0))
        return self.year - 1 if self.year else None

    def figure(
        self, sent: Sentence, h: R.Hit, window: str, commodity: str | None, country: str | None
    ) -> None:
        s = sent.text
        word, op, approx = R.hedge_before(s, h.start)
        mod = R.modal(window)
        hedge = word or mod
        d = h.data
        fig = s[h.start : h.end]
        if h.kind == "rank":
            self.rank(sent, d, window, commodity, country, hedge)
        elif h.kind == "count":
            self.add(
                sent,
                "consistency",
                check="hit_rate",
                inputs={"hits": int(d["a"]), "total": int(d["b"])},
                hedge=hedge,
            )
        elif h.kind == "from_to":
            self.add(
                sent,
                "consistency",
                check="growth",
                inputs={
                    "start": R.to_number(d["a"], d["sa"] or d["sb"]),
                    "end": R.to_number(d["b"], d["sb"]),
                },
                hedge=hedge,
            )
        elif h.kind == "money":
            value = R.to_number(d["num"], d["scale"])
            tol = R.TOLERANCES["value"][approx]
            if d["per"] and commodity:
                y = self._explicit_year(s) or self.year
                unit = "USD/kg" if d["per"].lower() in ("kg", "kilogram") else "USD/t"
                self.add(
                    sent,
                    "value",
                    series=commodity,
                    claimed=f"{value:g} {unit}",
                    op=op,
                    tolerance=tol,
                    start=f"{y}-01" if y else None,
                    end=f"{y}-12" if y else None,
                    statistic="any",
                    hedge=hedge,
                    commodity=commodity,
                )
            else:
                self.add(
                    sent,
                    "value",
                    claimed=R.money_text(value),
                    op=op,
                    tolerance=tol,
                    hedge=hedge,
                    commodity=commodity,
                    country=country,
                    reason="critmin holds no data on investments, budgets or company finances.",
                )
        elif h.kind in ("percent", "multiple"):
            self.change_or_share(sent, h, window, commodity, country, op, approx, hedge)
        elif h.kind == "fraction":
            frac = R.FRACTIONS[re.sub(r"[\s-]+", " ", d["frac"].lower())]
            self.share(sent, frac, window, commodity, country, op, approx, hedge, fig)
        elif h.kind == "mass":
            self.mass(sent, h, window, commodity, country, op, approx, hedge)
        else:
            self.add(
                sent,
                "untyped",
                claimed=fig,
                hedge=hedge,
                commodity=commodity,
                reason="a count or figure without a unit or frame that critmin can check.",
            )

    def _explicit_year(self, s: str) -> int | None:
        m = R.YEAR.search(s)
        return int(m.group(0)) if m else None

    def rank(
        self,
        sent: Sentence,
        d: dict[str, Any],
        window: str,
        commodity: str | None,
        country: str | None,
        hedge: str | None,
    ) -> None:
        noun = d["noun"].lower()
        if d["ord"]:
            o = d["ord"].lower()
            n, op = R.ORDINALS.get(o) or int(re.sub(r"\D", "", o)), "eq"
        elif d["top"]:
            t = d["top"].lower()
            n, op = (int(t) if t.isdigit() else R.NUMBER_WORDS[t]), "le"
        elif d["oneofn"]:
            t = d["oneofn"].lower()
            n, op = (int(t) if t.isdigit() else R.NUMBER_WORDS[t]), "le"
        elif d["no"]:
            n, op = int(d["no"]), "eq"
        else:
            n, op = 1, "eq"
        measure = R.infer_measure(window)
        if R.DEPOSIT.search(sent.text):
            self.add(
                sent,
                "untyped",
                claimed=f"rank {n} {noun}",
                commodity=commodity,
                reason="a rank of a deposit or site: critmin ranks countries, not deposits.",
            )
            return
        if noun.startswith(("consumer", "importer", "exporter")):
            self.add(
                sent,
                "untyped",
                claimed=f"rank {n} {noun}",
                commodity=commodity,
                country=country,
                reason=f"a rank as {noun}: critmin ranks production and reserves, not trade or consumption.",
            )
            return
        if commodity is None or country is None:
            self.add(
                sent,
                "untyped",
                claimed=f"rank {n}",
                reason="a rank without a resolvable commodity and country.",
            )
            return
        self.add(
            sent,
            "rank",
            commodity=commodity,
            country=country,
            claimed=n,
            op=op,
            year=self._data_year(sent.text),
            measure=measure,
            hedge=hedge,
        )

    def membership(self, sent: Sentence, members: list[Mention]) -> None:
        mem = member_patterns([m.value for m in members])
        self.add(
            sent,
            "membership",
            fact_topic="policy",
            fact_pattern="export|MOFCOM|dual-use",
            members=mem,
        )

    def grade_tonnage(self, sent: Sentence, hits: list[R.Hit], commodity: str | None) -> bool:
        s = sent.text
        masses = [h for h in hits if h.kind == "mass"]
        ore = [h for h in masses if R.ORE.match(s[h.end : h.end + 8].strip() or "x")]
        metal = [h for h in masses if h not in ore]
        if not ore or not metal:
            return False
        o, m = ore[0], metal[0]
        inputs: dict[str, Any] = {
            "metal": f"{R.to_number(m.data['num'], m.data['scale']):g} t",
            "ore": f"{R.to_number(o.data['num'], o.data['scale']):g} t",
        }
        if self.last_grade is None:
            self.add(
                sent,
                "untyped",
                claimed=s[m.start : m.end],
                commodity=commodity,
                reason="metal and ore tonnages without a reported grade to check them against.",
            )
            return True
        inputs["max_grade"] = f"{self.last_grade:g} %"
        self.add(
            sent,
            "consistency",
            check="grade_tonnage",
            inputs=inputs,
            note=f"Checked against the highest grade quoted earlier in the story ({self.last_grade:g} %).",
        )
        return True

    def change_or_share(
        self,
        sent: Sentence,
        h: R.Hit,
        window: str,
        commodity: str | None,
        country: str | None,
        op: str,
        approx: bool,
        hedge: str | None,
    ) -> None:
        s = sent.text
        d = h.data
        tail = s[h.end : h.end + 40]
        if h.kind == "multiple":
            w = d["word"].lower()
            ratio = R.MULTIPLES.get(w) or float(
                R.NUMBER_WORDS.get((d["n"] or "").lower()) or float(d["n"] or 2)
            )
            tol = R.TOLERANCES["growth_multiple"][approx]
        else:
            p = float(d["num"].replace(",", ""))
            if R.GRADE.search(window) and not R.GROWTH_UP.search(tail):
                self.last_grade = p
                self.add(
                    sent,
                    "value",
                    claimed=f"{p:g} %",
                    op=op,
                    hedge=hedge,
                    commodity=commodity,
                    country=country,
                    reason="a grade or assay: critmin has no drillhole or assay data for this site.",
                )
                return
            up, down = R.GROWTH_UP.search(tail + window), R.GROWTH_DOWN.search(tail + window)
            if not (up or down):
                self.share(
                    sent, p / 100, window, commodity, country, op, approx, hedge, s[h.start : h.end]
                )
                return
            ratio = 1 + p / 100 if up else 1 - p / 100
            tol = R.TOLERANCES["growth"][approx]
        is_price = bool(R.PRICE.search(window))
        end_default = self.year if is_price else (self.year - 1 if self.year else None)
        start, end, wording = R.period_years(s, end_default)
        if start is None or end is None or start >= end:
            why = (
                "the story's date is unknown (pass --date) so the period cannot be placed."
                if wording
                else "a change with no period stated."
            )
            self.add(
                sent,
                "untyped",
                claimed=f"x{ratio:g}",
                commodity=commodity,
                country=country,
                reason=why,
            )
            return
        if is_price and commodity:
            self.add(
                sent,
                "growth",
                series=commodity,
                start=start,
                end=end,
                claimed=round(ratio, 4),
                op=op,
                tolerance=tol,
                hedge=hedge,
            )
            return
        measure = R.infer_measure(window) or R.infer_measure(s)
        if commodity is None or country is None or measure is None:
            self.add(
                sent,
                "untyped",
                claimed=f"x{ratio:g}",
                commodity=commodity,
                country=country,
                reason="a change whose commodity, country or measure the wording does not state.",
            )
            return
        self.add(
            sent,
            "growth",
            commodity=commodity,
            measure=measure,
            country=country,
            start=start,
            end=end,
            claimed=round(ratio, 4),
            op=op,
            tolerance=tol,
            hedge=hedge,
        )

    def share(
        self,
        sent: Sentence,
        frac: float,
        window: str,
        commodity: str | None,
        country: str | None,
        op: str,
        approx: bool,
        hedge: str | None,
        fig: str,
    ) -> None:
        world = R.WORLD_SHARE.search(window) or R.PRODUCED_IN.search(window)
        near = re.split(r",\s*(?:but|while|whereas)\b|;", _clause_of(window, fig))[0]
        if not world or R.TRADE.search(near) or commodity is None or country in (None, "WLD"):
            self.add(
                sent,
                "untyped",
                claimed=fig,
                commodity=commodity,
                country=country,
                hedge=hedge,
                reason="a percentage that is not a world share, a grade or a change over a period.",
            )
            return
        self.add(
            sent,
            "share",
            commodity=commodity,
            country=country,
            claimed=round(frac, 4),
            op=op,
            tolerance=R.TOLERANCES["share"][approx],
            year=self._data_year(sent.text),
            measure=R.infer_measure(window),
            hedge=hedge,
        )

    def mass(
        self,
        sent: Sentence,
        h: R.Hit,
        window: str,
        commodity: str | None,
        country: str | None,
        op: str,
        approx: bool,
        hedge: str | None,
    ) -> None:
        s = sent.text
        d = h.data
        value = R.to_number(d["num"], d["scale"])
        unit = re.sub(r"\s+", " ", d["unit"].lower())
        t = {"kt": 1e3, "mt": 1e6, "kg": 1e-3, "kilograms": 1e-3}.get(unit, 1.0)
        if unit.startswith(("ounce", "oz")):
            t = 31.1034768e-6
        tonnes = value * t
        per_year = bool(d["rate"]) or bool(
            re.search(r"\b(?:annual|a year|per year|yearly)\b", window)
        )
        claimed = f"{tonnes:g} t/yr" if per_year else f"{tonnes:g} t"
        prev = self._previous(sent)
        deposit = R.DEPOSIT.search(window) or R.DEPOSIT.search(prev)
        mod = R.modal(window)
        y = self._explicit_year(s)
        if mod and y is not None and self.year is not None and y < self.year:
            mod = None  # a projection for a year that is now in the past: check it as data
        tol = R.TOLERANCES["quantity"][approx]
        measure = R.infer_measure(window)
        trade = R.TRADE.search(window)
        subset = R.SUBSET.search(window)
        if mod or deposit or trade or subset or commodity is None or country is None:
            if country == "WLD":
                country = self.main_country  # a company's or a site's figure
            why = (
                f"a projection or target ('{mod}'): critmin holds no forecasts."
                if mod
                else "a deposit-, site- or company-level figure: the dataset holds national totals only."
                if deposit
                else f"a trade flow ('{trade.group(0)}'): claims are checked against production, not trade."
                if trade
                else f"a part of output ('{subset.group(0)}'), not national output."
                if subset
                else "a tonnage without a commodity and country to check it against."
            )
            self.add(
                sent,
                "value",
                claimed=claimed,
                op=op,
                tolerance=tol if op == "eq" else 0.0,
                hedge=hedge,
                commodity=commodity,
                country=country,
                year=self._explicit_year(s),
                reason=why,
            )
            return
        self.add(
            sent,
            "quantity",
            commodity=commodity,
            measure=measure or R.infer_measure(s) or primary_measure(commodity, self.store),
            country=country,
            claimed=f"{tonnes:g} t",
            op=op,
            tolerance=tol if op == "eq" else 0.0,
            year=self._data_year(s),
            hedge=hedge,
        )

    def _previous(self, sent: Sentence) -> str:
        """The text of the paragraph before this sentence."""
        start = self.a.text.rfind("\n", 0, sent.start) + 1
        return self.a.text[start : sent.start]


def extract(
    doc: str, *, date: str | None = None, store: Store | None = None, file: str | None = None
) -> dict[str, Any]:
    """Draft claims of an article.

    Parameters
    ----------
    doc : str
        The article, plain text or HTML.
    date : str, optional
        The story's date (YYYY, YYYY-MM or YYYY-MM-DD); default the HTML's
        ``article:published_time``. Places "over the past decade" and "now".
    store : Store, optional
        For the countries table (names to ISO3).
    file : str, optional
        Path recorded in ``source.file``.

    Returns
    -------
    dict
        A claims-file document (``source`` and ``claims``), valid for
        :func:`critmin.claims.spec.parse_claims`.
    """
    if store is None:
        from critmin.data.store import get_store

        store = get_store()
    art = Article.from_document(doc, date)
    ex = _Extractor(art, store)
    claims = ex.run()
    exclude = set(ex.names.country_names) | set(ex.names.cnames)
    source: dict[str, Any] = {"title": art.title or (file or "article")}
    for k in ("publisher", "date", "url"):
        if getattr(art, k):
            source[k] = getattr(art, k)
    if file:
        source["file"] = file
    source["origins"] = origins(art.text, exclude)
    if not claims:
        claims = [
            {
                "id": "c01-story-untyped",
                "type": "untyped",
                "text": (art.title or "article")[:200],
                "reason": "no sentence with a figure was found.",
            }
        ]
    return {"source": source, "claims": claims}


def extract_claims_file(doc: str, **kw: Any) -> Any:
    """:func:`extract`, validated as a :class:`~critmin.claims.spec.ClaimsFile`."""
    from critmin.claims.spec import parse_claims

    return parse_claims(extract(doc, **kw), "<extracted>")
