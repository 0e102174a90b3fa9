"""By-product supply tables from the store: host output and recovery capacity by country.

The computation is in :mod:`critmin.scenarios.byproduct` (pure functions); this module
reads host output and installed recovery capacity from the store and tabulates what
each producing country of the host could support.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from critmin.errors import DataNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.data.store import Store

__all__ = ["byproduct_table"]


def byproduct_table(
    metal: str = "gallium",
    country: str | None = None,
    year: int | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """By-product supply that host output could support, by country and case.

    Parameters
    ----------
    metal : str
        ``gallium`` (from alumina) or ``germanium`` (from zinc).
    country : str, optional
        ISO3 code; default every producing country of the host.
    year : int, optional
        Year of host output; default the latest in the store. [year]
    store : Store, optional
        Default: the user's store.

    Returns
    -------
    pandas.DataFrame
        ``iso3``, ``country``, ``host``, ``year``, ``host_t`` [t], ``case``,
        ``intensity_g_t`` [g by-product per t host], ``potential_t``,
        ``potential_low_t``, ``potential_high_t`` [t/yr], ``bound_t`` (host output times
        the crustal-abundance grade bound of
        :func:`~critmin.scenarios.byproduct.grade_bound`) [t/yr], ``capacity_t`` (installed,
        else planned) [t/yr], ``capacity_source``, ``supported_t`` (potential capped by
        capacity; NaN where no capacity is known) [t/yr], ``plan_intensity_g_t``
        (planned capacity per t host) [g/t], ``host_source``, ``factor_sources``.
        ``attrs['benchmarks']`` lists published intensities.

    Notes
    -----
    ``potential = host_t * prod(factors)``, ``supported = min(potential, capacity)``.
    """
    import pandas as pd

    from critmin.data.commodities import resolve
    from critmin.scenarios.byproduct import PLANNED, byproduct_supply, grade_bound, route
    from critmin.scenarios.inputs import host_output, recovery_capacity

    r = route(resolve(metal))
    host, meta = host_output(r.host, r.host_measure, year, store)
    if country is not None:
        from critmin._api import resolve_country

        code = resolve_country(country, store)
        host = host[host["iso3"] == code]
        if host.empty:
            raise DataNotFoundError(f"no {r.host} {r.host_measure} for {code} in {meta['year']}")
    bound, bound_how = grade_bound(r)
    installed = recovery_capacity(r.metal, int(meta["year"]), store)
    planned = PLANNED.get(r.metal, {})
    rows = []
    for _, h in host.sort_values("host_t", ascending=False).iterrows():
        iso = str(h["iso3"])
        if iso in installed:
            cap, csrc = installed[iso]
        elif iso in planned:
            cap, csrc = planned[iso][0], f"planned: {planned[iso][1]}"
        else:
            cap, csrc = float("nan"), "no installed or planned capacity known"
        for case, fs in r.cases.items():
            inten = r.intensity(case)
            pot, sup = byproduct_supply(float(h["host_t"]), inten, None if cap != cap else cap)
            rows.append(
                {
                    "iso3": iso,
                    "country": h["country"],
                    "host": r.host,
                    "year": meta["year"],
                    "host_t": float(h["host_t"]),
                    "case": case,
                    "intensity_g_t": inten * 1e6,
                    "potential_t": pot,
                    "potential_low_t": float(h["host_t"]) * r.intensity(case, "low"),
                    "potential_high_t": float(h["host_t"]) * r.intensity(case, "high"),
                    "bound_t": float(h["host_t"]) * bound * 1e-6,
                    "capacity_t": cap,
                    "capacity_source": csrc,
                    "supported_t": sup if cap == cap else float("nan"),
                    "plan_intensity_g_t": cap / float(h["host_t"]) * 1e6
                    if cap == cap
                    else float("nan"),
                    "host_source": h["source"],
                    "factor_sources": "; ".join(
                        f"{f.name}={f.value:g} {f.unit} ({f.source})" for f in fs
                    ),
                }
            )
    out = pd.DataFrame(rows)
    out.attrs["benchmarks"] = list(r.benchmarks)
    out.attrs["metal"] = r.metal
    out.attrs["grade_bound"] = (bound, bound_how)
    return out
