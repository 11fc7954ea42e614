"""The tumour lattice: a 3-D cubic lattice filled as a ball, one agent per site.

Agents are stored in *filling order*: the k-th agent sits on the k-th site of a fixed ordering of
lattice sites by distance from the centre (shell by shell, and by angle within a shell). A daughter
is inserted right behind its mother, which pushes every later agent one site outward along the
order: pressure-driven expansion with no search for free sites, so division and death are one
``numpy.repeat``. A cell's depth below the tumour surface follows from its index alone.
"""

from __future__ import annotations

import numpy as np

_CACHE: dict[str, np.ndarray] = {}


def _build(capacity: int) -> None:
    half = int(np.ceil((3.0 * capacity / (4.0 * np.pi)) ** (1.0 / 3.0))) + 2
    ax = np.arange(-half, half + 1, dtype=np.int16)
    x, y, z = (a.ravel() for a in np.meshgrid(ax, ax, ax, indexing="ij"))
    r = np.sqrt(x.astype(np.float32) ** 2 + y.astype(np.float32) ** 2
                 + z.astype(np.float32) ** 2)
    inside = r <= half  # the ball only: corners of the cube are never reached
    x, y, z, r = x[inside], y[inside], z[inside], r[inside]
    shell = np.floor(r).astype(np.int16)
    cos_polar = np.divide(z, r, out=np.ones_like(r), where=r > 0)
    polar = np.floor(np.arccos(np.clip(cos_polar, -1, 1)) * 8).astype(np.int16)
    azimuth = np.arctan2(y.astype(np.float32), x.astype(np.float32))
    order = np.lexsort((azimuth, polar, shell))[:capacity]
    _CACHE["xyz"] = np.stack([x[order], y[order], z[order]], axis=1)
    _CACHE["radius"] = r[order]


def ensure_capacity(n: int) -> None:
    """Make sure the site ordering covers at least ``n`` sites (grows by doubling, with 50 %
    headroom on the first build so a growing tumour does not rebuild at once)."""
    if "radius" not in _CACHE or _CACHE["radius"].shape[0] < n:
        _build(max(n + n // 2, 2 * _CACHE.get("radius", np.empty(0)).shape[0], 4096))


def site_radius(n: int) -> np.ndarray:
    """Distance (in lattice spacings) of the first ``n`` sites from the centre."""
    ensure_capacity(n)
    return _CACHE["radius"][:n]


def site_xyz(n: int) -> np.ndarray:
    """Integer lattice coordinates (n x 3) of the first ``n`` sites."""
    ensure_capacity(n)
    return _CACHE["xyz"][:n]


def ball_radius(n: int) -> float:
    """Radius (lattice spacings) of a ball holding ``n`` sites."""
    return float((3.0 * n / (4.0 * np.pi)) ** (1.0 / 3.0))


def depth_below_surface(n: int, spacing_mm: float, cells: slice = slice(None)) -> np.ndarray:
    """Depth (mm) below the surface of a tumour of ``n`` agents of each agent (of the agents
    ``cells``)."""
    return (ball_radius(n) - site_radius(n)[cells]) * np.float32(spacing_mm)
