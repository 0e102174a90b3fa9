"""A synthetic drillhole database with planted defects, for validation and ledger tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from geostats_fixtures import SMALL_SPEC, write

DEFECT_SPEC = SMALL_SPEC.replace(
    "  tables: {litho: litho.csv}\n",
    "  tables: {litho: litho.csv}\n"
    "  table_columns: {litho: {hole: HOLE, from: DEPTH_FROM, to: DEPTH_TO}}\n"
    "  overlaps: last\n",
)


def defect_db(tmp: Path, clean: bool = False, nickel: bool = False) -> dict[str, object]:
    """Write the database; return paths and the planted defects.

    Planted (unless ``clean``): two re-assays of H03 listed at the end of the
    file (same intervals), one straddling re-assay of H04, H11 without survey,
    H10's survey starting at 5 m, H01 missing its 20-22 m assay (a gap), H00's
    lithology ending at 50 m (assays 50-60 m outside every domain interval), a
    litho table with its own column names. ``nickel`` adds an NI column
    (% Ni, trending north, not assayed in H02).
    """
    rng = np.random.default_rng(7)
    collar = ["HOLEID,X,Y,Z,LENGTH"]
    survey = ["HOLEID,AT,AZM,DIP"]
    assay = ["HOLEID,FROM,TO,CU" + (",NI" if nickel else "")]
    litho = ["HOLE,DEPTH_FROM,DEPTH_TO,LITH"]
    k = 0
    for i in range(4):
        for j in range(3):
            h = f"H{k:02d}"
            k += 1
            x, y = 1000 + 30 * i, 2000 + 30 * j
            collar.append(f"{h},{x},{y},500,60")
            if clean or h not in ("H11",):
                first = 5 if (h == "H10" and not clean) else 0
                survey.append(f"{h},{first},45,85")
                survey.append(f"{h},60,45,80")
            for d in range(0, 60, 2):
                if h == "H01" and d == 20 and not clean:
                    continue
                g = 0.5 + 0.01 * (x - 1000) + 0.005 * d + rng.normal(0, 0.05)
                ni = 0.2 + 0.004 * (y - 2000) + rng.normal(0, 0.03)
                extra = ("," if h == "H02" else f",{ni:.3f}") if nickel else ""
                assay.append(f"{h},{d},{d + 2},{g:.3f}{extra}")
            end = 50 if (h == "H00" and not clean) else 60
            litho.append(f"{h},0,30,OX")
            litho.append(f"{h},30,{end},FR")
    if not clean:
        e = ",0.3" if nickel else ""
        assay.append(f"H03,10,12,3.000{e}")  # re-assays listed after the originals
        assay.append(f"H03,12,14,3.200{e}")
        assay.append(f"H04,9,13,2.500{e}")  # a straddling re-assay
    return {
        "collar": write(tmp / "collar.csv", "\n".join(collar)),
        "survey": write(tmp / "survey.csv", "\n".join(survey)),
        "assay": write(tmp / "assay.csv", "\n".join(assay)),
        "litho": write(tmp / "litho.csv", "\n".join(litho)),
        "spec": write(tmp / "spec.yaml", DEFECT_SPEC),
    }
