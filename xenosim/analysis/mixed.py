"""Linear mixed-effects model of log tumour volume with pairwise growth-rate contrasts.

Per cell line:  ln V_ij = (β0 + β0,a) + (β1 + β1,a)·t_ij + b0_i + b1_i·t_ij + ε_ij,
with a = the arm of mouse i (control is the reference), (b0_i, b1_i) ~ N(0, G) (unstructured G),
ε_ij ~ N(0, σ²), fitted by REML (statsmodels MixedLM). The growth rate of arm a is β1 + β1,a;
pairwise differences of growth rates (the arm × time interaction) are Wald contrasts with a
t reference on (mice − arms) degrees of freedom, adjusted for multiplicity (Holm by default).
If the random-slope model does not converge cleanly, the model is refitted with a random
intercept only; if that fails too, OLS with mouse-clustered standard errors is used. Each fallback
is recorded in ``notes``. Likelihood-based fitting uses every measurement, so mice that leave the
study at the endpoint still contribute (valid when dropout depends on observed volumes).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from xenosim.analysis.diagnostics import mouse_influence, random_effects_table
from xenosim.analysis.multiplicity import adjust_pvalues

#: Time is fitted in weeks (better-conditioned variance components) and reported per day.
TIME_SCALE_DAYS = 7.0

MODEL_TEXT = (
    "ln V_ij = (β0 + β0,arm) + (β1 + β1,arm)·t_ij + b0_i + b1_i·t_ij + ε_ij, "
    "(b0_i, b1_i) ~ N(0, G), ε_ij ~ N(0, σ²); REML; control arm = reference"
)


@dataclass
class MixedModelResult:
    """Fit of one cell line: per-arm growth rates, pairwise contrasts and how it was fitted."""

    cell_line: str
    arms: list[str]
    random_effects: str
    n_obs: int
    n_mice: int
    df: int
    slopes: pd.DataFrame
    contrasts: pd.DataFrame
    variance: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: per measurement: mouse, arm, day, observed and fitted ln V (with the mouse's random
    #: effects), residual — for residual and observed-vs-predicted plots
    observations: pd.DataFrame | None = None
    #: per mouse: random effects, Cook's distance, change in its arm's rate when left out
    mouse_effects: pd.DataFrame | None = None


def _design(d: pd.DataFrame, arms: list[str]) -> tuple[np.ndarray, list[str]]:
    week = d["day"].to_numpy() / TIME_SCALE_DAYS
    cols = [np.ones(len(d))]
    names = ["intercept"]
    for a in arms[1:]:
        cols.append((d["arm"] == a).to_numpy(float))
        names.append(f"arm[{a}]")
    cols.append(week)
    names.append("week")
    for a in arms[1:]:
        cols.append(week * (d["arm"] == a).to_numpy(float))
        names.append(f"week:arm[{a}]")
    return np.column_stack(cols), names


def _slope_vector(arms: list[str], arm: str) -> np.ndarray:
    k = len(arms)
    v = np.zeros(2 * k)
    v[k] = 1.0  # week
    if arm != arms[0]:
        v[k + arms.index(arm)] = 1.0
    return v / TIME_SCALE_DAYS


#: statsmodels warns "MLE may be on the boundary" whenever a random-effect variance is below an
#: absolute 0.01, which a genuine between-mouse spread of growth rates often is. That message is
#: ignored; a real boundary / singular G is detected from the estimate itself instead.
_BOUNDARY_MSG = "on the boundary of the parameter space"
_OPTIMIZERS = ("lbfgs", "bfgs", "powell")


def _fit_once(y, x, groups, exog_re, method):
    problems: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = MixedLM(y, x, groups, exog_re=exog_re).fit(reml=True, method=[method])
        except (np.linalg.LinAlgError, ValueError) as exc:
            return None, [f"fit failed: {exc}"]
    for w in caught:
        msg = str(w.message).splitlines()[0]
        if _BOUNDARY_MSG in msg:
            continue
        if issubclass(w.category, (ConvergenceWarning, RuntimeWarning)):
            problems.append(msg)
    if not getattr(res, "converged", True):
        problems.append("optimizer did not report convergence")
    k = x.shape[1]
    cov = np.asarray(res.cov_params())[:k, :k]
    if not np.all(np.isfinite(cov)) or not np.all(np.isfinite(res.fe_params)):
        problems.append("non-finite fixed-effect covariance")
    g = np.atleast_2d(np.asarray(res.cov_re, float))
    eig = np.linalg.eigvalsh(g) if np.all(np.isfinite(g)) else np.array([np.nan])
    if not np.all(np.isfinite(eig)) or eig.min() <= 1e-8 * max(float(res.scale), eig.max()):
        problems.append("random-effects covariance is singular (a variance is ~0)")
    return res, sorted(set(problems))


def _try_mixed(y, x, groups, exog_re):
    """Fit MixedLM with a few optimizers; return (result, problems of the last attempt)."""
    problems: list[str] = []
    for method in _OPTIMIZERS:
        res, problems = _fit_once(y, x, groups, exog_re, method)
        if res is not None and not problems:
            return res, []
    return res, problems


def _fit(d: pd.DataFrame, x: np.ndarray, y: np.ndarray, week: np.ndarray, cell_line: str,
         arms: list[str]) -> tuple:
    """Random slope, else random intercept, else OLS with mouse-clustered SEs: (β, cov(β), how,
    variance, notes, per-measurement fit, per-mouse effects)."""
    groups = d["mouse"].to_numpy()
    k = x.shape[1]
    notes: list[str] = []
    res, problems = _try_mixed(y, x, groups, np.column_stack([np.ones(len(d)), week]))
    how = "random intercept and slope per mouse"
    if problems:
        notes.append(
            f"{cell_line}: random-slope model had problems ({'; '.join(problems)}); "
            "refitted with a random intercept per mouse only"
        )
        res, problems = _try_mixed(y, x, groups, np.ones((len(d), 1)))
        how = "random intercept per mouse (random-slope fit did not converge)"
        if problems:
            notes.append(
                f"{cell_line}: random-intercept model had problems too ({'; '.join(problems)}); "
                "fell back to OLS with mouse-clustered standard errors"
            )
            res = None
    if res is None:
        ols = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(groups)[0]})
        how = "none: OLS with mouse-clustered standard errors (mixed models did not converge)"
        observations = d[["mouse", "arm", "day"]].assign(
            observed=y, fitted=np.asarray(ols.fittedvalues), residual=np.asarray(ols.resid))
        return (np.asarray(ols.params), np.asarray(ols.cov_params()), how,
                {"residual_sd": float(np.sqrt(ols.scale))}, notes, observations, None)
    cov_re = np.asarray(res.cov_re)
    variance = {
        "residual_sd": float(np.sqrt(res.scale)),
        "intercept_sd": float(np.sqrt(max(cov_re[0, 0], 0.0))),
    }
    if cov_re.shape[0] > 1:
        variance["slope_sd_per_day"] = float(np.sqrt(max(cov_re[1, 1], 0.0))) / TIME_SCALE_DAYS
    observations, mouse_effects = _diagnostics(d, x, y, week, res, arms)
    return (np.asarray(res.fe_params), np.asarray(res.cov_params())[:k, :k], how, variance,
            notes, observations, mouse_effects)


def _slopes_and_contrasts(d, arms, beta, cov, cell_line, df, q) -> tuple[list, list]:
    """Per-arm growth rates and every pairwise difference (Wald, t on ``df``)."""
    srows = []
    for a in arms:
        v = _slope_vector(arms, a)
        est, se = float(v @ beta), float(np.sqrt(v @ cov @ v))
        srows.append({"cell_line": cell_line, "arm": a,
                      "n_mice": int(d.loc[d["arm"] == a, "mouse"].nunique()),
                      "rate_per_day": est, "se": se,
                      "ci_low": est - q * se, "ci_high": est + q * se})
    crows = []
    for a, b in combinations(arms, 2):
        v = _slope_vector(arms, b) - _slope_vector(arms, a)
        est, se = float(v @ beta), float(np.sqrt(v @ cov @ v))
        t = est / se if se > 0 else np.nan
        crows.append({"cell_line": cell_line, "arm_a": a, "arm_b": b,
                      "difference_per_day": est, "se": se,
                      "ci_low": est - q * se, "ci_high": est + q * se, "t": t, "df": df,
                      "p_value": float(2 * stats.t.sf(abs(t), df)) if np.isfinite(t)
                      else np.nan})
    return srows, crows


def fit_growth_mixed_model(
    tp: pd.DataFrame, cell_line: str, arms: list[str], p_adjust: str = "holm", level: float = 0.95
) -> MixedModelResult:
    """Fit the log-volume mixed model for one cell line (``arms[0]`` is the reference arm)."""
    d = tp[(tp["cell_line"] == cell_line) & tp["arm"].isin(arms)].reset_index(drop=True)
    arms = [a for a in arms if (d["arm"] == a).any()]
    x, _names = _design(d, arms)
    y = d["log_volume"].to_numpy()
    week = d["day"].to_numpy() / TIME_SCALE_DAYS
    n_mice = int(d["mouse"].nunique())
    beta, cov, how, variance, notes, observations, mouse_effects = _fit(d, x, y, week,
                                                                         cell_line, arms)
    df = max(n_mice - len(arms), 1)
    q = stats.t.ppf(0.5 + level / 2, df)
    srows, crows = _slopes_and_contrasts(d, arms, beta, cov, cell_line, df, q)
    contrasts = pd.DataFrame(crows)
    if len(contrasts):
        contrasts["p_adjusted"] = adjust_pvalues(contrasts["p_value"], p_adjust)
        contrasts["p_adjust_method"] = p_adjust
        contrasts["random_effects"] = how
    return MixedModelResult(
        cell_line=cell_line, arms=arms, random_effects=how, n_obs=len(d), n_mice=n_mice, df=df,
        slopes=pd.DataFrame(srows), contrasts=contrasts, variance=variance, notes=notes,
        observations=observations, mouse_effects=mouse_effects,
    )


def _diagnostics(d: pd.DataFrame, x: np.ndarray, y: np.ndarray, week: np.ndarray, res,
                 arms: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fitted values and residuals per measurement; random effects and influence per mouse."""
    cov_re = np.atleast_2d(np.asarray(res.cov_re, float))
    z = np.column_stack([np.ones(len(d)), week])[:, : cov_re.shape[0]]
    fitted = np.asarray(res.fittedvalues)
    observations = d[["mouse", "arm", "day"]].assign(observed=y, fitted=fitted,
                                                     residual=y - fitted)
    arm_of = dict(zip(d["mouse"], d["arm"], strict=False))
    slope_of = {a: _slope_vector(arms, a) for a in arms}
    infl = mouse_influence(x, y, z, d["mouse"].to_numpy(), cov_re, float(res.scale), arm_of,
                           slope_of)
    re = random_effects_table(res.random_effects, arm_of, TIME_SCALE_DAYS)
    return observations, re.merge(infl.drop(columns="arm"), on="mouse", how="outer")


