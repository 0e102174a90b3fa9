"""Supply-risk indices as pure functions over arrays.

Every function broadcasts: the last axis of a share or governance array is the
country axis, leading axes are free (Monte Carlo draws, commodities). Nothing here
touches the store; inputs are assembled by :mod:`critmin.risk.inputs`.

Scales
    WGI estimates run about -2.5 (weak) to 2.5 (strong governance). The EU method
    rescales them to 0-10 (:func:`wgi_scaled`, 10 = weakest); the USGS stand-in and
    GeoPolRisk use 0-1 (:func:`wgi_unit`, :func:`political_instability`, 1 = weakest).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from critmin.errors import ValidationError

__all__ = [
    "METHODS",
    "eu_supply_risk",
    "eu_supply_risk_2023",
    "geopolrisk",
    "hhi",
    "hhi_wgi",
    "political_instability",
    "sourcing_shares",
    "usgs_disruption_potential",
    "usgs_supply_risk",
    "wgi_scaled",
    "wgi_unit",
]

Array = NDArray[np.float64]


def _arr(x: ArrayLike, name: str) -> Array:
    a = np.asarray(x, dtype=float)
    if np.isnan(a).any():
        raise ValidationError(f"{name} contains NaN")
    return a


def _fraction(x: ArrayLike, name: str) -> Array:
    a = _arr(x, name)
    if (a < -1e-12).any() or (a > 1 + 1e-9).any():
        raise ValidationError(f"{name} must be fractions between 0 and 1")
    return np.clip(a, 0.0, 1.0)


def _shares(x: ArrayLike, name: str = "shares") -> Array:
    a = _fraction(x, name)
    if (a.sum(axis=-1) > 1 + 1e-9).any():
        raise ValidationError(f"{name} must sum to at most 1 over the country axis")
    return a


def wgi_scaled(estimate: ArrayLike) -> Array:
    """WGI rescaled to 0-10 as in the EU criticality method.

    Parameters
    ----------
    estimate : array-like
        Mean of the six WGI estimates of a country. [about -2.5 to 2.5, higher = better]

    Returns
    -------
    numpy.ndarray
        WGI scaled. [0-10, higher = weaker governance]

    Notes
    -----
    .. math:: WGI_{scaled} = 2\\,(2.5 - \\overline{WGI}),

    clipped to [0, 10] (a few estimates fall just outside -2.5..2.5).

    References
    ----------
    European Commission (2017), Methodology for establishing the EU list of critical
    raw materials: Guidelines, JRC, doi:10.2873/769526, section 3.2.
    """
    return np.clip(2.0 * (2.5 - _arr(estimate, "estimate")), 0.0, 10.0)


def wgi_unit(estimate: ArrayLike) -> Array:
    """WGI rescaled to 0-1 (1 = weakest governance): ``wgi_scaled / 10``.

    Parameters
    ----------
    estimate : array-like
        Mean WGI estimate. [about -2.5 to 2.5]

    Returns
    -------
    numpy.ndarray
        Governance weakness. [0-1]

    Notes
    -----
    .. math:: g = (2.5 - \\overline{WGI}) / 5

    Used as the stand-in for the USGS "ability and willingness to supply" score,
    which combines WGI with the Fraser Institute policy-perception index (not in
    the dataset).
    """
    return wgi_scaled(estimate) / 10.0


def political_instability(pv: ArrayLike) -> Array:
    """Political instability from the WGI "Political Stability and Absence of Violence" estimate.

    Parameters
    ----------
    pv : array-like
        WGI PV estimate. [about -2.5 to 2.5]

    Returns
    -------
    numpy.ndarray
        Political instability. [0-1, 1 = least stable]

    Notes
    -----
    Linear min-max rescaling and inversion of the WGI range:

    .. math:: PI_c = (2.5 - PV_c) / 5, \\text{ clipped to } [0, 1]

    References
    ----------
    Gemechu, E. D., Helbig, C., Sonnemann, G., Thorenz, A., Tuma, A. (2016). Import-based
    indicator for the geopolitical supply risk of raw materials in life cycle sustainability
    assessments. J. Ind. Ecol. 20(1), 154-165.
    """
    return np.clip((2.5 - _arr(pv, "pv")) / 5.0, 0.0, 1.0)


def hhi(shares: ArrayLike, scale: float = 10_000.0) -> Array:
    """Herfindahl-Hirschman index over the last axis.

    Parameters
    ----------
    shares : array-like
        Shares. [fraction, sum <= 1 over the last axis]
    scale : float
        10,000 gives the antitrust scale, 1 the 0-1 scale.

    Returns
    -------
    numpy.ndarray
        HHI. [0-``scale``]

    Notes
    -----
    .. math:: HHI = scale \\cdot \\sum_c s_c^2

    A residual "other countries" share is left out by the caller (many small
    producers: its squared share is negligible), so the HHI is a lower bound.

    References
    ----------
    U.S. Department of Justice and Federal Trade Commission, Merger Guidelines (2023), 2.1.
    """
    s = _shares(shares)
    return scale * np.sum(s * s, axis=-1)


def hhi_wgi(shares: ArrayLike, wgi: ArrayLike, trade_factor: ArrayLike = 1.0) -> Array:
    """Governance-weighted concentration HHI_WGI,t of the EU method.

    Parameters
    ----------
    shares : array-like
        Supply shares by country. [fraction]
    wgi : array-like
        WGI scaled per country, broadcastable to ``shares``. [0-10]
    trade_factor : array-like
        Trade factor t per country. [dimensionless, 0.8-1.5 in EU practice]

    Returns
    -------
    numpy.ndarray
        HHI_WGI,t. [0-10 when t <= 1]

    Notes
    -----
    .. math:: HHI_{WGI,t} = \\sum_c S_c^2 \\cdot WGI_{c,scaled} \\cdot t_c

    Worked case: shares 0.6 and 0.4 with scaled WGI 7 and 2 and t = 1 give
    0.36 x 7 + 0.16 x 2 = 2.84.

    References
    ----------
    European Commission (2017), Methodology for establishing the EU list of critical
    raw materials: Guidelines, JRC, doi:10.2873/769526, eq. 2.
    """
    s = _shares(shares)
    w = _arr(wgi, "wgi")
    if (w < 0).any() or (w > 10 + 1e-9).any():
        raise ValidationError("wgi must be scaled to 0-10 (use wgi_scaled)")
    t = _arr(trade_factor, "trade_factor")
    if (t < 0).any():
        raise ValidationError("trade_factor must be non-negative")
    return np.sum(s * s * w * t, axis=-1)


def eu_supply_risk(
    hhi_wgi_global: ArrayLike,
    hhi_wgi_sourcing: ArrayLike,
    import_reliance: ArrayLike,
    eol_rir: ArrayLike = 0.0,
    si_sr: ArrayLike = 1.0,
) -> Array:
    """EU supply risk (EC/JRC 2017 guidelines, used for the 2020 and 2023 lists).

    Parameters
    ----------
    hhi_wgi_global : array-like
        HHI_WGI,t of global supply. [0-10]
    hhi_wgi_sourcing : array-like
        HHI_WGI,t of the importer's actual sourcing (domestic production plus imports
        by origin). [0-10]
    import_reliance : array-like
        Net import reliance IR. [fraction]
    eol_rir : array-like
        End-of-life recycling input rate. [fraction]
    si_sr : array-like
        Substitution index for supply risk. [0-1, 1 = no substitute]

    Returns
    -------
    numpy.ndarray
        Supply risk SR. [0-10 when t <= 1; the EU threshold for criticality is 1.0]

    Notes
    -----
    .. math::

        SR = \\left[HHI_{WGI,t}^{GS} \\frac{IR}{2}
             + HHI_{WGI,t}^{EU} \\left(1 - \\frac{IR}{2}\\right)\\right]
             (1 - EoL_{RIR})\\, SI_{SR}

    with :math:`IR = (M - X) / (P + M - X)`.

    References
    ----------
    European Commission (2017), Methodology for establishing the EU list of critical
    raw materials: Guidelines, JRC, doi:10.2873/769526, eq. 1.
    """
    gs = _arr(hhi_wgi_global, "hhi_wgi_global")
    eu = _arr(hhi_wgi_sourcing, "hhi_wgi_sourcing")
    ir = _fraction(import_reliance, "import_reliance")
    eol = _fraction(eol_rir, "eol_rir")
    si = _fraction(si_sr, "si_sr")
    return (gs * ir / 2.0 + eu * (1.0 - ir / 2.0)) * (1.0 - eol) * si


def eu_supply_risk_2023(sr_extraction: ArrayLike, sr_processing: ArrayLike) -> Array:
    """Supply risk of the 2023 EU assessment: the higher of the two stages.

    Parameters
    ----------
    sr_extraction, sr_processing : array-like
        SR computed for the extraction and for the processing stage; NaN where a
        stage is not assessed. [0-10]

    Returns
    -------
    numpy.ndarray
        SR. [0-10]; NaN only where both stages are NaN.

    Notes
    -----
    .. math:: SR = \\max(SR_{extraction}, SR_{processing})

    References
    ----------
    European Commission (2023), Study on the critical raw materials for the EU 2023,
    Final report, doi:10.2873/725585, section 2.
    """
    a = np.asarray(sr_extraction, dtype=float)
    b = np.asarray(sr_processing, dtype=float)
    return np.where(np.isnan(a), b, np.where(np.isnan(b), a, np.maximum(a, b)))


def usgs_disruption_potential(shares: ArrayLike, governance: ArrayLike) -> Array:
    """Disruption potential of the USGS 2021 method (governance-weighted HHI on 0-1).

    Parameters
    ----------
    shares : array-like
        Production shares. [fraction]
    governance : array-like
        Producers' inability/unwillingness to supply, per country. [0-1, 1 = worst];
        critmin's stand-in is :func:`wgi_unit` (see Notes).

    Returns
    -------
    numpy.ndarray
        Disruption potential DP. [0-1]

    Notes
    -----
    .. math:: DP = \\sum_c s_c^2 \\, g_c

    Nassar and Fortier weight each producer's squared share by a score that
    combines the WGI with the Fraser Institute policy-perception index and the
    producer's trade ties with the United States. The dataset has neither the PPI
    nor trade-tie scores, so critmin uses the mean of the six WGI estimates scaled
    to 0-1 for g (a stand-in, said in every result).

    References
    ----------
    Nassar, N. T., Fortier, S. M. (2021). Methodology and technical input for the 2021
    review and revision of the U.S. critical minerals list. USGS Open-File Report
    2021-1045, doi:10.3133/ofr20211045. Nassar, N. T. et al. (2020). Evaluating the
    mineral commodity supply risk of the U.S. manufacturing sector. Sci. Adv. 6, eaay8647.
    """
    s = _shares(shares)
    g = _fraction(governance, "governance")
    return np.sum(s * s * g, axis=-1)


def usgs_supply_risk(
    disruption_potential: ArrayLike, trade_exposure: ArrayLike, economic_vulnerability: ArrayLike
) -> Array:
    """USGS 2021 supply risk: geometric mean of three 0-1 factors.

    Parameters
    ----------
    disruption_potential : array-like
        DP. [0-1]
    trade_exposure : array-like
        Net import reliance TE. [fraction]
    economic_vulnerability : array-like
        EV. [0-1]

    Returns
    -------
    numpy.ndarray
        Supply risk. [0-1]

    Notes
    -----
    .. math:: SR = (DP \\cdot TE \\cdot EV)^{1/3}

    References
    ----------
    Nassar, N. T., Fortier, S. M. (2021). USGS Open-File Report 2021-1045,
    doi:10.3133/ofr20211045.
    """
    dp = _fraction(disruption_potential, "disruption_potential")
    te = _fraction(trade_exposure, "trade_exposure")
    ev = _fraction(economic_vulnerability, "economic_vulnerability")
    return np.cbrt(dp * te * ev)


def geopolrisk(
    hhi_production: ArrayLike,
    import_shares: ArrayLike,
    instability: ArrayLike,
    import_reliance: ArrayLike = 1.0,
) -> Array:
    """Geopolitical supply risk (GeoPolRisk) of an importer.

    Parameters
    ----------
    hhi_production : array-like
        HHI of global production on the 0-1 scale. [0-1]
    import_shares : array-like
        Share of each partner in the importer's imports. [fraction]
    instability : array-like
        Political instability of each partner (:func:`political_instability`). [0-1]
    import_reliance : array-like
        Imports as a fraction of the importer's supply (domestic production plus
        imports). [fraction]

    Returns
    -------
    numpy.ndarray
        GeoPolRisk. [0-1]

    Notes
    -----
    .. math::

        GPR = HHI \\cdot \\sum_c \\frac{F_c}{P + F} PI_c
            = HHI \\cdot IR \\cdot \\sum_c m_c\\, PI_c

    where :math:`F_c` are imports from c, :math:`P` domestic production and
    :math:`m_c = F_c / F`. critmin has trade values (USD) and production tonnes but no
    trade tonnes, so :math:`F/(P+F)` is replaced by the import reliance.

    References
    ----------
    Gemechu et al. (2016), J. Ind. Ecol. 20(1), 154-165; Helbig, C., Gemechu, E. D.,
    Pillain, B., Young, S. B., Thorenz, A., Tuma, A., Sonnemann, G. (2016). Extending the
    geopolitical supply risk indicator. J. Clean. Prod. 137, 1170-1178; Santillán-Saldivar,
    J., Cimprich, A., Shaikh, N., Laratte, B., Young, S. B., Sonnemann, G. (2021). How
    recycling mitigates supply risks of critical raw materials. Resour. Conserv. Recycl.
    164, 105108.
    """
    h = _fraction(hhi_production, "hhi_production")
    m = _shares(import_shares, "import_shares")
    pi = _fraction(instability, "instability")
    ir = _fraction(import_reliance, "import_reliance")
    return h * ir * np.sum(m * pi, axis=-1)


def sourcing_shares(
    domestic_shares: ArrayLike, import_shares: ArrayLike, import_reliance: ArrayLike
) -> tuple[Array, Array]:
    """Split an importer's supply between domestic producers and import partners.

    Parameters
    ----------
    domestic_shares : array-like
        Shares of the importer's own producers in its domestic output (sum 1, or 0
        when it produces nothing). [fraction]
    import_shares : array-like
        Shares of partners in its imports (sum 1). [fraction]
    import_reliance : array-like
        IR, broadcast against the leading axes. [fraction]

    Returns
    -------
    tuple of numpy.ndarray
        Sourcing shares of domestic producers and of partners. [fraction, together 1]

    Notes
    -----
    .. math:: S^{dom}_c = (1 - IR)\\, d_c, \\qquad S^{imp}_c = IR\\, m_c

    When the importer produces nothing (all :math:`d_c = 0`) all supply is imported.
    """
    d = _shares(domestic_shares, "domestic_shares")
    m = _shares(import_shares, "import_shares")
    ir = _fraction(import_reliance, "import_reliance")[..., None]
    has_dom = d.sum(axis=-1, keepdims=True) > 0
    ir = np.where(has_dom, ir, 1.0)
    return (1.0 - ir) * d, ir * m


#: Method keys with their label and scale.
METHODS: dict[str, dict[str, Any]] = {
    "eu": {"label": "EU CRM 2023 (max of stages)", "unit": "0-10"},
    "eu2020": {"label": "EU CRM 2017/2020 (primary stage)", "unit": "0-10"},
    "usgs": {"label": "USGS 2021 (Nassar and Fortier)", "unit": "0-1"},
    "geopolrisk": {"label": "GeoPolRisk (Gemechu/Helbig)", "unit": "0-1"},
    "hhi": {"label": "HHI of production", "unit": "0-10,000"},
}
