"""Replicate virtual studies from a pool of paired counterfactual twins.

1. Pool: ``pool_mice`` inoculated virtual mice of the contrast's cell line; each is simulated once
   under every arm a study needs (``simulate_mouse`` with common random numbers: same seed, same
   take, same host growth factor; arms without a drug difference give identical trajectories).
   The pool is simulated noise-free (caliper cv 0) and past the endpoint, so caliper noise and
   censoring are drawn fresh in every virtual study.
2. Studies: for each n and replicate a seeded generator picks inoculated mice from the pool,
   enrols and randomises them as the protocol does (``select_and_randomise``), reads each mouse's
   twin under its arm, adds caliper noise (lognormal on L and W), censors at the endpoint, and
   applies the statistics (array path, :mod:`xenosim.design.fast`). A null study splits the
   reference arm A against itself.
3. Truth: per mouse, the growth rate of its noise-free twin over the days a study would observe
   it (to the first volume at or over the *protocol's* endpoint, and the study end), arm B minus
   arm A; per study the mean over its enrolled mice; the estimand a CI is judged against is the
   mean of that over a size's replicates (the effect in the population the protocol enrols).
Every task (pool mouse, chunk of replicates of one size) is a pure function of config + seed
(each replicate has its own seeded generator), each size writes one file when its chunks are in,
so a run resumes and gives identical numbers for any worker count.
"""

from __future__ import annotations

import json
import math
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xenosim.design import stats_adapter as sa
from xenosim.design.config import Contrast
from xenosim.design.fast import PoolArrays, fast_statistics, study_arrays, true_rates
from xenosim.xenograft.config import Experiment, validate_dict
from xenosim.xenograft.runner import (
    MouseOutcome,
    MouseSpec,
    select_and_randomise,
    simulate_mouse,
    treat_mouse,
)

#: the pool is simulated past the endpoint by this factor so noisy calipers decide censoring
OVERSHOOT = 1.4
STATISTICS = ["mixed_rate", "welch_rate", "tc_end", "logrank", "bliss", "hsa"]


@dataclass
class DesignSpec:
    """Everything a design run depends on (its fingerprint)."""

    exp: Experiment
    contrast: Contrast
    sizes: list[int]
    replicates: int
    pool_mice: int
    alpha: float = 0.05
    n_boot: int = 200

    def pool_experiment(self) -> Experiment:
        """The config as simulated for the pool: noise-free calipers, endpoint raised."""
        raw = self.exp.model_dump()
        raw["caliper"]["cv"] = 0.0
        raw["endpoint_volume_mm3"] = self.exp.endpoint_volume_mm3 * OVERSHOOT
        return validate_dict(raw)

    def fingerprint(self) -> dict:
        return {"experiment": self.exp.model_dump(mode="json"), "contrast": vars(self.contrast),
                "sizes": self.sizes, "replicates": self.replicates, "pool_mice": self.pool_mice,
                "alpha": self.alpha, "n_boot": self.n_boot}


def pool_specs(spec: DesignSpec) -> list[MouseSpec]:
    li = list(spec.exp.cell_lines).index(spec.contrast.cell_line)
    return [MouseSpec(f"{spec.contrast.cell_line}-{i + 1:03d}", spec.contrast.cell_line, li, i)
            for i in range(spec.pool_mice)]


def simulate_twins(exp: Experiment, mouse: MouseSpec, arms: list[str]) -> pd.DataFrame:
    """One virtual mouse under every arm (common random numbers): tidy rows per arm and day."""
    rows = []
    take = simulate_mouse(exp, mouse, None, keep_state=True)  # the take phase once, every arm
    for arm in arms:                                          # treated from its end state
        if not take.enrolled:
            rows.append({"mouse": mouse.mouse, "arm": arm, "took": False})
            continue
        o = treat_mouse(exp, take, arm)
        for r in o.measurements:
            rows.append({**r, "took": True, "enrol_day": o.enrol_day,
                         "enrol_volume_mm3": o.enrol_volume_mm3, "event": o.event})
    return pd.DataFrame(rows)


