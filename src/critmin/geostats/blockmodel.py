"""Regular block models: geometry, chunks, density and domain coding.

A block model is a regular grid of ``nx * ny * nz`` blocks of one size, indexed
with x fastest: ``index = i + nx * (j + ny * k)``. Centres are generated on demand,
chunk by chunk, so a model too large for memory never has to exist as a table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from critmin.errors import ValidationError

__all__ = ["BlockModel", "below_surface", "block_density", "nearest_domain"]


@dataclass(frozen=True)
class BlockModel:
    """Regular grid of blocks.

    Parameters
    ----------
    origin : tuple of float
        Lower corner (minimum x, y, z) of the grid. [m]
    size : tuple of float
        Block size along x, y, z. [m]
    shape : tuple of int
        Number of blocks along x, y, z.
    """

    origin: tuple[float, float, float]
    size: tuple[float, float, float]
    shape: tuple[int, int, int]

    def __post_init__(self) -> None:
        if len(self.size) != 3 or any(s <= 0 for s in self.size):
            raise ValidationError(f"block size must be three positive lengths, not {self.size}")
        if len(self.shape) != 3 or any(int(n) < 1 for n in self.shape):
            raise ValidationError(f"block counts must be three positive integers, not {self.shape}")

    @classmethod
    def from_extent(
        cls,
        xyz: np.ndarray,
        size: tuple[float, float, float],
        padding: float | tuple[float, float, float] = 0.0,
    ) -> BlockModel:
        """Grid covering points plus a margin, snapped to multiples of the block size.

        Parameters
        ----------
        xyz : array, shape (n, 3)
            Points to cover (e.g. composites). [m]
        size : tuple of float
            Block size. [m]
        padding : float or tuple of float
            Margin around the points. [m]
        """
        p = np.asarray(xyz, dtype=float)
        p = p[np.isfinite(p).all(axis=1)]
        if len(p) == 0:
            raise ValidationError("no points to build a block model around")
        s = np.asarray(size, dtype=float)
        pad = np.broadcast_to(np.asarray(padding, dtype=float), (3,))
        lo = np.floor((p.min(axis=0) - pad) / s) * s
        hi = np.ceil((p.max(axis=0) + pad) / s) * s
        n = np.maximum(np.rint((hi - lo) / s).astype(int), 1)
        return cls(
            tuple(float(x) for x in lo),  # type: ignore[arg-type]
            tuple(float(x) for x in s),  # type: ignore[arg-type]
            tuple(int(x) for x in n),  # type: ignore[arg-type]
        )

    @property
    def n_blocks(self) -> int:
        """Number of blocks."""
        return int(np.prod(self.shape))

    @property
    def block_volume(self) -> float:
        """Volume of one block. [m³]"""
        return float(np.prod(self.size))

    def ijk(self, index: np.ndarray) -> np.ndarray:
        """Grid indices ``(i, j, k)`` of block indices, shape ``(n, 3)``."""
        idx = np.asarray(index, dtype=np.int64)
        nx, ny, _ = self.shape
        return np.column_stack([idx % nx, (idx // nx) % ny, idx // (nx * ny)])

    def centroids(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Centres of blocks ``start..stop-1``, shape ``(n, 3)``. [m]"""
        stop = self.n_blocks if stop is None else min(stop, self.n_blocks)
        ijk = self.ijk(np.arange(start, stop, dtype=np.int64))
        return np.asarray(self.origin) + (ijk + 0.5) * np.asarray(self.size)

    def chunks(self, chunk_size: int) -> Iterator[tuple[int, int]]:
        """``(start, stop)`` ranges of at most ``chunk_size`` blocks."""
        if chunk_size < 1:
            raise ValidationError("chunk_size must be at least 1")
        for s in range(0, self.n_blocks, chunk_size):
            yield s, min(s + chunk_size, self.n_blocks)

    def to_frame(self, start: int = 0, stop: int | None = None) -> pd.DataFrame:
        """Blocks ``start..stop-1`` as a table: ``block, i, j, k, x, y, z``."""
        stop = self.n_blocks if stop is None else min(stop, self.n_blocks)
        idx = np.arange(start, stop, dtype=np.int64)
        ijk = self.ijk(idx)
        c = np.asarray(self.origin) + (ijk + 0.5) * np.asarray(self.size)
        return pd.DataFrame(
            {
                "block": idx,
                "i": ijk[:, 0],
                "j": ijk[:, 1],
                "k": ijk[:, 2],
                "x": c[:, 0],
                "y": c[:, 1],
                "z": c[:, 2],
            }
        )


