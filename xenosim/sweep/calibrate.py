"""Calibration: fit chosen parameters to a lab's caliper table by approximate Bayesian computation.

Method (ABC rejection, Pritchard 1999 / Beaumont 2002): draw ``samples`` parameter sets from the
prior (uniform or log-uniform on [low, high], Latin hypercube), simulate the study for each on the
sweep backend (Dask; resumable, failures recorded), measure the distance between simulated and
target growth curves, and keep the ``accept`` fraction closest: that is the approximate
posterior. Reported per parameter: best (smallest distance), posterior median, mean, SD and the
5-95 % interval, with the accepted sample size. Rejection ABC weighs every accepted draw equally,
so the effective sample size is the number accepted; below ``MIN_ACCEPTED`` (20) a 5-95 %
interval rests on a handful of draws (with 2 draws its ends are nearly the two draws) and is
flagged as unreliable in the table, the report, fit.yaml and the console.

Why rejection ABC and not SMC-ABC (e.g. pyabc): every rejection draw is independent, so the
evaluations run as one resumable sweep on the Dask backend with failures recorded, and more
samples can be added to a finished run; SMC-ABC chooses each generation from the last, which
needs its own scheduler and resume logic. It is not wired in; with the few-parameter fits here,
raising ``samples`` (or lowering ``accept``) gives a usable posterior at known cost.

Distance: per arm and caliper day of treatment (day >= 0), the mean log caliper volume over the
mice measured that day; simulated means are interpolated to the target's days (no
extrapolation); distance = root mean square of the differences over all matched (arm, day)
points. Mice removed at the humane endpoint leave both means the same way.

```yaml
calibrate: vector_growth
base: ../degraffenried2004.yaml
target:
  file: lab_calipers.csv              # one row per mouse x day; relative to this file
  cell_line: mcf7_vector              # the cell line the lab's table is about
  columns: {mouse: Animal, arm: Group, day: Day, length: L, width: W}   # or volume: ...
  arms: {vehicle: control}            # lab group -> experiment arm (default: same name)
seed: 1
samples: 64
accept: 0.2
overrides: {mice_per_arm: 6}
parameters:
  - {name: invivo_cycling_factor, path: parameters.invivo_cycling_factor, low: 0.1, high: 0.8,
     scale: log}
```
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, Field, ValidationError

from xenosim.core.config import (
    STRICT_CONFIG,
    ConfigError,
    ConfigErrors,
    SafeName,
    Seed,
    located_errors,
    read_config_mapping,
)
from xenosim.sweep.config import SweepParameter, load_sweep_dict


class _Strict(BaseModel):
    model_config = STRICT_CONFIG


class TargetColumns(_Strict):
    mouse: str = "mouse"
    arm: str = "arm"
    day: str = "day"
    volume: str | None = None
    length: str | None = None
    width: str | None = None


class Target(_Strict):
    """The lab's caliper table and how its columns and groups map onto the experiment."""

    file: str
    cell_line: str
    columns: TargetColumns = TargetColumns()
    arms: dict[str, str] = {}


class CalibrationConfig(_Strict):
    calibrate: SafeName
    description: str = ""
    base: str
    target: Target
    seed: Seed = 0
    samples: Annotated[int, Field(ge=4, le=100000)] = 64
    accept: Annotated[float, Field(gt=0, le=1)] = 0.2
    replicates: Annotated[int, Field(ge=1, le=100)] = 1
    overrides: dict[str, Any] = {}
    parameters: list[SweepParameter]


def load_target(cfg: CalibrationConfig, base_dir: Path, name: str) -> pd.DataFrame:
    """The target table: mouse, arm (experiment names), day, volume_mm3 (treatment days)."""
    from xenosim.analysis.data import load_caliper_csv
    from xenosim.analysis.errors import AnalysisInputError

    t = cfg.target
    path = (base_dir / t.file).resolve()
    c = t.columns
    try:
        data = load_caliper_csv(path, c.mouse, c.arm, c.day, c.length, c.width, c.volume,
                                cell_line=t.cell_line)
    except AnalysisInputError as exc:
        raise ConfigErrors([ConfigError(name, "target.file", t.file, str(exc))]) from None
    m = data.measurements.copy()
    m["arm"] = m["arm"].map(lambda a: t.arms.get(a, a))
    return m[m["day"] >= 0][["mouse", "arm", "day", "volume_mm3"]]


