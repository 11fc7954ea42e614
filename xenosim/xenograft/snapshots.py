"""Per-cell snapshots: the state of every cell of every tumour on chosen treatment days.

``xenosim run CONFIG --snapshot-days 0,28,56`` adds ``snapshots.parquet`` to the run directory:
one row per agent (lattice site; one agent stands for ``cells_per_agent`` real cells) per mouse
per snapshot day, with its lattice position (x, y, z; mm from the centre as ``x_mm`` ...), fate
status, depth and oxygen, every per-cell state array the tumour holds (Akt, mTORC1, ER activity,
expression levels, ids, and any state added later: the arrays are read generically) and the
ER-activity shares by source (E2-bound, tamoxifen-bound, Ser167-phosphorylated) under that day's
exposure. ``s6k1`` is the mTORC1 output the model uses as S6K1 activity. Read it back with
:func:`load_snapshots`; :func:`to_anndata` hands it to single-cell tools (``pip install
'xenosim[anndata]'``). ``snapshot_sections.png`` draws the central section (z = 0) of one mouse
per arm on each snapshot day.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xenosim.biology import fate
from xenosim.biology.signalling import er_output_of_state
from xenosim.core import lattice

#: Columns that identify a cell rather than describe its state (kept out of AnnData's matrix).
ID_COLUMNS = ("mouse", "cell_line", "arm", "day", "cell_id", "status", "x", "y", "z")
FILE = "snapshots.parquet"


def state_arrays(tumour: Any) -> dict[str, np.ndarray]:
    """Every per-cell numpy array of ``tumour`` (one value per agent), by attribute name.

    Generic on purpose: a new cell state declared on the tumour appears in snapshots without a
    change here."""
    from xenosim.core.tumour import STATE_ARRAYS

    n = tumour.n_agents
    names = list(STATE_ARRAYS)  # the declared states (core.tumour.CELL_STATES), then any extra
    names += [k for k, v in vars(tumour).items()
              if k not in names and isinstance(v, np.ndarray) and v.ndim == 1 and len(v) == n]
    return {k: getattr(tumour, k) for k in names
            if isinstance(getattr(tumour, k, None), np.ndarray) and len(getattr(tumour, k)) == n}


def cell_snapshot(tumour: Any, exposure: Any, **labels: Any) -> pd.DataFrame:
    """One row per agent of ``tumour``: position, status, every state array, ER shares.

    ``labels`` (mouse, cell_line, arm, day) are added as leading columns."""
    n = tumour.n_agents
    xyz = lattice.site_xyz(n)
    cols: dict[str, Any] = {k: v for k, v in labels.items()}
    cols.update({"x": xyz[:, 0].astype(np.int16), "y": xyz[:, 1].astype(np.int16),
                 "z": xyz[:, 2].astype(np.int16)})
    spacing = float(tumour.spacing_mm)
    for axis in "xyz":
        cols[f"{axis}_mm"] = (cols[axis] * spacing).astype(np.float32)
    for name, values in state_arrays(tumour).items():
        if name == "status":
            cols["status"] = pd.Categorical.from_codes(values.astype(int), fate.STATUS_NAMES)
        elif values.dtype.kind in "fc":
            cols[name] = values.astype(np.float32, copy=False)
        else:
            cols[name] = values
    oxygen = tumour.oxygen() if callable(tumour.oxygen) else tumour.oxygen
    cols["oxygen"] = np.asarray(oxygen, dtype=np.float32)
    # the shares of each cell's last ER output (its stored Akt and S6K1; adapted and
    # ESR1-mutant cells with their own ER), as the summaries report them
    er = er_output_of_state(exposure, tumour.genotype, tumour.p, tumour.akt, tumour.s6k1,
                            tumour.er_expression, tumour.adapted, tumour.esr1_mutant)
    for share in ("share_e2", "share_tamoxifen", "share_ser167"):
        cols[f"er_{share}"] = np.asarray(getattr(er, share), dtype=np.float32)
    return pd.DataFrame({k: (np.repeat(v, n) if np.ndim(v) == 0 else v)
                         for k, v in cols.items()})


def parse_days(text: str | None) -> list[float]:
    """``"0,28,56"`` -> [0.0, 28.0, 56.0]; raises ValueError with the bad item."""
    if not text:
        return []
    days = []
    for item in text.split(","):
        try:
            days.append(float(item))
        except ValueError:
            raise ValueError(f"--snapshot-days: {item.strip()!r} is not a number of days "
                             "(e.g. --snapshot-days 0,28,56)") from None
    return sorted(set(days))


def write_snapshots(frames: Sequence[pd.DataFrame], run_dir: Path) -> Path | None:
    """All snapshots as one Parquet file in ``run_dir`` (None when there are none)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return None
    df = pd.concat(frames, ignore_index=True)
    for c in ("mouse", "cell_line", "arm"):
        df[c] = df[c].astype("category")
    path = Path(run_dir) / FILE
    df.to_parquet(path, index=False)
    return path