def interaction_contrasts(contrasts: pd.DataFrame, control_arm: str, p_adjust: str = "holm",
                          level: float = 0.95) -> pd.DataFrame:
    """Cell line × treatment interaction: does an arm's growth-rate effect (arm − control, from
    each line's mixed model) differ between cell lines? (deGraffenried 2004: Akt confers
    tamoxifen resistance = a smaller tamoxifen effect in the myr-Akt line.)

    The lines are fitted separately, so their effects are independent: difference of effects
    with SE = √(se₁² + se₂²) and Welch–Satterthwaite df; p adjusted over the family (all arms ×
    line pairs).
    """
    if contrasts is None or contrasts.empty:
        return pd.DataFrame()
    eff = {}
    for r in contrasts.to_dict("records"):
        if r["arm_a"] == control_arm:
            eff[(r["cell_line"], r["arm_b"])] = (r["difference_per_day"], r["se"], r["df"])
        elif r["arm_b"] == control_arm:
            eff[(r["cell_line"], r["arm_a"])] = (-r["difference_per_day"], r["se"], r["df"])
    lines = list(dict.fromkeys(contrasts["cell_line"]))
    arms = list(dict.fromkeys(a for _, a in eff))
    rows = []
    for arm in arms:
        for i, l1 in enumerate(lines):
            for l2 in lines[i + 1:]:
                if (l1, arm) not in eff or (l2, arm) not in eff:
                    continue
                (e1, s1, d1), (e2, s2, d2) = eff[(l1, arm)], eff[(l2, arm)]
                est, se = e2 - e1, float(np.hypot(s1, s2))
                df = se**4 / (s1**4 / d1 + s2**4 / d2) if se > 0 else np.nan
                q = stats.t.ppf(0.5 + level / 2, df)
                t = est / se if se > 0 else np.nan
                rows.append({
                    "arm": arm, "cell_line_a": l1, "cell_line_b": l2,
                    "effect_a_per_day": e1, "effect_b_per_day": e2,
                    "interaction_per_day": est, "se": se, "df": df,
                    "ci_low": est - q * se, "ci_high": est + q * se, "t": t,
                    "p_value": float(2 * stats.t.sf(abs(t), df)) if np.isfinite(t) else np.nan,
                })
    out = pd.DataFrame(rows)
    if len(out):
        out["p_adjusted"] = adjust_pvalues(out["p_value"], p_adjust)
        out["p_adjust_method"] = p_adjust
    return out
