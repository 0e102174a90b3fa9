"""Derive ``src/critmin/risk/eu2023_appendix7.csv`` from the EU 2023 study's Appendix 7.

Source: EC (2023) *Study on the critical raw materials for the EU 2023, final report*,
doi:10.2873/725585, Appendix 7 (global supply shares and EU sourcing shares >= 1 % with the
trade-related variable t), as transcribed in
github.com/erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets, commit ``5938350``,
files ``Data/fact_GlobalSupplyShares&t.csv`` and ``Data/fact_EUSupplyShares&t.csv``
(CC BY 4.0; a secondary transcription, cp1252-encoded). Only the 51 study materials that map
to a critmin commodity are kept; every change to a row is written to its ``note``.

Run: ``.venv/bin/python scripts/derive_eu2023_inputs.py <checkout of the transcription>``
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from critmin.data.names import country
from critmin.errors import CritminError

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "critmin" / "risk" / "eu2023_appendix7.csv"

#: Study material name (Appendix 7) -> critmin commodity; the same mapping as the validation
#: fixture (aluminium/bauxite -> bauxite, bentonite -> clays, magnesite -> magnesium_compounds,
#: silica sand -> sand_gravel_industrial, titanium (ores) -> titanium_mineral_concentrates).
MATERIALS = {
    "Aluminium": "bauxite",
    "Antimony": "antimony",
    "Arsenic": "arsenic",
    "Barytes": "barite",
    "Bentonite": "clays",
    "Beryllium": "beryllium",
    "Bismuth": "bismuth",
    "Borate": "boron",
    "Cadmium": "cadmium",
    "Chromium": "chromium",
    "Cobalt": "cobalt",
    "Copper": "copper",
    "Diatomite": "diatomite",
    "Feldspar": "feldspar",
    "Fluorspar": "fluorspar",
    "Gallium": "gallium",
    "Germanium": "germanium",
    "Gold": "gold",
    "Gypsum": "gypsum",
    "Helium": "helium",
    "Indium": "indium",
    "Iron ore": "iron_ore",
    "Lead": "lead",
    "Lithium": "lithium",
    "Magnesium": "magnesium",
    "Magnesite": "magnesium_compounds",
    "Manganese": "manganese",
    "Molybdenum": "molybdenum",
    "Natural Graphite": "graphite",
    "Nickel": "nickel",
    "Niobium": "niobium",
    "Perlite": "perlite",
    "Phosphate Rock": "phosphate_rock",
    "Potash": "potash",
    "Rhenium": "rhenium",
    "Selenium": "selenium",
    "Silica sand": "sand_gravel_industrial",
    "Silicon metal": "silicon",
    "Silver": "silver",
    "Strontium": "strontium",
    "Sulphur": "sulfur",
    "Talc": "talc",
    "Tantalum": "tantalum",
    "Tellurium": "tellurium",
    "Tin": "tin",
    "Titanium": "titanium_mineral_concentrates",
    "Titanium ores": "titanium_mineral_concentrates",
    "Titanium metal": "titanium",
    "Tungsten": "tungsten",
    "Vanadium": "vanadium",
    "Zinc": "zinc",
    "Zirconium": "zirconium",
}
#: Country spellings the resolver does not know (the transcription's own spellings).
COUNTRIES = {
    "Brasil": "BRA",
    "Brasilia": "BRA",
    "Congo": "COG",  # the transcription writes the DR Congo as 'Congo, D.R.'
    "Congo, D.R.": "COD",
    "Libanon": "LBN",
    "Surinam": "SUR",
    "Turkyie": "TUR",
}
FILES = {
    "global": "Data/fact_GlobalSupplyShares&t.csv",
    "eu_sourcing": "Data/fact_EUSupplyShares&t.csv",
}


def _iso3(name: str) -> str:
    if name in COUNTRIES:
        return COUNTRIES[name]
    hit = country(name)
    if hit.kind != "country":
        raise CritminError(f"{name!r} is a {hit.kind}, not a country")
    return str(hit.id)


def _share(text: str) -> tuple[float, str]:
    t = str(text).strip()
    if t.startswith("<"):
        return float("nan"), f"below {t[1:]}: kept as bounded, share empty"
    if t.endswith("%"):
        return float(t[:-1]) / 100.0, ""
    return float(t) / 100.0, f"'{t}' without a % sign: read as {t} %"


def derive(checkout: Path) -> pd.DataFrame:
    rows = []
    for side, rel in FILES.items():
        df = pd.read_csv(checkout / rel, encoding="cp1252", dtype=str)
        for i, r in df.iterrows():
            cid = MATERIALS.get(str(r["Material"]))
            if cid is None:
                continue
            share, note = _share(r["Share"])
            rows.append(
                {
                    "commodity": cid,
                    "material": r["Material"],
                    "stage": {"E": "extraction", "P": "processing"}[str(r["Stage"])],
                    "side": side,
                    "iso3": _iso3(str(r["Country"])),
                    "share": share,
                    "t": float(r["t"]),
                    "line": int(str(i)) + 2,
                    "note": note,
                }
            )
    out = pd.DataFrame(rows)
    dup = out.duplicated(["commodity", "stage", "side", "iso3"], keep=False)
    if dup.any():
        raise CritminError(f"{int(dup.sum())} rows name the same country twice")
    return out.sort_values(["commodity", "stage", "side", "iso3"]).reset_index(drop=True)


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    out = derive(Path(sys.argv[1]))
    out.to_csv(OUT, index=False, float_format="%.6g")
    print(f"{len(out)} rows, {out['commodity'].nunique()} commodities -> {OUT}")
    print(out.groupby("side").size().to_string())
    print(f"bounded (<0.1 %) shares: {int(out['share'].isna().sum())}")
    print(f"rows with a note: {int((out['note'] != '').sum())}")


if __name__ == "__main__":
    main()
