"""Estimation spec: a YAML file validated with pydantic.

Paths in the spec are relative to the spec file. Validation errors become
:class:`~critmin.errors.SpecError` naming the file and the field path
(``search.max_samples``). See ``examples/deposits/cbmina/estimation.yaml`` and
``docs/geostats.md`` for a full example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from critmin.geostats.drillholes import ColumnMap
from critmin.params import SourcedParam
from critmin.spec import load_spec as _load_spec

__all__ = [
    "BlockModelSpec",
    "ClassSpec",
    "ColumnsSpec",
    "CompositeSpec",
    "DatabaseSpec",
    "DrillholeSpec",
    "EstimationSpec",
    "GradeSpec",
    "SearchSpec",
    "VariogramSpec",
    "load_spec",
]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


ColumnsSpec = ColumnMap
"""Column names in the CSV files: the same model the drillhole reader takes."""


class DrillholeSpec(_M):
    """Drillhole files and conventions."""

    collar: Path
    survey: Path | None = None
    assay: Path
    tables: dict[str, Path] = Field(default_factory=dict)
    columns: ColumnsSpec = Field(default_factory=lambda: ColumnsSpec.model_validate({}))
    table_columns: dict[str, dict[str, str]] = Field(default_factory=dict)
    dip_positive_down: bool = True
    units: Literal["m", "ft"] = "m"
    overlaps: Literal["error", "first", "last", "longest", "average"] = "error"
    upward_holes: bool = False

    def column_maps(self) -> dict[str, ColumnMap]:
        """Column map per file (``collar``, ``survey``, ``assay``, table names)."""
        base = self.columns.model_dump(by_alias=True)
        return {k: ColumnMap.model_validate({**base, **v}) for k, v in self.table_columns.items()}

    @model_validator(mode="after")
    def _table_columns(self) -> DrillholeSpec:
        known = {"collar", "survey", "assay", *self.tables}
        for k, v in self.table_columns.items():
            if k not in known:
                raise ValueError(
                    f"table_columns names {k!r}, not a file; have {', '.join(sorted(known))}"
                )
            bad = set(v) - set(ColumnMap.model_fields) - {"from"} | ({"from_"} & set(v))
            if bad:
                raise ValueError(f"table_columns.{k}: unknown key(s) {', '.join(sorted(bad))}")
        return self

    @model_validator(mode="after")
    def _one_dip_convention(self) -> DrillholeSpec:
        c = self.columns
        if (
            "dip_positive_down" in c.model_fields_set
            and c.dip_positive_down != self.dip_positive_down
        ):
            raise ValueError("set dip_positive_down once, under drillholes (not under columns)")
        if c.dip_positive_down != self.dip_positive_down:
            object.__setattr__(
                self,
                "columns",
                c.model_copy(update={"dip_positive_down": self.dip_positive_down}),
            )
        return self

    below_detection: Literal["half", "zero", "nan", "error"] = "half"
    length_tolerance: float = Field(0.0, ge=0)


class GradeSpec(_M):
    """The grade being estimated."""

    column: str
    unit: Literal["%", "g/t", "ppm", "ppb"] = "%"
    metal: str = ""
    metal_unit: str = "t"
    below_detection: Literal["half", "zero", "nan", "error"] | None = None


class EquivalentSpec(_M):
    """A derived equivalent grade (e.g. CuEq) from prices and recoveries."""

    name: str
    base: str
    prices: dict[str, SourcedParam[float]]
    recoveries: dict[str, SourcedParam[float]]

    @model_validator(mode="after")
    def _same_metals(self) -> EquivalentSpec:
        if set(self.prices) != set(self.recoveries):
            raise ValueError("prices and recoveries must name the same grade columns")
        if self.base not in self.prices:
            raise ValueError(f"base {self.base!r} needs a price and a recovery")
        return self


class DomainSpec(_M):
    """Domain coding of intervals and blocks."""

    table: str
    column: str
    codes: list[str] | None = None
    hard_boundaries: bool = False
    block_max_distance: float = Field(50.0, gt=0)


class CompositeSpec(_M):
    """Compositing."""

    length: float = Field(gt=0)
    residual: Literal["merge_half", "keep", "drop", "equalize"] = "merge_half"
    min_coverage: float = Field(0.5, ge=0, le=1)


class DeclusterSpec(_M):
    """Cell declustering."""

    cell_sizes: list[float] = Field(min_length=1)
    anisotropy: tuple[float, float] = (1.0, 1.0)
    n_offsets: int = Field(8, ge=1)


class StructureSpec(_M):
    """One nested structure."""

    kind: Literal["spherical", "exponential", "gaussian"]
    sill: float = Field(ge=0)
    ranges: tuple[float, float, float]
    azimuth: float = 0.0
    dip: float = 0.0
    rake: float = 0.0


class ModelSpec(_M):
    """A variogram model given outright."""

    nugget: float = Field(0.0, ge=0)
    structures: list[StructureSpec] = Field(min_length=1)


class DirectionSpec(_M):
    """Direction of an experimental variogram."""

    azimuth: float
    dip: float = 0.0


class ExperimentalSpec(_M):
    """Experimental variogram parameters."""

    lag: float = Field(gt=0)
    n_lags: int = Field(ge=1)
    directions: list[DirectionSpec] = Field(default_factory=list)
    angle_tolerance: float = Field(22.5, gt=0, le=90)
    bandwidth: float | None = Field(None, gt=0)


class FitSpec(_M):
    """Variogram fitting."""

    kinds: list[Literal["spherical", "exponential", "gaussian"]] = Field(min_length=1)
    azimuth: float = 0.0
    dip: float = 0.0
    rake: float = 0.0
    nugget: float | None = Field(None, ge=0)


class VariogramSpec(_M):
    """Experimental variogram and model (given, or fitted to the experimental one)."""

    experimental: ExperimentalSpec | None = None
    model: ModelSpec | None = None
    fit: FitSpec | None = None

    @model_validator(mode="after")
    def _one_model(self) -> VariogramSpec:
        if (self.model is None) == (self.fit is None):
            raise ValueError("give exactly one of 'model' and 'fit'")
        if self.fit is not None and self.experimental is None:
            raise ValueError("'fit' needs 'experimental'")
        return self


class ExtraGradeSpec(GradeSpec):
    """A further grade estimated in the same run, with its own top-cut and variogram."""

    top_cut: float | None = Field(None, gt=0)
    variogram: VariogramSpec


class BlockModelSpec(_M):
    """Block model geometry, density and restrictions."""

    size: tuple[float, float, float]
    origin: tuple[float, float, float] | None = None
    shape: tuple[int, int, int] | None = None
    padding: float = Field(0.0, ge=0)
    density: float | dict[str, float] = 2.7
    default_density: float | None = Field(None, gt=0)
    below_collars: bool = False
    wireframe: Path | None = None
    wireframe_scale: float = Field(1.0, gt=0)
    topography: Path | None = None
    topography_scale: float = Field(1.0, gt=0)
    max_blocks: int = Field(20_000_000, ge=1)

    @model_validator(mode="after")
    def _origin_shape(self) -> BlockModelSpec:
        if (self.origin is None) != (self.shape is None):
            raise ValueError("give both 'origin' and 'shape', or neither")
        if any(s <= 0 for s in self.size):
            raise ValueError("block sizes must be positive")
        return self


class SearchSpec(_M):
    """Kriging search neighbourhood and passes."""

    ranges: tuple[float, float, float]
    azimuth: float = 0.0
    dip: float = 0.0
    rake: float = 0.0
    min_samples: int = Field(4, ge=1)
    max_samples: int = Field(24, ge=1)
    max_per_hole: int | None = Field(None, ge=0)
    max_per_octant: int | None = Field(None, ge=0)
    passes: list[float] = Field(default_factory=lambda: [1.0, 2.0, 3.0], min_length=1)
    discretisation: tuple[int, int, int] = (2, 2, 2)

    @model_validator(mode="after")
    def _samples(self) -> SearchSpec:
        if self.max_samples < self.min_samples:
            raise ValueError("max_samples must be at least min_samples")
        if any(r <= 0 for r in self.ranges):
            raise ValueError("search ranges must be positive")
        return self


class ClassSpec(_M):
    """Criteria of one resource class."""

    max_pass: int | None = Field(None, ge=1)
    min_holes: int | None = Field(None, ge=1)
    max_distance: float | None = Field(None, gt=0)
    max_relative_variance: float | None = Field(None, gt=0)
    min_slope: float | None = None
    min_efficiency: float | None = None


class ClassificationSpec(_M):
    """Classification rule."""

    measured: ClassSpec = Field(
        default_factory=lambda: ClassSpec.model_validate({"max_pass": 1, "min_holes": 3})
    )
    indicated: ClassSpec = Field(
        default_factory=lambda: ClassSpec.model_validate({"max_pass": 2, "min_holes": 2})
    )
    inferred: ClassSpec = Field(default_factory=lambda: ClassSpec.model_validate({}))


class InterceptSpec(_M):
    """Best-intercept search."""

    cutoff: float
    min_width: float = Field(0.0, ge=0)
    max_dilution: float = Field(0.0, ge=0)


class ExplorationSpec(_M):
    """Exploration statistics."""

    threshold: float
    intercepts: InterceptSpec | None = None


class ReportSpec(_M):
    """Resource reporting."""

    cutoffs: list[float] = Field(min_length=1)
    reporting_cutoff: float | None = None
    cutoff_on: str | None = None


class EstimationSpec(_M):
    """A whole estimation: drillholes to resource table."""

    name: str = "deposit"
    drillholes: DrillholeSpec
    grade: GradeSpec
    grades: list[ExtraGradeSpec] = Field(default_factory=list)
    equivalent: EquivalentSpec | None = None
    domain: DomainSpec | None = None
    composite: CompositeSpec
    top_cut: float | None = Field(None, gt=0)
    declustering: DeclusterSpec | None = None
    variogram: VariogramSpec
    block_model: BlockModelSpec
    search: SearchSpec
    classification: ClassificationSpec = Field(default_factory=ClassificationSpec)
    exploration: ExplorationSpec | None = None
    report: ReportSpec
    output: Path | None = None
    chunk_size: int = Field(100_000, ge=1)
    scheduler: str | None = None
    base_dir: Path = Field(default=Path("."), exclude=True)

    def path(self, p: Path) -> Path:
        """A spec path resolved against the spec's folder."""
        return p if p.is_absolute() else self.base_dir / p

    @model_validator(mode="after")
    def _grades(self) -> EstimationSpec:
        cols = [self.grade.column, *(g.column for g in self.grades)]
        if len(set(cols)) != len(cols):
            raise ValueError("a grade column is listed twice (grade and grades)")
        if self.equivalent is not None:
            bad = set(self.equivalent.prices) - set(cols)
            if bad:
                raise ValueError(f"equivalent: {', '.join(sorted(bad))} not among the grades")
        report = getattr(self, "report", None)  # None in a DatabaseSpec without one
        on = report.cutoff_on if report is not None else None
        names = [*cols, *([self.equivalent.name] if self.equivalent else [])]
        if on is not None and on not in names:
            raise ValueError(f"report.cutoff_on {on!r} is none of {', '.join(names)}")
        return self

    def grade_list(self) -> list[tuple[GradeSpec, float | None, VariogramSpec]]:
        """Every grade with its top-cut and variogram, the primary one first."""
        out: list[tuple[GradeSpec, float | None, VariogramSpec]] = [
            (self.grade, self.top_cut, self.variogram)
        ]
        out += [(g, g.top_cut, g.variogram) for g in self.grades]
        return out