def curve_stats(meas: pd.DataFrame) -> pd.DataFrame:
    """Mean log caliper volume per arm x day (treatment days, mice with a positive volume)."""
    m = meas[(meas["day"] >= 0) & (meas["volume_mm3"] > 0)]
    return (m.assign(log_v=np.log(m["volume_mm3"])).groupby(["arm", "day"])["log_v"].mean()
            .reset_index())


def distance(sim: pd.DataFrame, target: pd.DataFrame) -> float:
    """RMS difference of mean log volume at the target's (arm, day) points; inf if fewer than
    half of them can be matched without extrapolation."""
    diffs = []
    for arm, tg in target.groupby("arm"):
        sg = sim[sim["arm"] == arm].sort_values("day")
        if len(sg) < 2:
            continue
        days = tg["day"].to_numpy()
        inside = (days >= sg["day"].min()) & (days <= sg["day"].max())
        interp = np.interp(days[inside], sg["day"], sg["log_v"])
        diffs.extend(interp - tg["log_v"].to_numpy()[inside])
    if len(diffs) < 0.5 * len(target):
        return float("inf")
    return float(np.sqrt(np.mean(np.square(diffs))))


class LoadedCalibration:
    def __init__(self, config: CalibrationConfig, sweep, target: pd.DataFrame, file: str):
        self.config, self.sweep, self.target, self.file = config, sweep, target, file


def load_calibration(path: str | Path, overrides: dict | None = None) -> LoadedCalibration:
    """Read a calibration config, its base experiment and its target table (located errors)."""
    path = Path(path)
    name = str(path)
    raw = read_config_mapping(path, overrides)
    try:
        cfg = CalibrationConfig.model_validate(raw)
    except ValidationError as err:
        raise located_errors(name, err, CalibrationConfig) from None
    target = load_target(cfg, path.parent, name)
    if target.empty:
        raise ConfigErrors([ConfigError(name, "target.file", cfg.target.file,
                                        "no measurements on treatment days (day >= 0)")])
    arms = sorted(target["arm"].unique())
    sweep_raw = {
        "sweep": cfg.calibrate, "description": cfg.description, "base": cfg.base,
        "seed": cfg.seed, "replicates": cfg.replicates, "overrides": cfg.overrides,
        "cell_lines": [cfg.target.cell_line], "arms": arms,
        "design": {"method": "lhs", "n": cfg.samples},
        "parameters": [p.model_dump(exclude_none=True) for p in cfg.parameters],
    }
    try:
        sweep = load_sweep_dict(sweep_raw, name, path.parent)
    except ConfigErrors as exc:
        hints = {"arms": "target arms (after target.arms mapping)",
                 "cell_lines": "target.cell_line"}
        raise ConfigErrors([ConfigError(e.file, hints.get(e.path, e.path), e.value, e.message)
                            for e in exc.errors]) from None
    return LoadedCalibration(cfg, sweep, target, name)


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.parent / f".{path.name}.tmp"
    tmp.write_text(text)
    os.replace(tmp, path)


#: Fewest accepted draws for which the 5-95 % interval is reported without a warning.
MIN_ACCEPTED = 20


def fit_warnings(fitted: pd.DataFrame, accept: float) -> list[str]:
    """Warnings about the posterior sample (too few accepted draws for stable intervals)."""
    if fitted.empty:
        return ["no finished evaluations: nothing was fitted"]
    n = int(fitted["n_accepted"].iloc[0])
    if n >= MIN_ACCEPTED:
        return []
    need = int(np.ceil(MIN_ACCEPTED / accept))
    return [f"only {n} draw(s) accepted (effective sample size {n} < {MIN_ACCEPTED}): the "
            f"posterior SD and 5-95 % intervals are unreliable; use samples >= {need} at "
            f"accept {accept:g}"]


