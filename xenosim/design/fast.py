"""Array form of one virtual study: the pool as a mouse x arm x day array and every statistic
except the mixed model computed in closed form over mice at once.

Why: a design run analyses thousands of small studies; building DataFrames and grouping them per
study cost more than the statistics. The formulas are those of the analysis code
(``mouse_growth_rates``, ``welch``, ``tc_tgi``'s study-end rule, ``logrank``,
``synergy_over_time``'s cumulative rates and Welch contrasts) and the mixed model is fitted by the
same ``fit_growth_mixed_model``; ``tests/test_design.py`` checks that this path gives the same
numbers as :func:`xenosim.design.runner.study_statistics` (the DataFrame path of ``analyze``).

The caliper noise is drawn in the same order as the DataFrame path (per mouse in name order, two
normal vectors of the mouse's pool length), so both paths see the same random numbers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xenosim.design import stats_adapter as sa

LOG_FLOOR_MM3 = 1.0  # as xenosim.analysis.stats.LOG_FLOOR_MM3


@dataclass
class PoolArrays:
    """The pool's treatment phase: ``true_v[mouse, arm, day]`` (NaN past a twin's last day)."""

    mice: list[str]
    arms: list[str]
    days: np.ndarray
    true_v: np.ndarray
    length: np.ndarray  # mouse x arm: number of pool days
    cell_line: str

    @classmethod
    def from_pool(cls, pool: pd.DataFrame, arms: list[str]) -> PoolArrays:
        """From the tidy pool table (took mice, day >= 0); every twin's days must be a prefix of
        one common caliper grid (they are: days count from randomisation)."""
        p = pool[pool["took"].astype(bool) & (pool["day"] >= 0)]
        mice = sorted(p["mouse"].unique())
        days = np.sort(p["day"].unique())
        mi = {m: i for i, m in enumerate(mice)}
        ai = {a: j for j, a in enumerate(arms)}
        v = np.full((len(mice), len(arms), len(days)), np.nan)
        length = np.zeros((len(mice), len(arms)), int)
        di = np.searchsorted(days, p["day"].to_numpy())
        r, c = p["mouse"].map(mi).to_numpy(), p["arm"].map(ai).to_numpy()
        v[r, c, di] = p["true_volume_mm3"].to_numpy()
        np.add.at(length, (r, c), 1)
        filled = np.isfinite(v).sum(axis=2)
        prefix = np.isfinite(v[np.arange(len(days)) < length[..., None]].reshape(-1)).all()
        if not (filled == length).all() or not prefix:
            raise ValueError("pool twins do not share one caliper day grid")
        return cls(mice, list(arms), days, v, length, str(p["cell_line"].iloc[0]))


def censor(vol: np.ndarray, length: np.ndarray, days: np.ndarray, endpoint_mm3: float,
           study_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Points kept per row (to the first reading >= endpoint inclusive, and to study end) and
    whether the row ended at the endpoint: the rule of the DataFrame path."""
    col = np.arange(vol.shape[1])
    valid = col < length[:, None]
    hit = np.where(valid, vol, -np.inf) >= endpoint_mm3
    any_hit = hit.any(axis=1)
    first = np.where(any_hit, hit.argmax(axis=1) + 1, length)
    n_end = np.minimum(length, int((days <= study_days + 1e-6).sum()))
    k = np.minimum(first, n_end)
    return k, any_hit & (hit.argmax(axis=1) < k)


