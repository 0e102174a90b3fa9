"""Rebuild the bundled dataset from the reference files.

``critmin data build --reference ../shared/reference`` calls :func:`build_dataset`,
which runs every reader, checks the result (no duplicate keys, known units and
qualifiers) and writes the package's own Parquet files with a manifest. The raw
reference files are never copied into the package.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from critmin.data import commodities as reg
from critmin.data.countries import groups
from critmin.data.qa import run_qa
from critmin.data.readers import (
    read_baci,
    read_ds140,
    read_mcs2025_world,
    read_mcs2026_prices,
    read_mcs2026_world,
    read_pinksheet,
    read_salient,
    read_wgi,
)
from critmin.data.readers._rules import registry_yaml
from critmin.data.readers.facts import read_facts
from critmin.data.schema import (
    OBSERVATION_COLUMNS,
    PRICE_COLUMNS,
    PROVENANCE_COLUMNS,
    QUALIFIERS,
    SOURCE_COLUMNS,
)
from critmin.errors import CritminError, InputFileError

__all__ = [
    "BUNDLED_DIR",
    "DROPPED_COLUMNS",
    "TABLES",
    "QAError",
    "build_dataset",
    "qa_summary",
    "sources_table",
]

#: Where the bundled Parquet files live inside the package.
BUNDLED_DIR = Path(str(resources.files("critmin.data").joinpath("bundled")))

#: Tables of the bundled dataset.
TABLES = (
    "observations",
    "prices",
    "trade",
    "governance",
    "countries",
    "country_groups",
    "commodities",
    "sources",
    "qa",
    "table_flags",
    "dropped",
)

OBS_KEY = ["commodity", "measure", "product", "iso3", "year", "edition", "country"]


def sources_table() -> pd.DataFrame:
    """The sources registry (citation, licence, URL, publication date) as a DataFrame."""
    import yaml

    text = resources.files("critmin.data").joinpath("registry/sources.yaml").read_text("utf-8")
    items: list[dict[str, Any]] = yaml.safe_load(text)
    df = pd.DataFrame(items)
    for col in SOURCE_COLUMNS:
        if col not in df.columns:
            df[col] = None
    return df[[*SOURCE_COLUMNS, "file"]]


def _countries_table(iso_codes: set[str]) -> pd.DataFrame:
    import pycountry

    rows = []
    for c in pycountry.countries:
        rows.append(
            {
                "iso3": c.alpha_3,
                "iso2": c.alpha_2,
                "name": getattr(c, "common_name", None) or c.name,
                "official_name": getattr(c, "official_name", c.name),
                "entity_type": "country",
            }
        )
    rows.append(
        {
            "iso3": "XKX",
            "iso2": "XK",
            "name": "Kosovo",
            "official_name": "Republic of Kosovo",
            "entity_type": "country",
        }
    )
    rows += [
        {
            "iso3": "WLD",
            "iso2": None,
            "name": "World",
            "official_name": "World total",
            "entity_type": "world",
        },
        {
            "iso3": "OTH",
            "iso2": None,
            "name": "Other countries",
            "official_name": "Other countries",
            "entity_type": "other",
        },
        {
            "iso3": "XAG",
            "iso2": None,
            "name": "Other aggregate",
            "official_name": "Aggregate named by the source",
            "entity_type": "aggregate",
        },
    ]
    df = pd.DataFrame(rows).drop_duplicates("iso3")
    unknown = iso_codes - set(df["iso3"])
    if unknown:
        raise CritminError(
            f"observations use codes missing from the country table: {sorted(unknown)}"
        )
    return df


def _groups_table() -> pd.DataFrame:
    rows = []
    for g, spec in groups().items():
        for m in spec["members"]:
            rows.append(
                {"group": g, "iso3": m, "group_name": spec["name"], "source": spec["source"]}
            )
    return pd.DataFrame(rows)


def _commodities_table(obs: pd.DataFrame) -> pd.DataFrame:
    rows = []
    prod_measures = [
        "mine_production",
        "primary_production",
        "refinery_production",
        "plant_production",
        "production",
    ]
    small = obs[["commodity", "measure", "product", "edition", "source_row"]]
    by_c = dict(tuple(small.groupby("commodity", sort=False)))
    empty = small.iloc[0:0]
    for c in reg.registry().values():
        allc = by_c.get(c.id, empty)
        sub = allc[allc["measure"].isin(prod_measures)]
        primary = c.primary_measure
        if primary is None and len(sub):
            # first production measure in source order
            first = sub.sort_values(["edition", "source_row"]).iloc[0]
            primary = str(first["measure"])
        product = ""
        if primary is not None and len(sub):
            prods = sub[sub["measure"] == primary]["product"]
            if len(prods) and "" not in set(prods):
                product = str(prods.iloc[0])
        rows.append(
            {
                "commodity": c.id,
                "name": c.name,
                "symbol": c.symbol,
                "aliases": list(c.aliases),
                "primary_measure": primary,
                "primary_product": product,
                "default_price": c.default_price,
                "measures": sorted(set(allc["measure"])),
            }
        )
    return pd.DataFrame(rows)


def _check(obs: pd.DataFrame, prices: pd.DataFrame) -> None:
    bad_q = set(obs["qualifier"]) - set(QUALIFIERS)
    if bad_q:
        raise CritminError(f"unknown qualifiers in observations: {sorted(bad_q)}")
    dup = obs[obs.duplicated(OBS_KEY, keep=False)]
    if len(dup):
        raise CritminError(f"duplicate observation keys:\n{dup[OBS_KEY].head(10).to_string()}")
    valued = obs["qualifier"].isin(["reported", "estimated", "lower_bound", "upper_bound"])
    if obs.loc[valued, "value"].isna().any():
        raise CritminError("a reported/estimated/bounded observation has no value")
    if obs.loc[~valued, "value"].notna().any():
        raise CritminError("a withheld/NA/negligible observation carries a value")
    pdup = prices[prices.duplicated(["series", "period"], keep=False)]
    if len(pdup):
        raise CritminError(
            f"duplicate price periods:\n{pdup[['series', 'period']].head().to_string()}"
        )


#: Chapter PDFs of MCS 2026 (``<commodity>.pdf``), the pages the extract was transcribed from.
MCS2026_CHAPTER_URL = "https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-"

#: Columns of the ``dropped`` table: source content deliberately not stored, with a reason.
DROPPED_COLUMNS = ["file", "row", "column", "reason"]


class QAError(CritminError):
    """The QA gate found an unexplained failure; the bundled dataset is left unchanged."""


def _drop(file: str, reason: str, column: str = "") -> dict[str, Any]:
    return {"file": file, "row": 0, "column": column, "reason": reason}


def qa_summary(findings: pd.DataFrame) -> dict[str, int]:
    """Counts of findings per ``check:status``."""
    return {
        f"{c}:{s}": int(n) for (c, s), n in findings.groupby(["check", "status"]).size().items()
    }


def _prov(df: pd.DataFrame, file: str) -> pd.DataFrame:
    """Tag a reader's rows with the file they came from (path inside the reference folder)."""
    df = df.copy()
    df["file"] = file
    df["url"] = None
    return df