def load_snapshots(run_dir: str | Path, *, mouse: str | None = None,
                   day: float | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """The per-cell snapshots of a run (``<run>/snapshots.parquet``), optionally of one mouse
    and/or one day; ``columns`` reads only those columns (a run's file can be large)."""
    path = Path(run_dir) / FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no snapshots in this run (run it with "
                                "--snapshot-days, e.g. --snapshot-days 0,28,56)")
    filters = []
    if mouse is not None:
        filters.append(("mouse", "==", mouse))
    if day is not None:
        filters.append(("day", "==", float(day)))
    return pd.read_parquet(path, columns=columns, filters=filters or None)


def to_anndata(snapshots: pd.DataFrame):
    """An AnnData object: cells x numeric state variables in ``X``; identity, position and
    status in ``obs``; lattice position also in ``obsm["spatial"]`` (for spatial tools)."""
    try:
        import anndata
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ImportError("to_anndata needs anndata: pip install 'xenosim[anndata]'") from exc
    obs_cols = [c for c in snapshots.columns if c in ID_COLUMNS
                or not pd.api.types.is_numeric_dtype(snapshots[c])]
    var_cols = [c for c in snapshots.columns if c not in obs_cols and not c.endswith("_mm")]
    obs = snapshots[obs_cols].reset_index(drop=True).copy()
    obs.index = [f"{m}|{d:g}|{c}" for m, d, c in zip(obs["mouse"], obs["day"],
                                                      obs.get("cell_id", obs.index), strict=True)]
    X = snapshots[var_cols].to_numpy(dtype=np.float32)
    ad = anndata.AnnData(X=X, obs=obs, var=pd.DataFrame(index=var_cols))
    ad.obsm["spatial"] = snapshots[["x_mm", "y_mm", "z_mm"]].to_numpy(dtype=np.float32)
    return ad


def section_figure(snapshots: pd.DataFrame, path: Path, arm_labels: dict[str, str] | None = None
                   ) -> Path:
    """Central sections (z = 0) coloured by fate: one row per arm (its first mouse of the first
    cell line), one column per snapshot day; all panels on one mm scale."""
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    from xenosim.teaching.figures import FATE_COLOURS, FATE_LABELS

    sec = snapshots[snapshots["z"] == 0]
    days = sorted(sec["day"].unique())
    arms = list(dict.fromkeys(sec["arm"].astype(str)))
    fig = Figure(figsize=(2.6 * len(days) + 0.4, 2.5 * len(arms) + 0.9), dpi=110)
    axes = np.atleast_2d(fig.subplots(len(arms), len(days), squeeze=False))
    lim = float(max(sec["x_mm"].abs().max(), sec["y_mm"].abs().max())) + 0.3
    cmap = ListedColormap(FATE_COLOURS)
    for i, arm in enumerate(arms):
        of_arm = sec[sec["arm"].astype(str) == arm]
        mouse = sorted(of_arm["mouse"].astype(str).unique())[0]
        for j, d in enumerate(days):
            ax = axes[i, j]
            cells = of_arm[(of_arm["mouse"].astype(str) == mouse) & (of_arm["day"] == d)]
            if len(cells):  # one pixel per lattice site, on the mm scale
                h = int(max(cells["x"].abs().max(), cells["y"].abs().max()))
                grid = np.full((2 * h + 1, 2 * h + 1), np.nan)
                grid[h - cells["y"].to_numpy(), cells["x"].to_numpy() + h] = \
                    cells["status"].cat.codes.to_numpy()
                nz = cells[cells["x"] != 0]
                spacing = float((nz["x_mm"] / nz["x"]).iloc[0]) if len(nz) else 1.0
                half = (h + 0.5) * spacing
                ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=-0.5, vmax=3.5,
                          extent=(-half, half, -half, half), interpolation="nearest")
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
            ax.set_aspect("equal")
            ax.grid(False)
            ax.tick_params(labelsize=7)
            if i == 0:
                ax.set_title(f"day {d:g}", fontsize=9)
            if j == 0:
                ax.set_ylabel(f"{(arm_labels or {}).get(arm, arm)}\n{mouse}\ny (mm)", fontsize=8)
            if i == len(arms) - 1:
                ax.set_xlabel("x (mm)", fontsize=8)
            if cells.empty:
                ax.text(0, 0, "no tumour\n(endpoint)", ha="center", fontsize=8)
    from matplotlib.patches import Patch

    fig.legend(handles=[Patch(color=c, label=lab) for c, lab in zip(FATE_COLOURS, FATE_LABELS,
                                                                     strict=True)],
               loc="lower center", ncols=4, fontsize=8, frameon=False)
    fig.suptitle("Central section (z = 0) of one tumour per arm, coloured by cell fate",
                 fontsize=10)
    fig.subplots_adjust(bottom=0.75 / (2.5 * len(arms) + 0.9) + 0.04, top=0.92, wspace=0.3)
    fig.savefig(path, bbox_inches="tight")
    return path