def _atomic_csv(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    df.to_csv(tmp, index=False)
    os.replace(tmp, path)


# ---- one virtual study -------------------------------------------------------------------------
def _study_data(index: dict, assign: dict[str, str], arm_of_label: dict[str, str],
                exp: Experiment, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measurements (noisy, censored) and per-mouse fates of the mice in ``assign``."""
    cv, end = exp.caliper.cv, exp.endpoint_volume_mm3
    meas, mice = [], []
    for mouse in sorted(assign):
        label = assign[mouse]
        d = index[(mouse, arm_of_label[label])]
        true_v = d["true_volume_mm3"].to_numpy()
        noise = np.exp(cv * rng.standard_normal(len(d)) + 2 * cv * rng.standard_normal(len(d)))
        vol = true_v * noise
        days = d["day"].to_numpy()
        hit = np.nonzero(vol >= end)[0]
        k = hit[0] + 1 if len(hit) else len(days)
        study_end = days <= exp.study_days + 1e-6
        k = min(k, int(study_end.sum()))
        meas.append(pd.DataFrame({"mouse": mouse, "cell_line": d["cell_line"].iloc[0],
                                  "arm": label, "day": days[:k], "volume_mm3": vol[:k]}))
        event = bool(len(hit)) and hit[0] < k
        mice.append({"mouse": mouse, "arm": label, "last_day": days[k - 1],
                     "event": "endpoint" if event else "study_end"})
    return pd.concat(meas, ignore_index=True), pd.DataFrame(mice)


def study_statistics(meas: pd.DataFrame, mice: pd.DataFrame, a: str, b: str,
                     contrast: Contrast | None, rng: np.random.Generator,
                     n_boot: int = 200, which: set[str] | None = None) -> dict[str, dict]:
    """Apply the analysis statistics of arm ``b`` vs ``a`` to one study: estimate, CI, p.
    ``which`` limits the statistics computed (default: all that apply)."""
    which = set(STATISTICS) if which is None else which
    tp = sa.treatment_phase(meas)
    line = tp["cell_line"].iloc[0]
    out: dict[str, dict] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "mixed_rate" in which:
            try:
                mm = sa.fit_growth_mixed_model(tp, line, [a, b])
                c = mm.contrasts.iloc[0]
                out["mixed_rate"] = {"estimate": c["difference_per_day"], "ci_low": c["ci_low"],
                                     "ci_high": c["ci_high"], "p_value": c["p_value"]}
            except Exception:  # noqa: BLE001 - a failed fit counts as not significant
                out["mixed_rate"] = {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                                     "p_value": np.nan}
        rates = sa.mouse_growth_rates(tp)
        ra = rates.loc[rates["arm"] == a, "rate_per_day"].dropna().to_numpy()
        rb = rates.loc[rates["arm"] == b, "rate_per_day"].dropna().to_numpy()
        if len(ra) >= 2 and len(rb) >= 2:
            w = sa.welch(ra, rb)
            out["welch_rate"] = {k: w[k] for k in ("ci_low", "ci_high", "p_value")}
            out["welch_rate"]["estimate"] = w["difference"]
        # T/C at study end (last day both arms keep >= half their mice); tested as the
        # difference of mean log RTV on that day (Welch), i.e. a ratio of geometric means
        row = []
        if "tc_end" in which:
            _, end = sa.tc_tgi(tp[tp["arm"].isin([a, b])], a)
            row = end[end["arm"] == b]
        if len(row):
            day = float(row["day"].iloc[0])
            on = tp[np.isclose(tp["day"], day)]
            la = np.log(on.loc[on["arm"] == a, "rtv"].to_numpy())
            lb = np.log(on.loc[on["arm"] == b, "rtv"].to_numpy())
            if len(la) >= 2 and len(lb) >= 2:
                w = sa.welch(la, lb)
                out["tc_end"] = {"estimate": w["difference"], "ci_low": w["ci_low"],
                                 "ci_high": w["ci_high"], "p_value": w["p_value"],
                                 "tc": float(row["tc"].iloc[0]), "day": day}
        sub = mice[mice["arm"].isin([a, b])]
        lr = sa.logrank(sub["last_day"], sub["event"].eq("endpoint"), sub["arm"])
        out["logrank"] = {} if "logrank" not in which else {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                          "p_value": lr["p_value"] if np.isfinite(lr["p_value"]) else 1.0}
        if contrast is not None and contrast.parts and {"bliss", "hsa"} & which:
            syn = sa.synergy_over_time(tp, line, contrast.control, *contrast.parts, contrast.b,
                                       n_boot=n_boot, rng=rng)
            if len(syn):
                last = syn[syn["day"] == syn["day"].max()]
                for metric in ("bliss", "hsa"):
                    r = last[last["metric"] == metric].iloc[0]
                    out[metric] = {"estimate": r["excess"], "ci_low": r["ci_low"],
                                   "ci_high": r["ci_high"], "p_value": r["p_value"],
                                   "day": float(r["day"])}
    return {k: v for k, v in out.items() if v}


def _takes(first: pd.DataFrame, chosen: list[str], line: str) -> list[MouseOutcome]:
    out = []
    for i, m in enumerate(chosen):
        r = first.loc[m]
        o = MouseOutcome(MouseSpec(m, line, 0, i), None, bool(r["took"]))
        if o.enrolled:
            o.enrol_day, o.enrol_volume_mm3 = float(r["enrol_day"]), float(r["enrol_volume_mm3"])
        out.append(o)
    return out


def _study_experiment(spec: DesignSpec, n: int, labels: list[str]) -> Experiment:
    """The config as one virtual study of ``n`` per arm over ``labels`` (for the randomiser)."""
    c = spec.contrast
    arm_of = {x: x for x in c.study_arms} | {c.a + "#split": c.a}
    raw = spec.exp.model_dump()
    raw["mice_per_arm"] = n
    raw["arms"] = {x: raw["arms"][arm_of[x]] for x in labels}
    raw["cell_lines"] = {c.cell_line: raw["cell_lines"][c.cell_line]}
    return validate_dict(raw)


def sample_truth(rt: np.ndarray, rows: np.ndarray, arms: list[str], c: Contrast) -> dict:
    """True effects of the mice a study enrolled (every arm's mice; each has a twin under every
    arm): the sample average of the per-mouse truth, in each statistic's own scale."""
    r = {x: rt[rows, arms.index(x)] for x in arms}
    eff = float(np.nanmean(r[c.b] - r[c.a]))
    out = {"mixed_rate": eff, "welch_rate": eff}
    if c.parts:
        pa_, pb = c.parts
        out["bliss"] = float(np.nanmean(r[pa_] + r[pb] - r[c.control] - r[c.b]))
        out["hsa"] = float(min(np.nanmean(r[pa_]), np.nanmean(r[pb])) - np.nanmean(r[c.b]))
    return out


def run_size(spec: DesignSpec, pool: pd.DataFrame, n: int, reps: range | None = None,
             engine: str = "fast") -> pd.DataFrame:
    """Replicate studies ``reps`` of size n (effect and null): one row per replicate x statistic,
    with ``truth_sample`` (the enrolled mice's true effect; 0 for A vs A). ``engine`` "fast"
    (arrays, see :mod:`xenosim.design.fast`) or "reference" (the DataFrame path)."""
    c = spec.contrast
    arms = c.study_arms
    reps = range(spec.replicates) if reps is None else reps
    all_mice = list(dict.fromkeys(pool["mouse"]))
    first = pool.drop_duplicates("mouse").set_index("mouse")
    pa = PoolArrays.from_pool(pool, arms)
    rt = true_rates(pa, spec.exp.endpoint_volume_mm3, spec.exp.study_days)
    row_of = {m: i for i, m in enumerate(pa.mice)}
    index = {k: g for k, g in pool[pool["day"] >= 0].sort_values("day").groupby(
        ["mouse", "arm"], sort=False)} if engine == "reference" else {}
    arm_of = {x: x for x in arms} | {c.a + "#split": c.a}
    labels_of = {"effect": arms, "a_vs_a": [c.a, c.a + "#split"]}
    sexp = {k: _study_experiment(spec, n, v) for k, v in labels_of.items()}
    rows = []
    for rep in reps:
        rng = np.random.default_rng(np.random.SeedSequence(spec.exp.seed, spawn_key=(7, n, rep)))
        for kind, labels in labels_of.items():
            need = math.ceil(n * len(labels) * (1 + spec.exp.spare_mice_fraction))
            picked = list(rng.choice(all_mice, size=min(need, len(all_mice)), replace=False))
            assign, _ = select_and_randomise(sexp[kind], _takes(first, picked, c.cell_line), rng)
            counts = pd.Series(assign).value_counts()
            if any(counts.get(x, 0) < 2 for x in labels):
                continue
            b = c.b if kind == "effect" else c.a + "#split"
            con = c if kind == "effect" else None
            if engine == "reference":
                meas, mice = _study_data(index, assign, arm_of, spec.exp, rng)
                res = study_statistics(meas, mice, c.a, b, con, rng, spec.n_boot)
            else:
                s = study_arrays(pa, assign, arm_of, spec.exp.caliper.cv,
                                 spec.exp.endpoint_volume_mm3, spec.exp.study_days, rng)
                res = fast_statistics(s, c.a, b, c.cell_line, con)
            truth = sample_truth(rt, np.array([row_of[m] for m in assign]), arms, c) \
                if kind == "effect" else {}
            for stat, r in res.items():
                t = truth.get(stat, np.nan) if kind == "effect" else 0.0
                rows.append({"n": n, "replicate": rep, "kind": kind, "statistic": stat,
                             "n_a": int(counts.get(c.a, 0)), "n_b": int(counts.get(b, 0)),
                             "truth_sample": t, **{k: r.get(k, np.nan) for k in
                                                   ("estimate", "ci_low", "ci_high", "p_value")}})
    return pd.DataFrame(rows)


def attach_truth(studies: pd.DataFrame) -> pd.DataFrame:
    """``truth`` = the population true effect each CI is for: the mean over a size's replicate
    studies of their enrolled mice's true effect (the average treatment effect in the population
    the protocol enrols, Monte-Carlo estimated); 0 for A vs A. Coverage and bias use it."""
    out = studies.copy()
    eff = out["kind"] == "effect"
    out["truth"] = 0.0
    out.loc[eff, "truth"] = out[eff].groupby(["n", "statistic"])["truth_sample"].transform("mean")
    return out


def true_effects(pool: pd.DataFrame, c: Contrast, endpoint_mm3: float,
                 study_days: float) -> tuple[dict, pd.DataFrame]:
    """Per-mouse true growth rates of the noise-free twins over the days a study observes them
    (protocol endpoint and study end), their differences from arm a, and pool means in each
    statistic's scale (rates per day; Bliss / HSA as excess of log-volume growth rates)."""
    arms = c.study_arms
    pa = PoolArrays.from_pool(pool, arms)
    rt = true_rates(pa, endpoint_mm3, study_days)
    per_mouse = pd.DataFrame({"mouse": pa.mice})
    for j, arm in enumerate(arms):
        per_mouse[f"rate_{arm}_per_day"] = rt[:, j]
        if arm != c.a:
            per_mouse[f"effect_{arm}_vs_{c.a}_per_day"] = rt[:, j] - rt[:, arms.index(c.a)]
    return sample_truth(rt, np.arange(len(pa.mice)), arms, c), per_mouse


# ---- the whole run ------------------------------------------------------------------------------
def _timed(fn, *args):
    """``fn(*args)`` and the CPU seconds it took in the worker (time.process_time)."""
    t0 = time.process_time()
    out = fn(*args)
    return out, time.process_time() - t0


#: replicate studies per Dask task (tasks of one size are balanced across workers)
CHUNK = 25


def run_design(spec: DesignSpec, out: Path, *, scheduler: str | None = None, workers: int = 2,
               progress=None) -> dict:
    """Simulate (or reuse) the pool, then every study size; every piece resumable. Returns the
    pool, truths, studies and ``cpu_s`` (CPU seconds of this process and of the tasks run)."""
    cpu0 = time.process_time()
    out.mkdir(parents=True, exist_ok=True)
    fp = json.dumps(spec.fingerprint(), sort_keys=True, default=str)
    fp_path = out / "design_spec.json"
    if fp_path.exists() and fp_path.read_text() != fp:
        raise ValueError(f"{out} holds a different design; use another --out or delete it")
    fp_path.write_text(fp)
    (out / "pool").mkdir(exist_ok=True)
    (out / "studies").mkdir(exist_ok=True)
    pexp = spec.pool_experiment()
    arms = spec.contrast.study_arms
    mice = pool_specs(spec)
    todo = [m for m in mice if not (out / "pool" / f"{m.mouse}.csv").exists()]
    cpu = {"pool_tasks": 0.0, "study_tasks": 0.0}
    client, cluster = _client(scheduler, workers)
    try:
        futs = client.map(_timed, [simulate_twins] * len(todo), [pexp] * len(todo), todo,
                          [arms] * len(todo), pure=False)
        for m, f in zip(todo, futs, strict=True):
            df, t = f.result()
            cpu["pool_tasks"] += t
            _atomic_csv(df, out / "pool" / f"{m.mouse}.csv")
            if progress:
                progress("pool")
        pool = pd.concat([pd.read_csv(out / "pool" / f"{m.mouse}.csv") for m in mice],
                         ignore_index=True)
        pool["took"] = pool["took"].astype(bool)
        e = spec.exp
        truth, per_mouse = true_effects(pool, spec.contrast, e.endpoint_volume_mm3, e.study_days)
        _atomic_csv(per_mouse, out / "true_effects.csv")
        sizes = [n for n in spec.sizes if not (out / "studies" / f"n{n:03d}.csv").exists()]
        pool_f = client.scatter(pool, broadcast=True)
        futs = {n: [client.submit(_timed, run_size, spec, pool_f, n,
                                  range(i, min(i + CHUNK, spec.replicates)), pure=False)
                    for i in range(0, spec.replicates, CHUNK)] for n in sizes}
        for n in sizes:
            parts = []
            for f in futs[n]:
                df, t = f.result()
                cpu["study_tasks"] += t
                parts.append(df)
            _atomic_csv(attach_truth(pd.concat(parts, ignore_index=True)),
                        out / "studies" / f"n{n:03d}.csv")
            if progress:
                progress("studies")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    studies = pd.concat([pd.read_csv(out / "studies" / f"n{n:03d}.csv") for n in spec.sizes],
                        ignore_index=True)
    cpu["parent"] = time.process_time() - cpu0
    return {"pool": pool, "truth": truth, "studies": studies, "per_mouse": per_mouse,
            "cpu_s": cpu}


def _client(scheduler: str | None, workers: int):
    import logging

    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler, timeout="20s"), None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address="127.0.0.1:0",
                           silence_logs=logging.ERROR)  # loopback only, free ports
    return Client(cluster), cluster
