"""Kriging neighbourhood analysis (KNA): slope of regression and kriging efficiency
of chosen test blocks as the block size, the number of samples and the search
range change.

For each combination the test blocks are block-kriged with the spec's variogram
(every other setting as in the spec's first pass) and the neighbourhood
figures of :func:`~critmin.geostats.kriging.ordinary_kriging` reported: slope
of regression (SoR), kriging efficiency (KE), kriging variance, the Lagrange
multiplier, samples and holes used. A neighbourhood is usually chosen where SoR
and KE stop improving as samples are added (Vann, Jackson & Bertoli 2003,
"Quantitative kriging neighbourhood analysis for the mining geologist", 5th
International Mining Geology Conference, AusIMM).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from critmin.geostats.kriging import Search, ordinary_kriging
from critmin.geostats.variogram import VariogramModel

__all__ = ["kna_sweep", "neighbourhood_summary"]


def kna_sweep(
    xyz: np.ndarray,
    values: np.ndarray,
    holes: np.ndarray,
    model: VariogramModel,
    search: Search,
    targets: np.ndarray,
    block_sizes: Sequence[tuple[float, float, float]],
    max_samples: Sequence[int],
    search_scales: Sequence[float] = (1.0,),
    discretisation: tuple[int, int, int] = (2, 2, 2),
) -> pd.DataFrame:
    """Neighbourhood figures of test blocks over a grid of settings.

    Parameters
    ----------
    xyz : array, shape (n, 3)
        Composite positions. [m]
    values : array
        Composite grades. [grade unit]
    holes : array of str
        Hole id of each composite.
    model : VariogramModel
        Variogram model.
    search : Search
        Base search (first pass); its ranges are multiplied by each scale.
    targets : array, shape (m, 3)
        Test block centres. [m]
    block_sizes : sequence of tuple
        Block sizes to try. [m]
    max_samples : sequence of int
        Largest numbers of samples to try (``min_samples`` is lowered to fit).
    search_scales : sequence of float
        Multipliers of the search ranges. [ratio]
    discretisation : tuple of int
        Points per block along x, y, z.

    Returns
    -------
    pandas.DataFrame
        ``block`` (index of the test block), ``x, y, z`` [m], ``size_x, size_y,
        size_z`` [m], ``max_samples``, ``search_scale``, ``n_samples``,
        ``n_holes``, ``slope_of_regression``, ``kriging_efficiency``,
        ``variance`` [grade unit squared], ``lagrange``, ``estimate``.
    """
    tg = np.atleast_2d(np.asarray(targets, dtype=float))
    rows = []
    for size in block_sizes:
        for ms in max_samples:
            for sc in search_scales:
                s = replace(search.scaled(sc), max_samples=int(ms),
                            min_samples=min(search.min_samples, int(ms)))  # fmt: skip
                r = ordinary_kriging(xyz, values, tg, model, s, holes=holes,
                                     block_size=(float(size[0]), float(size[1]), float(size[2])), discretisation=discretisation)  # fmt: skip
                for i in range(len(tg)):
                    rows.append({
                        "block": i, "x": tg[i, 0], "y": tg[i, 1], "z": tg[i, 2],
                        "size_x": size[0], "size_y": size[1], "size_z": size[2],
                        "max_samples": int(ms), "search_scale": float(sc),
                        "n_samples": int(r.at[i, "n_samples"]), "n_holes": int(r.at[i, "n_holes"]),
                        "slope_of_regression": r.at[i, "slope_of_regression"],
                        "kriging_efficiency": r.at[i, "kriging_efficiency"],
                        "variance": r.at[i, "variance"], "lagrange": r.at[i, "lagrange"],
                        "estimate": r.at[i, "estimate"],
                    })  # fmt: skip
    return pd.DataFrame(rows)


def neighbourhood_summary(blocks: pd.DataFrame, by: str = "class") -> pd.DataFrame:
    """Slope of regression and kriging efficiency summarised per class (or pass).

    Returns
    -------
    pandas.DataFrame
        ``<by>, blocks``, mean and 10th/50th percentiles of SoR and KE, and the
        share of blocks with SoR at least 0.8 and KE at least 0.5. [ratio]
    """
    rows = []
    for key, g in blocks.groupby(by, sort=True):
        sor = g["slope_of_regression"].to_numpy(dtype=float)
        ke = g["kriging_efficiency"].to_numpy(dtype=float)
        rows.append({
            by: key, "blocks": len(g),
            "sor_mean": float(np.nanmean(sor)), "sor_p10": float(np.nanpercentile(sor, 10)),
            "sor_p50": float(np.nanpercentile(sor, 50)), "ke_mean": float(np.nanmean(ke)),
            "ke_p10": float(np.nanpercentile(ke, 10)), "ke_p50": float(np.nanpercentile(ke, 50)),
            "share_sor_0_8": float(np.mean(sor >= 0.8)), "share_ke_0_5": float(np.mean(ke >= 0.5)),
        })  # fmt: skip
    return pd.DataFrame(rows)