def fit(loaded: LoadedCalibration, out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Distances of every finished evaluation and the fitted parameters (ABC rejection)."""
    from xenosim.sweep.analysis import read_results

    cfg = loaded.config
    names = [p.name for p in cfg.parameters]
    meas = read_results(out, "measurements.parquet")
    by_task = dict(tuple(meas.groupby("task", observed=True))) if len(meas) else {}
    target = curve_stats(loaded.target)
    tasks = pd.read_csv(out / "tasks.csv", dtype={"task": str}).drop_duplicates("task")
    rows = []
    for _, t in tasks[tasks["status"] == "done"].iterrows():
        g = by_task.get(t["task"])
        # a finished task without measurements had no tumour reach randomisation: as far from
        # any growing target as it gets
        d = distance(curve_stats(g), target) if g is not None else float("inf")
        rows.append({"task": t["task"], **{n: float(t[n]) for n in names},
                     "replicate": int(t["replicate"]), "distance": d})
    evals = pd.DataFrame(rows, columns=["task", *names, "replicate", "distance"])
    # replicates of a point: average their distances
    per_point = evals.groupby(names, as_index=False)["distance"].mean()
    finite = per_point[np.isfinite(per_point["distance"])].sort_values("distance")
    n_keep = max(2, int(round(cfg.accept * len(per_point))))
    accepted = finite.head(n_keep)
    best = finite.iloc[0] if len(finite) else None
    fitted = []
    for p in cfg.parameters:
        x = accepted[p.name].to_numpy(dtype=float)
        fitted.append({
            "parameter": p.name, "path": ", ".join(p.paths),
            "best": float(best[p.name]) if best is not None else float("nan"),
            "posterior_median": float(np.median(x)) if len(x) else float("nan"),
            "posterior_mean": float(np.mean(x)) if len(x) else float("nan"),
            "posterior_sd": float(np.std(x, ddof=1)) if len(x) > 1 else float("nan"),
            "q05": float(np.quantile(x, 0.05)) if len(x) else float("nan"),
            "q95": float(np.quantile(x, 0.95)) if len(x) else float("nan"),
            "prior_low": p.low, "prior_high": p.high, "prior_scale": p.scale,
            "n_accepted": len(x), "effective_sample_size": len(x),  # equal weights
            "n_evaluated": len(per_point), "reliable": len(x) >= MIN_ACCEPTED,
            "best_distance": float(best["distance"]) if best is not None else float("nan"),
        })
    per_point["accepted"] = per_point.index.isin(accepted.index)
    return per_point, pd.DataFrame(fitted)


def calibration_figure(loaded: LoadedCalibration, evals: pd.DataFrame, fitted: pd.DataFrame,
                       out: Path) -> Path:
    """Distance vs each parameter (accepted draws highlighted), and target vs best-fit curves."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    from xenosim.core.style import apply_style, arm_colour
    from xenosim.sweep.analysis import read_results

    apply_style()
    names = list(fitted["parameter"])
    fig, axes = plt.subplots(1, len(names) + 1, figsize=(4.8 * (len(names) + 1), 4.0),
                             squeeze=False)
    for ax, (_, f) in zip(axes[0], fitted.iterrows(), strict=False):
        n = f["parameter"]
        ok = np.isfinite(evals["distance"])
        e = evals[ok]
        ax.scatter(e[n], e["distance"], s=14, color="0.6", label="prior draws")
        a = e[e["accepted"]]
        ax.scatter(a[n], a["distance"], s=18, color="#d55e00", label="accepted (posterior)")
        ax.axvspan(f["q05"], f["q95"], color="#d55e00", alpha=0.12, label="5-95 % interval")
        if f["prior_scale"] == "log":
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.xaxis.set_minor_formatter(ScalarFormatter())
        n_inf = int((~ok).sum())
        if n_inf:
            ax.set_title(f"{n_inf} draw(s) with no tumour at randomisation (distance ∞) "
                         f"not shown", fontsize=8)
        ax.set_xlabel(n)
        ax.set_ylabel("distance (RMS of mean log volume)")
        ax.legend(fontsize=7)
    ax = axes[0][-1]
    target = curve_stats(loaded.target)
    meas = read_results(out, "measurements.parquet")
    best = {n: fitted.set_index("parameter").loc[n, "best"] for n in names}
    sel = meas
    for n, v in best.items():
        sel = sel[np.isclose(sel[n], v)]
    sim = curve_stats(sel)
    for arm, g in target.groupby("arm"):
        ax.plot(g["day"], np.exp(g["log_v"]), "o", color=arm_colour(arm), label=f"target {arm}")
        s = sim[sim["arm"] == arm]
        ax.plot(s["day"], np.exp(s["log_v"]), "-", color=arm_colour(arm),
                label=f"best fit {arm}")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("day of treatment")
    ax.set_ylabel("geometric mean caliper volume (mm³)")
    ax.legend(fontsize=7)
    fig.suptitle(f"{loaded.config.calibrate}: ABC rejection, {int(fitted['n_accepted'].iloc[0])}"
                 f" of {int(fitted['n_evaluated'].iloc[0])} draws accepted")
    fig.tight_layout()
    path = out / "calibration.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def write_fit(loaded: LoadedCalibration, out: Path, evals: pd.DataFrame,
              fitted: pd.DataFrame) -> list[str]:
    """evaluations.csv, fit.csv, fit.yaml (a config block with uncertainty), figure, report."""
    _atomic_text(out / "evaluations.csv", evals.to_csv(index=False, float_format="%.6g"))
    _atomic_text(out / "fit.csv", fitted.to_csv(index=False, float_format="%.6g"))
    block: dict[str, Any] = {}
    unc: dict[str, Any] = {}
    for _, f in fitted.iterrows():
        p = next(q for q in loaded.config.parameters if q.name == f["parameter"])
        unc[p.name] = {k: float(f[k]) for k in ("posterior_median", "posterior_mean",
                                                "posterior_sd", "q05", "q95", "best")}
        for path in p.paths:
            if path.startswith("parameters."):
                block.setdefault("parameters", {})[path.removeprefix("parameters.")] = float(
                    f["posterior_median"])
            else:
                block.setdefault("set", {})[path] = float(f["posterior_median"])
    warnings = fit_warnings(fitted, loaded.config.accept)
    text = ("# Fitted by `xenosim calibrate` (ABC rejection): posterior medians; paste the\n"
            "# parameters block into an experiment config. Uncertainty under `uncertainty`.\n"
            + "".join(f"# WARNING: {w}\n" for w in warnings)
            + yaml.safe_dump({**block, "uncertainty": unc}, sort_keys=False))
    _atomic_text(out / "fit.yaml", text)
    fig = calibration_figure(loaded, evals, fitted, out)
    lines = [f"# Calibration {loaded.config.calibrate}", "",
             f"Target `{loaded.config.target.file}` ({loaded.config.target.cell_line}), "
             f"{loaded.target['mouse'].nunique()} mice, arms "
             f"{', '.join(sorted(loaded.target['arm'].unique()))}.", "",
             "ABC rejection: prior draws by Latin hypercube, distance = RMS difference of mean "
             "log caliper volume per arm and day; the closest "
             f"{100 * loaded.config.accept:g} % are the posterior.", "",
             *(f"**Warning:** {w}\n" for w in warnings),
             fitted.to_string(index=False), "", f"![calibration]({fig.name})"]
    _atomic_text(out / "report.md", "\n".join(lines) + "\n")
    return ["evaluations.csv", "fit.csv", "fit.yaml", fig.name, "report.md"]


