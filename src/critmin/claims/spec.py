"""Claims files: YAML validated by pydantic, one model per claim type.

A claims file quotes each statement of a source and says how to check it::

    source: {title: "...", url: "...", date: "2025-06"}
    claims:
      - id: tin-price-doubled
        text: "Tin prices have doubled in five years"
        type: growth
        series: tin
        start: 2020
        end: 2025
        claimed: 2.0          # ratio end/start
        tolerance: 0.15       # relative

Tolerances: relative (fraction of the claimed figure) for quantity, value and
growth claims; absolute (in share points, 0-1) for share claims; rank claims
compare integers with ``op``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from critmin.spec import load_spec as _load_spec
from critmin.spec import parse_spec as _parse_spec

__all__ = [
    "Claim",
    "ClaimsFile",
    "ConsistencyClaim",
    "GrowthClaim",
    "MembershipClaim",
    "QuantityClaim",
    "RankClaim",
    "ShareClaim",
    "SourceRef",
    "UntypedClaim",
    "ValueClaim",
    "load_claims",
    "parse_claims",
]

Op = Literal["eq", "ge", "le", "gt", "lt"]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9_.:-]+$", description="Unique id of the claim.")
    text: str = Field(min_length=3, description="The statement, quoted from the source.")
    note: str | None = None
    span: tuple[int, int] | None = Field(
        None, description="Character span [start, end) of the quoted sentence in the article."
    )
    hedge: str | None = Field(
        None, description="Hedge word read from the wording ('about', 'more than', 'could')."
    )
    date: str | None = Field(
        None,
        description="When the claim was made (YYYY, YYYY-MM or YYYY-MM-DD); default the "
        "source's date. Where editions disagree, the edition current at this date decides.",
    )


class RankClaim(_Base):
    """A country holds a rank (or is in the top N) for a commodity and measure."""

    type: Literal["rank"]
    commodity: str
    country: str
    claimed: int = Field(ge=1, description="Claimed rank (1 = largest).")
    op: Op = "eq"
    year: int | None = None
    measure: str | None = None
    add: dict[str, str] = Field(
        default_factory=dict, description="What-if additions, ISO3 -> '15t' (assumptions)."
    )


class ShareClaim(_Base):
    """A country's share of world supply."""

    type: Literal["share"]
    commodity: str
    country: str
    claimed: float = Field(ge=0, le=1, description="Claimed share. [fraction]")
    op: Op = "eq"
    tolerance: float = Field(0.02, ge=0, description="Absolute tolerance. [fraction]")
    year: int | None = None
    measure: str | None = None


class QuantityClaim(_Base):
    """A quantity in the store: production, reserves, capacity of a country (or WLD)."""

    type: Literal["quantity"]
    commodity: str
    measure: str
    country: str
    claimed: str = Field(description="Quantity with a unit, e.g. '286000 t'.")
    op: Op = "eq"
    tolerance: float = Field(0.1, ge=0, description="Relative tolerance. [fraction]")
    year: int | None = None


class GrowthClaim(_Base):
    """Change between two years of a price series or of a quantity."""

    type: Literal["growth"]
    claimed: float = Field(
        gt=0, description="Claimed ratio end/start (2.0 = doubled; 1.33 = +33 %)."
    )
    start: int
    end: int
    op: Op = "eq"
    tolerance: float = Field(0.15, ge=0, description="Relative tolerance on the ratio. [fraction]")
    series: str | None = Field(None, description="Price series or commodity (annual averages).")
    commodity: str | None = None
    measure: str | None = None
    country: str | None = None

    @field_validator("end")
    @classmethod
    def _after(cls, v: int, info: Any) -> int:
        start = info.data.get("start")
        if start is not None and v <= start:
            raise ValueError("end must be after start")
        return v


class ValueClaim(_Base):
    """A value: a price in a window, or a figure in the sourced facts table.

    With neither ``series`` nor ``fact`` the claim is recorded as not checkable:
    critmin has no dataset that covers it.
    """

    type: Literal["value"]
    claimed: str = Field(description="Value with a unit, e.g. '33000 USD/t' or '20 USD million'.")
    op: Op = "eq"
    tolerance: float = Field(0.1, ge=0, description="Relative tolerance. [fraction]")
    series: str | None = None
    start: str | None = Field(None, description="First period of the window (2025 or 2025-01).")
    end: str | None = None
    statistic: Literal["any", "max", "min", "mean", "last"] = "any"
    fact: str | None = Field(None, description="Regex on the facts table's item.")
    fact_topic: str | None = None
    reason: str | None = Field(
        None, description="Why no dataset covers the claim (when unsourced)."
    )
    commodity: str | None = Field(None, description="Commodity the figure is about (context).")
    country: str | None = Field(None, description="Country the figure is about (context).")
    year: int | None = None


class ConsistencyClaim(_Base):
    """Arithmetic within the story itself, needing no outside data."""

    type: Literal["consistency"]
    check: Literal["grade_tonnage", "hit_rate", "implied_price", "growth"]
    inputs: dict[str, int | float | str] = Field(
        description="Named inputs, quantities with units where relevant."
    )
    claimed: float | None = Field(
        None, description="A figure the story states for the derived quantity, if any."
    )
    tolerance: float = Field(0.05, ge=0)


class MembershipClaim(_Base):
    """Members belong to a set: a country group, or subjects of sourced facts."""

    type: Literal["membership"]
    members: dict[str, str] = Field(
        description="Member -> regex matched on facts (or ISO3 for groups)."
    )
    group: str | None = Field(None, description="Country group (EU27, OECD, G7).")
    fact_topic: str | None = None
    fact_pattern: str | None = Field(
        None, description="Regex every matching fact must also satisfy."
    )
    claimed: bool = True


class UntypedClaim(_Base):
    """A statement with a figure that no claim type can check, kept with the reason."""

    type: Literal["untyped"]
    reason: str = Field(description="Why the statement cannot be typed or checked.")
    claimed: str | None = Field(None, description="The figure as written, if any.")
    commodity: str | None = None
    country: str | None = None
    year: int | None = None


Claim = Annotated[
    RankClaim
    | ShareClaim
    | QuantityClaim
    | GrowthClaim
    | ValueClaim
    | ConsistencyClaim
    | MembershipClaim
    | UntypedClaim,
    Field(discriminator="type"),
]


class SourceRef(BaseModel):
    """The story the claims come from."""

    model_config = ConfigDict(extra="forbid")
    title: str
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    file: str | None = None
    origins: list[str] = Field(
        default_factory=list,
        description="Who the story relays (the publisher, outlets it cites, companies it quotes): "
        "a fact whose source or subject is one of these cannot support the story's claim.",
    )


class ClaimsFile(BaseModel):
    """A claims file."""

    model_config = ConfigDict(extra="forbid")
    source: SourceRef
    claims: list[Claim] = Field(min_length=1)

    @field_validator("claims")
    @classmethod
    def _unique(cls, v: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for c in v:
            if c.id in seen:
                raise ValueError(f"duplicate claim id {c.id!r}")
            seen.add(c.id)
        return v


def parse_claims(data: Any, path: str = "<claims>", *, text: str | None = None) -> ClaimsFile:
    """Validate a parsed claims document; errors name the file and the field path."""
    return _parse_spec(data, ClaimsFile, path, text=text, what="claims file")


def load_claims(path: str | Path) -> ClaimsFile:
    """Read and validate a claims YAML file."""
    return _load_spec(path, ClaimsFile, what="claims file")