def block_density(
    domains: pd.Series | None, density: float | Mapping[str, float], default: float | None = None
) -> np.ndarray:
    """Dry bulk density per block, constant or by domain.

    Parameters
    ----------
    domains : pandas.Series, optional
        Domain code per block (needed when ``density`` is a mapping).
    density : float or mapping of str to float
        One density for all blocks, or one per domain code. [t/m³]
    default : float, optional
        Density of blocks whose domain is not in the mapping; without it such
        blocks are an error. [t/m³]

    Returns
    -------
    numpy.ndarray
        Density per block. [t/m³]
    """
    if isinstance(density, int | float):
        if density <= 0:
            raise ValidationError(f"density must be positive, not {density}")
        n = 1 if domains is None else len(domains)
        return np.full(n, float(density))
    if domains is None:
        raise ValidationError("density by domain needs a domain code per block")
    d = domains.astype(object).map(dict(density)).astype(float)
    if d.isna().any():
        if default is None:
            missing = sorted({str(x) for x in domains[d.isna()].unique()})
            raise ValidationError(f"no density for domain(s) {missing} and no default density")
        d = d.fillna(float(default))
    return d.to_numpy()


def nearest_domain(
    block_xyz: np.ndarray,
    sample_xyz: np.ndarray,
    sample_domain: np.ndarray,
    max_distance: float,
) -> np.ndarray:
    """Domain of each block from the nearest sample within a distance.

    Parameters
    ----------
    block_xyz : array, shape (m, 3)
        Block centres. [m]
    sample_xyz : array, shape (n, 3)
        Sample (composite) positions. [m]
    sample_domain : array
        Domain code of each sample.
    max_distance : float
        Blocks farther than this from every sample get no domain (None). [m]

    Returns
    -------
    numpy.ndarray
        Object array of domain codes (None where too far).
    """
    from scipy.spatial import cKDTree

    tree = cKDTree(np.asarray(sample_xyz, dtype=float))
    d, i = tree.query(np.asarray(block_xyz, dtype=float), k=1, distance_upper_bound=max_distance)
    codes = np.asarray(sample_domain, dtype=object)
    out = np.full(len(i), None, dtype=object)
    ok = np.isfinite(d)
    out[ok] = codes[i[ok]]
    return out


def below_surface(block_xyz: np.ndarray, surface_xyz: np.ndarray) -> np.ndarray:
    """Whether block centres lie below a surface known at scattered points.

    The surface (e.g. topography from collar elevations) is interpolated
    linearly over its Delaunay triangulation and by the nearest point outside it.

    Parameters
    ----------
    block_xyz : array, shape (m, 3)
        Block centres. [m]
    surface_xyz : array, shape (n, 3)
        Points on the surface. [m]

    Returns
    -------
    numpy.ndarray
        Boolean per block.
    """
    from scipy.interpolate import LinearNDInterpolator, NearestNDInterpolator

    s = np.asarray(surface_xyz, dtype=float)
    b = np.asarray(block_xyz, dtype=float)
    near = NearestNDInterpolator(s[:, :2], s[:, 2])
    z = near(b[:, :2])
    if len(s) >= 3:
        try:
            lin = LinearNDInterpolator(s[:, :2], s[:, 2])
            zl = lin(b[:, :2])
            z = np.where(np.isnan(zl), z, zl)
        except Exception:  # degenerate (collinear) collars: nearest only
            pass
    return np.asarray(b[:, 2] < z)
