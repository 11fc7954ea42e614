"""``xenosim run --twins``: every enrolled mouse of a run under every arm (paired counterfactual
twins, common random numbers) and its true effect per arm."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from xenosim.design import stats_adapter as sa
from xenosim.design.runner import simulate_twins
from xenosim.xenograft.config import Experiment
from xenosim.xenograft.runner import mouse_specs, run_tasks


def write_counterfactual(exp: Experiment, run_dir: Path, jobs: int = 1) -> tuple[Path, Path]:
    """Write ``counterfactual.csv`` (mouse x arm x day, true and caliper volumes, until the
    endpoint) and ``true_effects.csv`` (per mouse and arm: true growth rate of ln V and its
    difference from the same mouse under the first arm of the config)."""
    mice = pd.read_csv(run_dir / "mice.csv")
    enrolled = mice.loc[mice["enrolled"].astype(bool)].set_index("mouse")["arm"]
    specs = [s for s in mouse_specs(exp) if s.mouse in enrolled.index]
    arms = list(exp.arms)
    parts = run_tasks(simulate_twins, [(exp, s, arms) for s in specs], jobs)
    cf = pd.concat(parts, ignore_index=True)
    cf = cf[cf["took"].astype(bool)].drop(columns=["took"])
    cf["assigned_arm"] = cf["mouse"].map(enrolled)
    tp = cf[cf["day"] >= 0].assign(volume_mm3=lambda d: d["true_volume_mm3"],
                                   mouse=lambda d: d["mouse"] + "|" + d["arm"])
    rates = sa.mouse_growth_rates(sa.treatment_phase(tp))
    rates["arm"] = rates["mouse"].str.split("|").str[1]
    rates["mouse"] = rates["mouse"].str.split("|").str[0]
    ref = rates[rates["arm"] == arms[0]].set_index("mouse")["rate_per_day"]
    eff = rates[["mouse", "cell_line", "arm", "rate_per_day"]].rename(
        columns={"rate_per_day": "true_rate_per_day"})
    eff[f"true_effect_vs_{arms[0]}_per_day"] = eff["true_rate_per_day"] - eff["mouse"].map(ref)
    eff["assigned_arm"] = eff["mouse"].map(enrolled)
    out = []
    for name, df in (("counterfactual.csv", cf), ("true_effects.csv", eff)):
        path = run_dir / name
        tmp = path.with_suffix(".tmp")
        df.sort_values(["mouse", "arm"], kind="mergesort").to_csv(tmp, index=False,
                                                                  float_format="%.6g")
        os.replace(tmp, path)
        out.append(path)
    assert np.isfinite(eff["true_rate_per_day"]).any()
    return out[0], out[1]