def masked_slopes(days: np.ndarray, logv: np.ndarray, k: np.ndarray) -> np.ndarray:
    """OLS slope of ln V on day over each row's first ``k`` points (NaN below two points)."""
    m = np.arange(logv.shape[1]) < k[:, None]
    n = m.sum(axis=1).astype(float)
    x = np.where(m, days, 0.0)
    y = np.where(m, logv, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        xc = np.where(m, days - x.sum(1, keepdims=True) / n[:, None], 0.0)
        yc = np.where(m, logv - y.sum(1, keepdims=True) / n[:, None], 0.0)
        sxx = (xc * xc).sum(axis=1)
        return np.where(sxx > 0, (xc * yc).sum(axis=1) / sxx, np.nan)


def true_rates(pa: PoolArrays, endpoint_mm3: float, study_days: float) -> np.ndarray:
    """mouse x arm: growth rate of ln true V over the days a study observes the twin (protocol
    endpoint and study end applied to the noise-free volume): the per-mouse truth."""
    nm, na, nd = pa.true_v.shape
    v = pa.true_v.reshape(nm * na, nd)
    k, _ = censor(v, pa.length.reshape(-1), pa.days, endpoint_mm3, study_days)
    logv = np.log(np.maximum(np.nan_to_num(v, nan=LOG_FLOOR_MM3), LOG_FLOOR_MM3))
    return masked_slopes(pa.days, logv, k).reshape(nm, na)


@dataclass
class StudyArrays:
    """One virtual study: per mouse (name order) its label, caliper volumes and kept points."""

    mice: list[str]
    labels: np.ndarray
    vol: np.ndarray
    k: np.ndarray
    event: np.ndarray
    days: np.ndarray

    @property
    def logv(self) -> np.ndarray:
        return np.log(np.maximum(np.nan_to_num(self.vol, nan=LOG_FLOOR_MM3), LOG_FLOOR_MM3))


def study_arrays(pa: PoolArrays, assign: dict[str, str], arm_of_label: dict[str, str],
                 cv: float, endpoint_mm3: float, study_days: float,
                 rng: np.random.Generator) -> StudyArrays:
    """Caliper noise (lognormal on L and W) and censoring for the mice in ``assign``."""
    mice = sorted(assign)
    mi = {m: i for i, m in enumerate(pa.mice)}
    r = np.array([mi[m] for m in mice])
    c = np.array([pa.arms.index(arm_of_label[assign[m]]) for m in mice])
    length = pa.length[r, c]
    noise = np.ones((len(mice), len(pa.days)))
    for i, n in enumerate(length):
        z1, z2 = rng.standard_normal(n), rng.standard_normal(n)
        noise[i, :n] = np.exp(cv * z1 + 2 * cv * z2)
    vol = pa.true_v[r, c] * noise
    k, event = censor(vol, length, pa.days, endpoint_mm3, study_days)
    return StudyArrays(mice, np.array([assign[m] for m in mice]), vol, k, event, pa.days)


def _mixed(s: StudyArrays, a: str, b: str, line: str) -> dict:
    """The analysis's mixed model on the long table of arms a and b (rows in its order)."""
    order = [i for label in sorted((a, b)) for i in np.nonzero(s.labels == label)[0]]
    keep = np.arange(len(s.days)) < s.k[order, None]
    rep = keep.sum(axis=1)
    long = pd.DataFrame({"mouse": np.repeat(np.asarray(s.mice)[order], rep), "cell_line": line,
                         "arm": np.repeat(s.labels[order], rep),
                         "day": np.broadcast_to(s.days, keep.shape)[keep],
                         "log_volume": s.logv[order][keep]})
    try:
        mm = sa.fit_growth_mixed_model(long, line, [a, b])
        c = mm.contrasts.iloc[0]
        return {"estimate": c["difference_per_day"], "ci_low": c["ci_low"],
                "ci_high": c["ci_high"], "p_value": c["p_value"]}
    except Exception:  # noqa: BLE001 - a failed fit counts as not significant
        return {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan}


def _tc_end(s: StudyArrays, a: str, b: str) -> dict:
    """Difference of mean log RTV (b - a) on the last day > 0 both arms keep >= half their
    mice (``tc_tgi``'s study end), Welch-tested."""
    present = np.arange(len(s.days)) < s.k[:, None]
    ia, ib = s.labels == a, s.labels == b
    fa, fb = present[ia].mean(axis=0), present[ib].mean(axis=0)
    ok = np.nonzero((fa >= 0.5) & (fb >= 0.5) & (s.days > 0))[0]
    if not len(ok):
        return {}
    j = ok[-1]
    base = np.maximum(s.vol[:, 0], LOG_FLOOR_MM3)
    lrtv = np.log(np.maximum(s.vol[:, j], LOG_FLOOR_MM3) / base)
    la, lb = lrtv[ia & present[:, j]], lrtv[ib & present[:, j]]
    if len(la) < 2 or len(lb) < 2:
        return {}
    w = sa.welch(la, lb)
    return {"estimate": w["difference"], "ci_low": w["ci_low"], "ci_high": w["ci_high"],
            "p_value": w["p_value"]}


def _synergy(s: StudyArrays, control: str, pa_: str, pb: str, ab: str) -> dict:
    """Bliss / HSA excess at the last day every arm has >= 2 cumulative rates (as
    ``synergy_over_time``: a mouse's rate to day t is its slope over its points <= t)."""
    arms = (control, pa_, pb, ab)
    sel = np.isin(s.labels, arms)
    k = s.k[sel]
    labels = s.labels[sel]
    seen = s.days[: k.max()]
    cand = seen[seen > 0][1:]
    for t in cand[::-1]:
        upto = np.minimum(k, int((s.days <= t + 1e-9).sum()))
        rates = masked_slopes(s.days, s.logv[sel], upto)
        st = {}
        for x in arms:
            r = rates[(labels == x) & np.isfinite(rates)]
            st[x] = (np.array([r.mean()]) if len(r) else np.array([np.nan]),
                     np.array([r.var(ddof=1)]) if len(r) > 1 else np.array([np.nan]),
                     np.array([len(r)]))
        if all(st[x][2][0] >= 2 for x in arms):
            res = sa.synergy_tests(st, control, pa_, pb, ab, np.array([t]))
            out = {}
            for metric in ("bliss", "hsa"):
                est, _, _, lo, hi, p = (np.asarray(v)[0] for v in res[metric])
                out[metric] = {"estimate": est, "ci_low": lo, "ci_high": hi,
                               "p_value": p if np.isfinite(est) else np.nan}
            return out
    return {}


def fast_statistics(s: StudyArrays, a: str, b: str, line: str, contrast=None,
                    which: set[str] | None = None) -> dict[str, dict]:
    """The statistics of :func:`runner.study_statistics` from a :class:`StudyArrays`."""
    which = {"mixed_rate", "welch_rate", "tc_end", "logrank", "bliss", "hsa"} \
        if which is None else which
    out: dict[str, dict] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "mixed_rate" in which:
            out["mixed_rate"] = _mixed(s, a, b, line)
        rates = masked_slopes(s.days, s.logv, s.k)
        ra = rates[(s.labels == a) & np.isfinite(rates)]
        rb = rates[(s.labels == b) & np.isfinite(rates)]
        if "welch_rate" in which and len(ra) >= 2 and len(rb) >= 2:
            w = sa.welch(ra, rb)
            out["welch_rate"] = {"estimate": w["difference"], "ci_low": w["ci_low"],
                                 "ci_high": w["ci_high"], "p_value": w["p_value"]}
        if "tc_end" in which:
            out["tc_end"] = _tc_end(s, a, b)
        if "logrank" in which:
            sub = np.isin(s.labels, (a, b))
            lr = sa.logrank(s.days[s.k[sub] - 1], s.event[sub], s.labels[sub])
            out["logrank"] = {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                              "p_value": lr["p_value"] if np.isfinite(lr["p_value"]) else 1.0}
        if contrast is not None and contrast.parts and {"bliss", "hsa"} & which:
            out.update(_synergy(s, contrast.control, *contrast.parts, contrast.b))
    return {k: v for k, v in out.items() if v}