class DatabaseSpec(EstimationSpec):
    """The drillhole part of an estimation spec, for ``deposit validate``, ``stats`` and
    ``composite``: ``variogram``, ``search``, ``report``, ``block_model`` (and, for all but
    ``composite``, ``composite``) may be left out (they are
    still validated when given), so a new database can be checked before it is modelled."""

    variogram: VariogramSpec | None = None  # type: ignore[assignment]
    search: SearchSpec | None = None  # type: ignore[assignment]
    report: ReportSpec | None = None  # type: ignore[assignment]
    block_model: BlockModelSpec | None = None  # type: ignore[assignment]
    composite: CompositeSpec | None = None  # type: ignore[assignment]


def load_spec(path: str | Path, *, database_only: bool = False) -> EstimationSpec:
    """Read and validate an estimation spec.

    Parameters
    ----------
    path : path
        YAML file.
    database_only : bool
        Validate as a :class:`DatabaseSpec` (no variogram, search or report needed).

    Returns
    -------
    EstimationSpec
        With ``base_dir`` set to the file's folder.

    Raises
    ------
    SpecError
        Unreadable YAML or a field that fails validation (named by its path).
    """
    model = DatabaseSpec if database_only else EstimationSpec
    spec = _load_spec(path, model, what="estimation spec")
    return spec.model_copy(update={"base_dir": Path(path).resolve().parent})