def _step(progress: Callable[[str], None] | None, msg: str) -> None:
    if progress is not None:
        progress(msg)


def build_dataset(
    reference: str | Path,
    out_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Read every reference source and write the bundled Parquet dataset.

    Parameters
    ----------
    reference : str or Path
        The ``shared/reference`` folder.
    out_dir : str or Path, optional
        Output folder; defaults to the package's ``data/bundled``.
    progress : callable, optional
        Called with a short message before each step.

    Returns
    -------
    dict
        The manifest: row counts per table, a content fingerprint and the sources.

    Notes
    -----
    All tables are written to a temporary folder first and moved into place only
    when every reader and check has passed: a failed build leaves the previous
    dataset untouched.
    """
    ref = Path(reference)
    if not ref.is_dir():
        raise InputFileError(str(ref), "reference folder not found")
    out = Path(out_dir) if out_dir is not None else BUNDLED_DIR
    src = sources_table()
    files = dict(zip(src["source_id"], src["file"], strict=True))

    dropped: list[dict[str, Any]] = []
    _step(progress, "MCS 2025 world data")
    f = files["usgs_mcs2025_world"]
    obs = [_prov(read_mcs2025_world(ref / f, dropped), f)]
    _step(progress, "MCS 2026 extract")
    x26 = files["usgs_mcs2026_extract"]
    obs.append(
        _prov(
            read_mcs2026_world(ref / x26 / "mcs2026_world_selected.csv"),
            x26 + "mcs2026_world_selected.csv",
        )
    )
    prices = [
        _prov(
            read_mcs2026_prices(ref / x26 / "mcs2026_prices_selected.csv"),
            x26 + "mcs2026_prices_selected.csv",
        )
    ]

    _step(progress, "MCS 2025 salient statistics")
    sal_dir = ref / files["usgs_mcs2025_salient"]
    used: set[str] = set()
    for c in reg.registry().values():
        if not c.salient:
            continue
        f = sal_dir / f"mcs2025-{c.salient}_salient.csv"
        if not f.exists():
            raise InputFileError(str(f), f"salient file for {c.id} not found")
        meta = f.with_name(f"mcs2025-{c.salient}_meta.xml")
        if not meta.exists():
            dropped.append(
                _drop(meta.name, "no metadata XML: price units taken from the CSV header")
            )
        p, n = read_salient(f, c.id, meta if meta.exists() else None, dropped)
        used |= {f.name, meta.name}
        rel = files["usgs_mcs2025_salient"] + f.name
        prices.append(_prov(p, rel))
        obs.append(_prov(n, rel))
    for f in sorted(sal_dir.glob("mcs2025-*")):
        if f.name not in used:
            dropped.append(_drop(f.name, "salient file of a commodity not in the registry"))

    _step(progress, "DS140 historical statistics")
    ds_dir = ref / files["usgs_ds140"]
    ds_used: set[str] = set()
    for c in reg.registry().values():
        if not c.ds140:
            continue
        w, u = read_ds140(
            ds_dir / c.ds140["file"],
            c.id,
            c.ds140["measure"],
            c.ds140.get("product", ""),
            dropped,
        )
        ds_used.add(c.ds140["file"])
        rel = files["usgs_ds140"] + c.ds140["file"]
        obs.append(_prov(w, rel))
        prices.append(_prov(u, rel))
    for f in sorted(ds_dir.glob("*.tsv")):
        if f.name not in ds_used:
            dropped.append(_drop(f.name, "DS140 table not mapped to a registry commodity"))

    _step(progress, "World Bank Pink Sheet")
    cols: dict[str, str | tuple[str, str]] = {
        c.pinksheet: c.id for c in reg.registry().values() if c.pinksheet
    }
    for e in registry_yaml("price_series.yaml")["pinksheet"]:
        cols[e["column"]] = (e["commodity"], e["series"])
    pfile = files["worldbank_pinksheet"]
    prices.append(_prov(read_pinksheet(ref / pfile, cols), pfile))
    header = pd.read_csv(ref / pfile, nrows=0).columns
    for col in header:
        if col != "month" and col not in cols:
            dropped.append(
                _drop(Path(pfile).name, "Pink Sheet series not a mineral, metal or fertiliser", col)
            )

    _step(progress, "World Bank WGI")
    gov = read_wgi(ref / files["worldbank_wgi"])

    _step(progress, "CEPII BACI")
    baci_dir = ref / files["cepii_baci"]
    trade = pd.concat(
        [read_baci(baci_dir / f"baci_{y}_hs17_30codes.csv", y) for y in (2022, 2024)],
        ignore_index=True,
    )

    _step(progress, "market facts")
    facts = read_facts(ref / files["ggm_facts"])

    _step(progress, "checks")
    obs_df = pd.concat([o for o in obs if len(o)], ignore_index=True)[
        [*OBSERVATION_COLUMNS, *PROVENANCE_COLUMNS]
    ]
    obs_df["product"] = obs_df["product"].fillna("")
    obs_df["note"] = obs_df["note"].fillna("")
    for col in ("raw_value", "raw_unit", "basis"):
        obs_df[col] = obs_df[col].fillna("").astype(str)
    obs_df["year"] = obs_df["year"].astype("int32")
    obs_df["source_row"] = obs_df["source_row"].astype("int32")
    obs_df["value"] = obs_df["value"].astype(float)
    price_df = pd.concat([p for p in prices if len(p)], ignore_index=True)[
        [*PRICE_COLUMNS, "source_row", *PROVENANCE_COLUMNS]
    ]
    price_df["source_row"] = price_df["source_row"].astype("int32")
    urls = dict(zip(src["source_id"], src["url"], strict=True))
    for df in (obs_df, price_df):
        df["url"] = df["source_id"].map(urls)
        # the MCS 2026 extract is transcribed from one chapter PDF per commodity
        x = df["source_id"] == "usgs_mcs2026_extract"
        df.loc[x, "url"] = MCS2026_CHAPTER_URL + df.loc[x, "commodity"] + ".pdf"
    price_df["value"] = price_df["value"].astype(float)
    price_df["date"] = pd.to_datetime(price_df["date"])
    _check(obs_df, price_df)
    _step(progress, "QA gate")
    published = dict(zip(src["edition"], src["published"].astype(str), strict=False))
    findings, flags = run_qa(obs_df, price_df, published)
    countries = _countries_table(set(obs_df["iso3"]))
    tables: dict[str, pd.DataFrame] = {
        "observations": obs_df.sort_values(
            ["commodity", "measure", "product", "year", "edition", "iso3"]
        ).reset_index(drop=True),
        "prices": price_df.sort_values(["series", "date"]).reset_index(drop=True),
        "trade": trade,
        "governance": gov,
        "facts": facts,
        "countries": countries,
        "country_groups": _groups_table(),
        "commodities": _commodities_table(obs_df),
        "sources": src.drop(columns=["file"]),
        "qa": findings,
        "table_flags": flags,
        "dropped": pd.DataFrame(dropped, columns=DROPPED_COLUMNS).astype({"row": "int32"}),
    }
    unexplained = findings[findings["status"] == "unexplained"]
    if len(unexplained):
        lines = [
            f"{r.check} {r.commodity} {r.measure} {r.product or '-'} {r.year} {r.edition}"
            f" {r.iso3 or ''}: {r.reason}"
            for r in unexplained.head(20).itertuples()
        ]
        raise QAError(
            f"QA gate: {len(unexplained)} unexplained finding(s) (explain each in "
            "registry/qa_explanations.yaml or fix the reader): " + "; ".join(lines)
        )
    _step(progress, "writing Parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".bundled-", dir=out.parent))
    h = hashlib.sha256()
    counts = {}
    for name, df in tables.items():
        path = tmp / f"{name}.parquet"
        df.to_parquet(path, index=False, compression="zstd")
        h.update(pd.util.hash_pandas_object(df.astype(str), index=False).values.tobytes())
        counts[name] = len(df)
    manifest = {
        "fingerprint": h.hexdigest()[:16],
        "rows": counts,
        "qa": qa_summary(findings),
        "dropped": len(dropped),
        "editions": sorted(set(obs_df["edition"]) | set(price_df["edition"])),
        "sources": list(src["source_id"]),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    out.mkdir(parents=True, exist_ok=True)
    for f in tmp.iterdir():
        os.replace(f, out / f.name)
    tmp.rmdir()
    return manifest
