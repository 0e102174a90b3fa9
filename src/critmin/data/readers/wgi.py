"""World Bank Worldwide Governance Indicators, DataBank bulk CSV (wide)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from critmin.data.schema import GOVERNANCE_COLUMNS
from critmin.errors import InputFileError

__all__ = ["DIMENSIONS", "read_wgi"]

#: WGI dimension codes.
DIMENSIONS = {
    "CC": "Control of Corruption",
    "GE": "Government Effectiveness",
    "PV": "Political Stability and Absence of Violence/Terrorism",
    "RQ": "Regulatory Quality",
    "RL": "Rule of Law",
    "VA": "Voice and Accountability",
}


def read_wgi(path: str | Path) -> pd.DataFrame:
    """Read ``WGIData.csv`` into long governance rows.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~critmin.data.schema.GOVERNANCE_COLUMNS`: ``estimate`` on the
        WGI scale (about -2.5 weak to +2.5 strong governance) and its ``std_error``.
    """
    path = Path(path)
    df = pd.read_csv(path, encoding="utf-8-sig", dtype={"Country Code": str})
    need = ["Country Code", "Indicator Code"]
    if any(c not in df.columns for c in need):
        raise InputFileError(str(path), f"missing columns {need}", line=1)
    years = [c for c in df.columns if str(c).isdigit()]
    df = df[["Country Code", "Indicator Code", *years]]
    long = df.melt(id_vars=["Country Code", "Indicator Code"], var_name="year", value_name="v")
    long = long.dropna(subset=["v"])
    code = long["Indicator Code"].str.split(".", n=1, expand=True)
    long["dimension"] = code[0]
    long["stat"] = code[1]
    long = long[long["dimension"].isin(DIMENSIONS) & long["stat"].isin(["EST", "STD.ERR"])]
    wide = long.pivot_table(
        index=["Country Code", "year", "dimension"], columns="stat", values="v", aggfunc="first"
    ).reset_index()
    wide = wide.rename(columns={"Country Code": "iso3", "EST": "estimate", "STD.ERR": "std_error"})
    wide["year"] = wide["year"].astype("int32")
    wide["source_id"] = "worldbank_wgi"
    wide = wide.dropna(subset=["estimate"])
    return (
        wide[GOVERNANCE_COLUMNS].sort_values(["iso3", "year", "dimension"]).reset_index(drop=True)
    )
