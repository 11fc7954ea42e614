"""Mechanism views only a simulation has: signalling state of the tumour cells per arm over time.

Summarises ``cells.csv`` (one row per mouse × caliper day) into per-arm means ± SEM of the
fraction of cells with high mTORC1 / ER activity and of the ER-activity decomposition into its
estradiol-driven, tamoxifen-driven (partial agonism) and Ser167-phosphorylation shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FRACTION_COLUMNS = ["frac_mtorc1_high", "frac_er_high"]
SHARE_COLUMNS = ["er_share_e2", "er_share_tamoxifen", "er_share_ser167"]
SHARE_LABELS = {
    "er_share_e2": "E2-driven",
    "er_share_tamoxifen": "tamoxifen-driven (partial agonism)",
    "er_share_ser167": "Ser167 (Akt / S6K1) ligand-independent",
}
_OPTIONAL = ["mean_akt", "mean_mtorc1", "mean_s6k1"]
#: Virtual IHC readouts of ``cells.csv`` (fractions of non-necrotic / viable cells), with labels.
IHC_LABELS = {
    "ki67_index": "Ki-67 index", "cc3_index": "cleaved caspase-3 index", "ps6_index": "pS6 index",
    "pakt_index": "pAkt index", "er_positive_fraction": "ER-positive fraction",
    "ps6_hscore": "pS6 H-score", "pakt_hscore": "pAkt H-score",
    "frac_adapted": "adapted (LTED-like) fraction", "frac_esr1_mutant": "ESR1-mutant fraction",
}


def mechanism_summary(cells: pd.DataFrame) -> pd.DataFrame:
    """Per (cell line, arm, day): mice, and mean ± SEM of the fractions, ER activity and shares."""
    cols = FRACTION_COLUMNS + ["mean_er_activity"] + SHARE_COLUMNS
    cols += [c for c in _OPTIONAL if c in cells.columns]
    g = cells.groupby(["cell_line", "arm", "day"], sort=False)
    mean = g[cols].mean()
    sem = g[cols].sem().add_prefix("sem_")
    n = g["mouse"].nunique().rename("n_mice")
    out = pd.concat([n, mean, sem], axis=1).reset_index()
    return out.sort_values(["cell_line", "arm", "day"]).reset_index(drop=True)


def share_consistency(cells: pd.DataFrame, tol: float = 0.02) -> float:
    """Largest |sum of ER shares − mean ER activity| relative to the ER activity scale."""
    total = cells[SHARE_COLUMNS].sum(axis=1)
    scale = max(float(np.nanmax(np.abs(cells["mean_er_activity"]))), 1e-12)
    return float(np.nanmax(np.abs(total - cells["mean_er_activity"])) / scale)


def ihc_at_study_end(cells: pd.DataFrame) -> pd.DataFrame | None:
    """Virtual IHC of each mouse at its last caliper day (as sections are cut at study end or at
    the endpoint); ``None`` when ``cells.csv`` has no IHC columns (older runs)."""
    cols = [c for c in IHC_LABELS if c in cells.columns]
    if "ki67_index" not in cols:
        return None
    last = cells[cells["day"] >= 0].sort_values("day").groupby("mouse", sort=False).tail(1)
    return last[["mouse", "cell_line", "arm", "day", *cols]].reset_index(drop=True)


def ihc_arm_summary(ihc: pd.DataFrame) -> pd.DataFrame:
    """Per (cell line, arm): mice, and median and interquartile range of each IHC index."""
    cols = [c for c in IHC_LABELS if c in ihc.columns]
    g = ihc.groupby(["cell_line", "arm"], sort=False)[cols]
    parts = [g.size().rename("n_mice"), g.median().add_prefix("median_"),
             g.quantile(0.25).add_prefix("q1_"), g.quantile(0.75).add_prefix("q3_")]
    return pd.concat(parts, axis=1).reset_index()