def run_calibration(loaded: LoadedCalibration, out_root: Path, **sweep_kwargs):
    """Run (or resume) the evaluations on Dask, then fit; returns (outcome, fitted)."""
    from xenosim.sweep.runner import run_sweep

    outcome = run_sweep(loaded.sweep, out_root, figures=False, **sweep_kwargs)
    if outcome.interrupted:
        return outcome, None
    evals, fitted = fit(loaded, outcome.out_dir)
    if fitted.empty or not (fitted["n_accepted"] > 0).all():
        from xenosim.sweep.runner import SweepOutputError

        for name in ("fit.yaml", "fit.csv", "report.md"):  # never leave a fit that looks done
            (outcome.out_dir / name).unlink(missing_ok=True)
        raise SweepOutputError(
            f"{loaded.file}: no prior draw gave a finite distance to the target (no simulated "
            f"tumour reached randomisation, every distance is infinite), so there is nothing to "
            f"fit and no fit.yaml was written; widen the parameters' prior ranges (low / high) "
            f"or check the base experiment (evaluations are kept in {outcome.out_dir})")
    files = write_fit(loaded, outcome.out_dir, evals, fitted)
    manifest = outcome.out_dir / "sweep.json"
    data = json.loads(manifest.read_text())
    data["calibration"] = {"files": files, "target": loaded.config.target.model_dump()}
    _atomic_text(manifest, json.dumps(data, indent=2, default=str))
    return outcome, fitted
