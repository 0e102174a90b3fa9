"""Scatter of critmin's EU-method supply risk (EU27) against the published EU 2023 values.

Reads the validation fixture ``tests/risk/eu2023_published_sr.csv`` (published values are
used for this comparison only) and writes ``docs/img/risk-validation-eu2023.png``.

Run: ``.venv/bin/python scripts/risk_validation_figure.py``
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import spearmanr

import critmin.risk as risk

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "risk" / "eu2023_published_sr.csv"
OUT = ROOT / "docs" / "img" / "risk-validation-eu2023.png"


def main() -> None:
    pub = pd.read_csv(FIXTURE)
    df = risk.supply_risk("EU27", "eu", commodities=list(pub["commodity"])).set_index("commodity")
    pub["critmin"] = df.loc[pub["commodity"], "value"].to_numpy(float)
    pub["flagged"] = df.loc[pub["commodity"], "quality_flag"].fillna("").ne("").to_numpy()
    x, y = pub["sr_published"].to_numpy(float), pub["critmin"].to_numpy(float)
    rho = float(spearmanr(x, y).statistic)
    mae = float(np.mean(np.abs(x - y)))

    fig, ax = plt.subplots(figsize=(7, 6.5), dpi=110)
    top = float(max(x.max(), y.max())) * 1.08
    ax.plot([0, top], [0, top], color="0.6", lw=1, label="critmin = published")
    ax.fill_between([0, top], [-0.35, top - 0.35], [0.35, top + 0.35], color="0.9", label="±0.35")
    for flagged, style in ((False, {"color": "tab:blue"}), (True, {"facecolors": "none"})):
        g = pub[pub["flagged"] == flagged]
        ax.scatter(
            g["sr_published"],
            g["critmin"],
            s=28,
            edgecolors="tab:blue",
            label="placeholder-dominated" if flagged else "grade A-D, not flagged",
            **style,
        )
    for _, r in pub.iterrows():
        if abs(r["critmin"] - r["sr_published"]) >= 0.6 or r["sr_published"] >= 2.5:
            ax.annotate(
                r["commodity"],
                (r["sr_published"], r["critmin"]),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("published EU 2023 supply risk [0-10 scale]")
    ax.set_ylabel("critmin eu method, importer EU27 [0-10 scale]")
    ax.set_title(f"n = {len(pub)}, Spearman rho = {rho:.2f}, MAE = {mae:.2f}", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}: n={len(pub)} rho={rho:.2f} mae={mae:.2f}")


if __name__ == "__main__":
    main()
