"""The tumour lattice: a 3-D cubic lattice filled as a ball, one agent per site.

Agents are stored in *filling order*: the k-th agent sits on the k-th site of a fixed ordering of
lattice sites by distance from the centre (shell by shell, and by angle within a shell). A daughter
is inserted right behind its mother, which pushes every later agent one site outward along the
order: pressure-driven expansion with no search for free sites, so division and death are one
``numpy.repeat``. A cell's depth below the tumour surface follows from its index alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The site table: ``xyz`` and ``radius`` of every site with ``floor(radius) < shells``, in
#: filling order (empty: no table yet).
_CACHE: dict[str, Any] = {}


def _shell_sites(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """(xyz, radius) of the sites with ``lo <= floor(radius) < hi``, in filling order.

    The filling order sorts sites by shell ``floor(radius)``, then by polar band (eighths of a
    radian) and azimuth, ties in x, y, z order. Shells are sorted independently of one another,
    so the sites of shells ``lo`` to ``hi`` follow those of shells below ``lo`` unchanged: a
    bigger ball extends the table, with no rebuild (the prefix is the same, tested against a
    build from scratch). Radius, shell and angles are computed per site exactly as a build of
    the whole ball would (float32), so the order is the same to the bit."""
    ax = np.arange(-hi, hi + 1, dtype=np.int16)
    xyz_parts, r_parts, shell_parts, polar_parts, azimuth_parts = [], [], [], [], []
    for x0 in range(-hi, hi + 1):  # one plane at a time (x ascending: x, y, z order)
        room = (hi + 1) ** 2 - x0 * x0
        if room <= 0:
            continue
        w = min(hi, int(np.sqrt(room)) + 1)
        sub = ax[hi - w:hi + w + 1]
        y, z = (a.ravel() for a in np.meshgrid(sub, sub, indexing="ij"))
        x = np.full(y.shape, x0, dtype=np.int16)
        r = np.sqrt(x.astype(np.float32) ** 2 + y.astype(np.float32) ** 2
                    + z.astype(np.float32) ** 2)
        shell = np.floor(r).astype(np.int16)
        take = (shell >= lo) & (shell < hi)
        if not take.any():
            continue
        x, y, z, r, shell = x[take], y[take], z[take], r[take], shell[take]
        cos_polar = np.divide(z, r, out=np.ones_like(r), where=r > 0)
        polar_parts.append(np.floor(np.arccos(np.clip(cos_polar, -1, 1)) * 8).astype(np.int16))
        azimuth_parts.append(np.arctan2(y.astype(np.float32), x.astype(np.float32)))
        xyz_parts.append(np.stack([x, y, z], axis=1))
        r_parts.append(r)
        shell_parts.append(shell)
    if not r_parts:
        return np.empty((0, 3), dtype=np.int16), np.empty(0, dtype=np.float32)
    order = np.lexsort((np.concatenate(azimuth_parts), np.concatenate(polar_parts),
                        np.concatenate(shell_parts)))
    return np.concatenate(xyz_parts)[order], np.concatenate(r_parts)[order]


def _extend(capacity: int) -> None:
    """Extend the table to at least ``capacity`` sites: the shells it lacks, up to those a
    ball of ``capacity`` sites needs plus two (so a growing tumour does not extend at once)."""
    hi = int(np.ceil((3.0 * capacity / (4.0 * np.pi)) ** (1.0 / 3.0))) + 2
    lo = _CACHE.get("shells", 0)
    if hi <= lo:
        return
    xyz, radius = _shell_sites(lo, hi)
    if lo == 0:
        _CACHE["xyz"], _CACHE["radius"] = xyz, radius
    else:
        _CACHE["xyz"] = np.concatenate([_CACHE["xyz"], xyz])
        _CACHE["radius"] = np.concatenate([_CACHE["radius"], radius])
    _CACHE["shells"] = hi


def ensure_capacity(n: int) -> None:
    """Make sure the site ordering covers at least ``n`` sites (grows by doubling, with 50 %
    headroom on the first build so a growing tumour does not extend at once)."""
    if "radius" not in _CACHE or _CACHE["radius"].shape[0] < n:
        _extend(max(n + n // 2, 2 * _CACHE.get("radius", np.empty(0)).shape[0], 4096))


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
