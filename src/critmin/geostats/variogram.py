"""Variography: experimental variograms and nested anisotropic models.

Orientation convention
----------------------
An anisotropy (or search) ellipsoid is given by three ranges (major, semi-major,
minor) [m] and three angles [degrees]:

``azimuth``
    of the major axis, clockwise from north;
``dip``
    of the major axis below horizontal (positive down);
``rake``
    rotation of the semi-major axis about the major axis, from horizontal.

The major axis is :math:`u = (\\cos d \\sin a, \\cos d \\cos a, -\\sin d)`; with
zero rake the semi-major axis is horizontal, :math:`v_0 = (\\cos a, -\\sin a, 0)`
(90° clockwise of the major axis), and the minor axis is
:math:`w_0 = v_0 \\times u`. The rake turns :math:`(v_0, w_0)` about :math:`u`.
A lag :math:`h` has the anisotropic (normalised) length
:math:`r = \\lVert \\mathrm{diag}(1/a_1, 1/a_2, 1/a_3)\\, R\\, h \\rVert` with
:math:`R` the matrix of rows :math:`u, v, w`.

Models
------
With :math:`r` the normalised lag (1 at the range), each structure's variogram is

* spherical: :math:`\\gamma = c (1.5 r - 0.5 r^3)` for :math:`r < 1`, else :math:`c`;
* exponential: :math:`\\gamma = c (1 - e^{-3r})` (practical range);
* gaussian: :math:`\\gamma = c (1 - e^{-3r^2})` (practical range).

A model is a nugget :math:`c_0` plus nested structures; its covariance is
:math:`C(h) = c_0 [h = 0] + \\sum_k c_k (1 - g_k(r_k))`.

References
----------
Isaaks, E.H. & Srivastava, R.M. (1989). An Introduction to Applied Geostatistics,
chapters 7 and 16. Oxford University Press.
Deutsch, C.V. & Journel, A.G. (1998). GSLIB, 2nd ed., programs gamv and vmodel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from critmin.errors import ValidationError

__all__ = [
    "STRUCTURE_CODES",
    "Structure",
    "VariogramModel",
    "anisotropy_matrix",
    "experimental_variogram",
    "fit_variogram",
    "rotation_matrix",
]

Kind = Literal["spherical", "exponential", "gaussian"]
STRUCTURE_CODES: dict[str, int] = {"spherical": 0, "exponential": 1, "gaussian": 2}


def rotation_matrix(azimuth: float = 0.0, dip: float = 0.0, rake: float = 0.0) -> np.ndarray:
    """Rows are the major, semi-major and minor axis unit vectors.

    Parameters
    ----------
    azimuth : float
        Azimuth of the major axis, clockwise from north. [degrees]
    dip : float
        Dip of the major axis, positive down. [degrees]
    rake : float
        Rotation of the semi-major axis about the major axis. [degrees]

    Returns
    -------
    numpy.ndarray
        Shape ``(3, 3)``, orthonormal.
    """
    a, d, r = np.radians([azimuth, dip, rake])
    u = np.array([np.cos(d) * np.sin(a), np.cos(d) * np.cos(a), -np.sin(d)])
    v0 = np.array([np.cos(a), -np.sin(a), 0.0])
    w0 = np.cross(v0, u)
    v = np.cos(r) * v0 + np.sin(r) * w0
    w = -np.sin(r) * v0 + np.cos(r) * w0
    return np.vstack([u, v, w])


def anisotropy_matrix(
    ranges: tuple[float, float, float], azimuth: float = 0.0, dip: float = 0.0, rake: float = 0.0
) -> np.ndarray:
    """Matrix taking a lag to normalised anisotropic coordinates (range -> 1).

    Parameters
    ----------
    ranges : tuple of float
        Major, semi-major and minor ranges. [m]
    azimuth, dip, rake : float
        Orientation (module docstring). [degrees]

    Returns
    -------
    numpy.ndarray
        ``diag(1 / ranges) @ rotation_matrix(azimuth, dip, rake)``.
    """
    r = np.asarray(ranges, dtype=float)
    if r.shape != (3,) or np.any(r <= 0):
        raise ValidationError(f"ranges must be three positive lengths, not {ranges}")
    return np.diag(1.0 / r) @ rotation_matrix(azimuth, dip, rake)


@dataclass(frozen=True)
class Structure:
    """One nested variogram structure.

    Parameters
    ----------
    kind : {"spherical", "exponential", "gaussian"}
        Model shape.
    sill : float
        Partial sill (contribution). [grade unit squared]
    ranges : tuple of float
        Major, semi-major, minor (practical) ranges. [m]
    azimuth, dip, rake : float
        Orientation of the major axis. [degrees]
    """

    kind: Kind
    sill: float
    ranges: tuple[float, float, float]
    azimuth: float = 0.0
    dip: float = 0.0
    rake: float = 0.0

    def matrix(self) -> np.ndarray:
        """Anisotropy matrix of the structure (see :func:`anisotropy_matrix`)."""
        return anisotropy_matrix(self.ranges, self.azimuth, self.dip, self.rake)


@dataclass(frozen=True)
class VariogramModel:
    """Nugget plus nested structures.

    Parameters
    ----------
    nugget : float
        Nugget effect. [grade unit squared]
    structures : list of Structure
        Nested structures.
    """

    nugget: float = 0.0
    structures: tuple[Structure, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.nugget < 0:
            raise ValidationError(f"nugget must be >= 0, not {self.nugget}")
        for s in self.structures:
            if s.kind not in STRUCTURE_CODES:
                raise ValidationError(f"unknown structure kind {s.kind!r}")
            if s.sill < 0:
                raise ValidationError(f"sill must be >= 0, not {s.sill}")
        if self.sill <= 0:
            raise ValidationError("the variogram model has a total sill of zero")

    @property
    def sill(self) -> float:
        """Total sill: nugget plus partial sills. [grade unit squared]"""
        return self.nugget + sum(s.sill for s in self.structures)

    def arrays(self) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """Model as arrays for the compiled kernels: nugget, codes, sills, matrices."""
        codes = np.array([STRUCTURE_CODES[s.kind] for s in self.structures], dtype=np.int64)
        sills = np.array([s.sill for s in self.structures], dtype=float)
        mats = (
            np.stack([s.matrix() for s in self.structures])
            if self.structures
            else np.zeros((0, 3, 3))
        )
        return float(self.nugget), codes, sills, mats

    def gamma(self, h: np.ndarray) -> np.ndarray:
        """Variogram at lag vectors.

        Parameters
        ----------
        h : array, shape (n, 3)
            Lag vectors. [m]

        Returns
        -------
        numpy.ndarray
            :math:`\\gamma(h)`, zero at :math:`h = 0`. [grade unit squared]
        """
        return self.sill - self.covariance(h)

    def covariance(self, h: np.ndarray) -> np.ndarray:
        """Covariance at lag vectors; includes the nugget only at zero lag.

        Parameters
        ----------
        h : array, shape (n, 3)
            Lag vectors. [m]

        Returns
        -------
        numpy.ndarray
            :math:`C(h)`. [grade unit squared]
        """
        h = np.atleast_2d(np.asarray(h, dtype=float))
        c = np.where(np.einsum("ij,ij->i", h, h) < 1e-20, self.nugget, 0.0)
        for s in self.structures:
            r = np.linalg.norm(h @ s.matrix().T, axis=1)
            c = c + s.sill * (1.0 - _unit_gamma(s.kind, r))
        return c

    def gamma_along(self, lags: np.ndarray, azimuth: float = 0.0, dip: float = 0.0) -> np.ndarray:
        """Variogram along one direction at scalar lags.

        Parameters
        ----------
        lags : array
            Lag distances. [m]
        azimuth, dip : float
            Direction. [degrees]

        Returns
        -------
        numpy.ndarray
            :math:`\\gamma`. [grade unit squared]
        """
        d = rotation_matrix(azimuth, dip)[0]
        lags = np.asarray(lags, dtype=float)
        return self.gamma(lags[:, None] * d[None, :])


def _unit_gamma(kind: str, r: np.ndarray) -> np.ndarray:
    if kind == "spherical":
        return np.where(r < 1.0, 1.5 * r - 0.5 * r**3, 1.0)
    if kind == "exponential":
        return 1.0 - np.exp(-3.0 * r)
    if kind == "gaussian":
        return 1.0 - np.exp(-3.0 * r * r)
    raise ValidationError(f"unknown structure kind {kind!r}")


def experimental_variogram(
    xyz: np.ndarray,
    values: np.ndarray,
    lag: float,
    n_lags: int,
    azimuth: float | None = None,
    dip: float = 0.0,
    angle_tolerance: float = 22.5,
    bandwidth: float | None = None,
    lag_tolerance: float | None = None,
    max_pairs: int = 20_000_000,
) -> pd.DataFrame:
    """Experimental semivariogram, omnidirectional or along one 3-D direction.

    Parameters
    ----------
    xyz : array, shape (n, 3)
        Sample coordinates. [m]
    values : array
        Sample values (NaN ignored). [grade unit]
    lag : float
        Lag spacing. [m]
    n_lags : int
        Number of lags.
    azimuth : float, optional
        Direction azimuth; None for omnidirectional. [degrees]
    dip : float
        Direction dip, positive down. [degrees]
    angle_tolerance : float
        Half-angle of the cone around the direction. [degrees]
    bandwidth : float, optional
        Largest distance of the pair vector from the direction line (cylinder
        radius); None for no limit. [m]
    lag_tolerance : float, optional
        Half-width of each lag bin; default ``lag / 2``. [m]
    max_pairs : int
        Refuse to build more pairs than this (memory guard).

    Returns
    -------
    pandas.DataFrame
        ``lag`` (bin centre) [m], ``distance`` (mean pair distance) [m],
        ``gamma`` [grade unit squared], ``pairs``, ``azimuth``, ``dip``.

    Notes
    -----
    :math:`\\gamma(h) = \\frac{1}{2 N(h)} \\sum_{(i,j) \\in N(h)} (z_i - z_j)^2`,
    over pairs whose separation falls in the lag bin (and in the direction
    tolerance cone and bandwidth). Pairs are counted once.
    """
    from scipy.spatial import cKDTree

    xyz = np.asarray(xyz, dtype=float)
    v = np.asarray(values, dtype=float)
    ok = ~np.isnan(v)
    xyz, v = xyz[ok], v[ok]
    if lag <= 0 or n_lags < 1:
        raise ValidationError("lag must be positive and n_lags at least 1")
    tol = lag / 2 if lag_tolerance is None else lag_tolerance
    hmax = n_lags * lag + tol
    tree = cKDTree(xyz)
    pairs = tree.query_pairs(hmax, output_type="ndarray")
    if len(pairs) > max_pairs:
        raise ValidationError(
            f"{len(pairs):,} pairs within {hmax:g} m exceed max_pairs={max_pairs:,}; "
            "use a shorter lag or fewer lags"
        )
    d = xyz[pairs[:, 1]] - xyz[pairs[:, 0]]
    h = np.sqrt(np.einsum("ij,ij->i", d, d))
    keep = h > 0
    if azimuth is not None:
        u = rotation_matrix(azimuth, dip)[0]
        proj = d @ u
        with np.errstate(invalid="ignore", divide="ignore"):
            cosang = np.abs(proj) / h
        keep &= cosang >= np.cos(np.radians(angle_tolerance)) - 1e-12
        if bandwidth is not None:
            perp = np.sqrt(np.maximum(h * h - proj * proj, 0.0))
            keep &= perp <= bandwidth
    d2 = (v[pairs[:, 1]] - v[pairs[:, 0]]) ** 2
    h, d2 = h[keep], d2[keep]
    centres = lag * np.arange(1, n_lags + 1)
    k = np.rint(h / lag).astype(np.int64)
    inbin = (k >= 1) & (k <= n_lags) & (np.abs(h - k * lag) <= tol)
    k, h, d2 = k[inbin], h[inbin], d2[inbin]
    n = np.bincount(k, minlength=n_lags + 1)[1:]
    sh = np.bincount(k, weights=h, minlength=n_lags + 1)[1:]
    sg = np.bincount(k, weights=d2, minlength=n_lags + 1)[1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "lag": centres,
                "distance": np.where(n > 0, sh / np.maximum(n, 1), np.nan),
                "gamma": np.where(n > 0, sg / (2 * np.maximum(n, 1)), np.nan),
                "pairs": n.astype(np.int64),
            }
        )
    out["azimuth"] = np.nan if azimuth is None else float(azimuth)
    out["dip"] = np.nan if azimuth is None else float(dip)
    return out


def fit_variogram(
    experimental: pd.DataFrame | list[pd.DataFrame],
    kinds: list[Kind],
    azimuth: float = 0.0,
    dip: float = 0.0,
    rake: float = 0.0,
    isotropic: bool | None = None,
    nugget: float | None = None,
    sill: float | None = None,
) -> VariogramModel:
    """Fit nugget plus nested structures by weighted least squares.

    Parameters
    ----------
    experimental : DataFrame or list of DataFrame
        Output(s) of :func:`experimental_variogram`; directional ones carry
        their direction, omnidirectional ones fit an isotropic model.
    kinds : list of str
        Structure kinds, e.g. ``["spherical", "spherical"]``.
    azimuth, dip, rake : float
        Fixed orientation of the anisotropy ellipsoid. [degrees]
    isotropic : bool, optional
        Force one range per structure; default: isotropic when any input is
        omnidirectional.
    nugget : float, optional
        Fix the nugget instead of fitting it. [grade unit squared]
    sill : float, optional
        Fix the total sill (e.g. the declustered variance). [grade unit squared]

    Returns
    -------
    VariogramModel

    Notes
    -----
    Minimises :math:`\\sum_k N_k / \\bar h_k^2\\, (\\hat\\gamma_k - \\gamma(h_k))^2`
    (Cressie's weights with pair counts :math:`N_k`) over nugget, partial sills
    and ranges, all non-negative; ranges are kept in order major >= semi >= minor.

    References
    ----------
    Cressie, N. (1985). Fitting variogram models by weighted least squares.
    Mathematical Geology 17(5), 563-586.
    """
    from scipy.optimize import least_squares

    exps = experimental if isinstance(experimental, list) else [experimental]
    if not kinds:
        raise ValidationError("at least one structure kind is needed")
    frames = [e.dropna(subset=["gamma"]) for e in exps]
    frames = [f[f["pairs"] > 0] for f in frames]
    if sum(len(f) for f in frames) < 2:
        raise ValidationError("too few experimental lags to fit")
    omni = any(np.isnan(f["azimuth"]).all() for f in frames)
    iso = omni if isotropic is None else isotropic
    lag_vecs = []
    gam = []
    wts = []
    rot = rotation_matrix(azimuth, dip, rake)
    for f in frames:
        dist = f["distance"].to_numpy()
        if np.isnan(f["azimuth"]).all():
            u = rot[0]
        else:
            u = rotation_matrix(float(f["azimuth"].iloc[0]), float(f["dip"].iloc[0]))[0]
        lag_vecs.append(dist[:, None] * u[None, :])
        gam.append(f["gamma"].to_numpy())
        wts.append(f["pairs"].to_numpy() / np.maximum(dist, 1e-9) ** 2)
    hv = np.vstack(lag_vecs)
    g = np.concatenate(gam)
    w = np.sqrt(np.concatenate(wts) / np.concatenate(wts).max())
    hmax = float(np.linalg.norm(hv, axis=1).max())
    gmax = float(np.nanmax(g))
    ns = len(kinds)
    nr = 1 if iso else 3
    # parameter vector: [nugget?] + sills + ranges (per structure nr values)
    fit_nugget = nugget is None

    def unpack(p: np.ndarray) -> VariogramModel:
        i = 0
        c0 = float(p[0]) if fit_nugget else float(nugget or 0.0)
        i += 1 if fit_nugget else 0
        sills = p[i : i + ns].copy()
        i += ns
        if sill is not None:
            total = c0 + sills.sum()
            if total > 0:
                scale = sill / total
                c0 *= scale
                sills = sills * scale
        structs = []
        for k in range(ns):
            r = p[i + k * nr : i + (k + 1) * nr]
            rr = np.full(3, r[0]) if iso else np.sort(r)[::-1]
            rng3 = (float(rr[0]), float(rr[1]), float(rr[2]))
            structs.append(Structure(kinds[k], float(sills[k]), rng3, azimuth, dip, rake))
        return VariogramModel(max(c0, 0.0), tuple(structs))

    p0: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    if fit_nugget:
        p0.append(0.1 * gmax)
        lo.append(0.0)
        hi.append(2 * gmax)
    for _ in range(ns):
        p0.append(0.9 * gmax / ns)
        lo.append(1e-9)
        hi.append(4 * gmax)
    for k in range(ns):
        for _ in range(nr):
            p0.append(hmax * (k + 1) / (ns + 1))
            lo.append(hmax * 1e-3)
            hi.append(hmax * 5)

    def resid(p: np.ndarray) -> np.ndarray:
        try:
            m = unpack(p)
        except ValidationError:
            return np.full(len(g), 1e6)
        return w * (m.gamma(hv) - g)

    res = least_squares(resid, np.array(p0), bounds=(np.array(lo), np.array(hi)))
    return unpack(res.x)
