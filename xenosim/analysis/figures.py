"""Figures for the arm comparison: growth curves, spaghetti, waterfall, Kaplan–Meier, forest plot,
synergy over time and mechanism panels. One panel per cell line; colours from xenosim.core.style.

Every function returns a matplotlib Figure (Agg backend); the caller saves and closes it.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

from xenosim.analysis.mechanism import IHC_LABELS, SHARE_COLUMNS, SHARE_LABELS  # noqa: E402
from xenosim.analysis.stats import MIN_FRACTION_PRESENT  # noqa: E402
from xenosim.core.style import CB_PALETTE, CELL_LINE_TITLES, ER_SHARE_COLOURS, apply_style  # noqa: E402,F401
from xenosim.core.style import assign_arm_colours as style_assign  # noqa: E402

DAY_LABEL = "days since randomisation"
VOLUME_LABEL = "tumour volume (mm³)"
RTV_LABEL = "relative tumour volume (V / V₀)"
SHARE_COLOURS = ER_SHARE_COLOURS  # one scheme: report, teaching page and lessons

Labeller = Callable[[str, str], str]



_ASSIGNED: dict[str, str] = {}
_LABELS: dict[str, str] = {}


def assign_arm_colours(arms, labels: dict[str, str] | None = None) -> dict[str, str]:
    """Start a figure set: one colour per arm (``core.style.assign_arm_colours``: the paper's arms
    keep their fixed colours, others take the next free colour-blind-safe one, never shared)
    and the arms' display labels (a run's config labels; the arm name otherwise)."""
    out = style_assign(arms)
    _ASSIGNED.clear()
    _ASSIGNED.update(out)
    _LABELS.clear()
    _LABELS.update(labels or {})
    return out


def arm_colour(arm: str) -> str:
    """The colour assigned to ``arm`` for the current figure set (fixed or first free)."""
    if arm not in _ASSIGNED:
        _ASSIGNED.update(style_assign([*_ASSIGNED, arm]))
    return _ASSIGNED[arm]


_colour = arm_colour


def arm_label(arm: str) -> str:
    """Display label of an arm in the current figure set."""
    return _LABELS.get(arm, arm)


def line_title(cell_line: str) -> str:
    """Display title of a cell line (the same in run and analysis figures)."""
    return CELL_LINE_TITLES.get(cell_line, cell_line)


def endpoint_crossing(days: np.ndarray, volumes_mm3: np.ndarray,
                      endpoint_mm3: float) -> tuple[float, float]:
    """(day, volume) where a tumour crossed the endpoint: log-linear interpolation between the
    last reading below it and the first at or above it (that reading if none was below)."""
    above = np.nonzero(volumes_mm3 >= endpoint_mm3)[0]
    if not len(above):
        return float(days[-1]), float(volumes_mm3[-1])
    k = above[0]
    if k == 0 or volumes_mm3[k - 1] <= 0:
        return float(days[k]), float(volumes_mm3[k])
    lv0, lv1 = np.log(volumes_mm3[k - 1]), np.log(volumes_mm3[k])
    f = (np.log(endpoint_mm3) - lv0) / (lv1 - lv0)
    return float(days[k - 1] + f * (days[k] - days[k - 1])), float(endpoint_mm3)


def _panels(n: int, *, width: float = 5.6, height: float = 4.2, sharey: bool = True,
            nrows: int = 1):
    apply_style()
    ncols = int(np.ceil(n / nrows))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             sharey=sharey, squeeze=False)
    return fig, axes.ravel()


def _log_axis(ax) -> None:
    """Log y axis with readable plain-number ticks at 1, 2, 5 × 10^k."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _legend_right(fig, handles, title=None):
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False,
               title=title)


def _arm_handles(arms):
    return [Line2D([0], [0], color=_colour(a), lw=2.5, label=arm_label(a)) for a in arms]


def growth_curves(
    curves: pd.DataFrame,
    arms_by_line: dict[str, list[str]],
    *,
    value: str = "volume",
    log_scale: bool = False,
    endpoint_volume_mm3: float | None = None,
) -> plt.Figure:
    """Mean ± SEM per arm over time (volume or RTV), drawn while ≥ half the arm's mice remain."""
    lines = list(arms_by_line)
    fig, axes = _panels(len(lines))
    col, sem, ylabel = (
        ("mean_volume_mm3", "sem_volume_mm3", VOLUME_LABEL)
        if value == "volume"
        else ("mean_rtv", "sem_rtv", RTV_LABEL)
    )
    all_arms = []
    for ax, cl in zip(axes, lines, strict=False):
        for arm in arms_by_line[cl]:
            g = curves[(curves["cell_line"] == cl) & (curves["arm"] == arm)]
            g = g[g["fraction_present"] >= MIN_FRACTION_PRESENT].sort_values("day")
            if g.empty:
                continue
            c = _colour(arm)
            ax.errorbar(g["day"], g[col], yerr=g[sem].fillna(0), color=c, lw=2, marker="o",
                        ms=4, capsize=3, label=arm_label(arm))
            all_arms.append(arm)
        if value == "volume" and endpoint_volume_mm3:
            ax.axhline(endpoint_volume_mm3, color="0.4", ls=":", lw=1)
            ax.annotate("endpoint", (0.01, endpoint_volume_mm3), xycoords=("axes fraction", "data"),
                        va="bottom", fontsize=8, color="0.3")
        if value == "rtv":
            ax.axhline(1.0, color="0.5", lw=0.8)
        if log_scale:
            _log_axis(ax)
        ax.set_title(line_title(cl) if len(lines) > 1 else "")
        ax.set_xlabel(DAY_LABEL)
        ax.set_ylabel(ylabel)
    for ax in axes[len(lines):]:
        ax.set_visible(False)
    _legend_right(fig, _arm_handles(dict.fromkeys(all_arms)), "arm")
    what = "tumour volume" if value == "volume" else "relative tumour volume"
    fig.suptitle(f"Mean {what} ± SEM per arm (days with ≥ 50 % of the arm's mice)", y=1.02)
    fig.tight_layout()
    return fig


def spaghetti(
    meas: pd.DataFrame,
    mice: pd.DataFrame,
    arms_by_line: dict[str, list[str]],
    endpoint_volume_mm3: float,
) -> plt.Figure:
    """Every mouse's measured volume (log scale); take phase in grey, endpoint removals marked ×."""
    apply_style()
    lines = list(arms_by_line)
    ncols = max(len(a) for a in arms_by_line.values())
    fig, axes = plt.subplots(len(lines), ncols, figsize=(3.3 * ncols, 3.0 * len(lines)),
                             sharex=True, sharey=True, squeeze=False)
    events = mice.set_index("mouse")["event"]
    for i, cl in enumerate(lines):
        for j in range(ncols):
            ax = axes[i, j]
            if j >= len(arms_by_line[cl]):
                ax.set_visible(False)
                continue
            arm = arms_by_line[cl][j]
            c = _colour(arm)
            sub = meas[(meas["cell_line"] == cl) & (meas["arm"] == arm)]
            for mouse, g in sub.groupby("mouse"):
                g = g.sort_values("day")
                pre, post = g[g["day"] <= 0], g[g["day"] >= 0]
                ax.plot(pre["day"], np.maximum(pre["volume_mm3"], 1), color="0.65", lw=0.8)
                ax.plot(post["day"], np.maximum(post["volume_mm3"], 1), color=c, lw=1.1,
                        alpha=0.85)
                if events.get(mouse) == "endpoint" and len(post):
                    ax.plot(*endpoint_crossing(post["day"].to_numpy(float),
                                               post["volume_mm3"].to_numpy(float),
                                               endpoint_volume_mm3), "x", color="k", ms=6)
            ax.axhline(endpoint_volume_mm3, color="0.4", ls=":", lw=1)
            ax.axvline(0, color="0.5", lw=0.8)
            _log_axis(ax)
            n = sub["mouse"].nunique()
            ax.set_title(f"{arm_label(arm)} (n={n})", fontsize=10, color=c)
            if j == 0:
                ax.set_ylabel(f"{line_title(cl)}\n{VOLUME_LABEL}" if len(lines) > 1 else VOLUME_LABEL,
                              fontsize=9)
            if i == len(lines) - 1:
                ax.set_xlabel(DAY_LABEL, fontsize=9)
    handles = [Line2D([0], [0], color="0.65", lw=1, label="take phase (before day 0)"),
               Line2D([0], [0], color="k", marker="x", lw=0, label="reached endpoint"),
               Line2D([0], [0], color="0.4", ls=":", label="endpoint volume")]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3,
               frameon=False)
    fig.suptitle("Tumour volume of every mouse", y=1.01)
    fig.tight_layout()
    return fig


def waterfall(per_mouse: pd.DataFrame, arms_by_line: dict[str, list[str]],
              clip_pct: float = 300.0) -> plt.Figure:
    """Best % volume change per mouse (mRECIST BestResponse), sorted, coloured by arm."""
    lines = list(arms_by_line)
    apply_style()
    fig, axes = plt.subplots(len(lines), 1, figsize=(max(7.0, 0.16 * per_mouse.shape[0] /
                             max(len(lines), 1) + 3), 3.6 * len(lines)), squeeze=False)
    for ax, cl in zip(axes[:, 0], lines, strict=True):
        sub = per_mouse[per_mouse["cell_line"] == cl].dropna(subset=["best_pct_change"])
        sub = sub.sort_values("best_pct_change", ascending=False)
        y = sub["best_pct_change"].to_numpy()
        x = np.arange(len(sub))
        ax.bar(x, np.clip(y, -100, clip_pct), color=[_colour(a) for a in sub["arm"]],
               width=0.85)
        for xi, yi in zip(x, y, strict=True):
            if yi > clip_pct:
                ax.text(xi, clip_pct, f"{yi:.0f}", rotation=90, ha="center", va="bottom",
                        fontsize=7)
        ax.axhline(0, color="k", lw=0.8)
        ax.axhline(35, color="0.4", ls="--", lw=0.8)
        ax.axhline(-50, color="0.4", ls=":", lw=0.8)
        ax.set_xticks([])
        ax.set_xlim(-1, max(len(sub), 1))
        top = min(clip_pct, max(float(np.nanmax(y)) if len(y) else 0.0, 45.0))
        ax.set_ylim(-105, top * 1.18)
        ax.set_ylabel("best change in volume (%)")
        ax.set_xlabel("mice, sorted by best response")
        if len(lines) > 1:
            ax.set_title(line_title(cl))
    arms = list(dict.fromkeys(a for cl in lines for a in arms_by_line[cl]))
    handles = [Patch(color=_colour(a), label=arm_label(a)) for a in arms]
    handles += [Line2D([0], [0], color="0.4", ls="--", label="+35 % (mSD / mPD limit)"),
                Line2D([0], [0], color="0.4", ls=":", label="−50 % (mPR limit)")]
    _legend_right(fig, handles)
    fig.suptitle(f"Waterfall: best % change from baseline (from day ≥ 10; bars clipped at "
                 f"+{clip_pct:.0f} %, value printed)", y=1.02)
    fig.tight_layout()
    return fig


def numbers_at_risk(km_arm: pd.DataFrame, times) -> list[int]:
    """Mice still at risk (on study, endpoint not yet reached) at each of ``times``: those whose
    event or censoring time is at or after t, from one arm's Kaplan–Meier rows (each mouse is
    counted once, at the step where it had its event or was censored)."""
    t = km_arm["time_days"].to_numpy(float)
    leaving = (km_arm["n_events"] + km_arm["n_censored"]).to_numpy(int)
    return [int(leaving[t >= x].sum()) for x in times]


def _km_panel(ax, km, summary, cl, arms, p_vs_control) -> list:
    """One cell line's curves (offset slightly so overlapping arms stay visible); legend handles."""
    handles = []
    k = len(arms)
    for i, arm in enumerate(arms):
        g = km[(km["cell_line"] == cl) & (km["arm"] == arm)].sort_values("time_days")
        if g.empty:
            continue
        c = _colour(arm)
        g = g.assign(survival=g["survival"] + (i - (k - 1) / 2) * 0.007)
        ax.step(g["time_days"], g["survival"], where="post", color=c, lw=2)
        ax.fill_between(g["time_days"], g["ci_low"], g["ci_high"], step="post", color=c,
                        alpha=0.10, lw=0)
        cens = g[g["n_censored"] > 0]
        ax.plot(cens["time_days"], cens["survival"], "|", color=c, ms=10, mew=1.5)
        s = summary[(summary["cell_line"] == cl) & (summary["arm"] == arm)].iloc[0]
        med = f"median {s['median_days']:.0f} d" if s["median_reached"] else "median n.r."
        p = p_vs_control.get((cl, arm))
        ptxt = f", log-rank {_p(p)} vs control" if p is not None else ""
        handles.append(Line2D([0], [0], color=c, lw=2, label=f"{arm_label(arm)}: {med}{ptxt}"))
    ax.set_ylim(-0.03, 1.05)
    if not summary.loc[summary["cell_line"] == cl, "n_endpoint"].sum():
        ax.text(0.5, 0.45, "no events: no mouse reached the endpoint\n(every mouse censored)",
                transform=ax.transAxes, ha="center", fontsize=9, color="0.3")
    return handles


def _at_risk_table(rax, ax, km, cl, arms) -> None:
    """Numbers at risk under the curves, at the curve axis's day ticks, one row per arm."""
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi and t >= 0]
    rax.set_xlim(lo, hi)
    rax.set_ylim(-0.5, len(arms) - 0.5)
    for row, arm in enumerate(arms):
        g = km[(km["cell_line"] == cl) & (km["arm"] == arm)]
        y = len(arms) - 1 - row
        for t, n in zip(ticks, numbers_at_risk(g, ticks), strict=True):
            rax.text(t, y, str(n), ha="center", va="center", fontsize=8, color=_colour(arm))
        rax.text(lo - 0.02 * (hi - lo), y, arm_label(arm), ha="right", va="center", fontsize=8,
                 color=_colour(arm))
    rax.set_title("number at risk", fontsize=8, loc="left", color="0.3")
    rax.axis("off")


def kaplan_meier(km: pd.DataFrame, summary: pd.DataFrame, arms_by_line: dict[str, list[str]],
                 endpoint_volume_mm3: float, p_vs_control: dict | None = None) -> plt.Figure:
    """Kaplan–Meier curves of time to the volume endpoint, censoring ticked, median in legend,
    numbers at risk under each panel and a note on a panel without events."""
    apply_style()
    lines = list(arms_by_line)
    n_leg = max(len(a) for a in arms_by_line.values())
    fig, axes = plt.subplots(2, len(lines), figsize=(6.2 * len(lines), 4.4 + 0.5 * n_leg),
                             squeeze=False, sharey="row",
                             gridspec_kw={"height_ratios": [4.0, 0.22 * n_leg + 0.3]})
    for j, cl in enumerate(lines):
        ax = axes[0, j]
        handles = _km_panel(ax, km, summary, cl, arms_by_line[cl], p_vs_control or {})
        ax.set_xlabel(DAY_LABEL)
        if j == 0:
            ax.set_ylabel(f"fraction of mice below {endpoint_volume_mm3:g} mm³")
        ax.set_title(line_title(cl) if len(lines) > 1 else "")
        _at_risk_table(axes[1, j], ax, km, cl, arms_by_line[cl])
        # the legend right under the numbers at risk (its own row of the grid left a gap)
        axes[1, j].legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08),
                          fontsize=8.5, frameon=False)
    fig.suptitle("Time to volume endpoint (Kaplan–Meier, 95 % CI; | = censored; "
                 "n.r. = not reached; curves offset slightly to stay visible)", y=1.0)
    fig.tight_layout()
    return fig


def _p(p: float) -> str:
    if p is None or not np.isfinite(p):
        return "p n/a"
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def forest(contrasts: pd.DataFrame, lines: list[str]) -> plt.Figure:
    """Pairwise growth-rate differences (mixed model) with CI and adjusted p, per cell line."""
    apply_style()
    n_rows = [int((contrasts["cell_line"] == cl).sum()) for cl in lines]
    longest = max([len(arm_label(a)) for a in contrasts.get("arm_a", [])] + [10])
    width = 6.0 + 0.12 * 2 * longest  # room for the "B − A" labels, the data panel keeps ~5 in
    fig, axes = plt.subplots(len(lines), 1, figsize=(width, sum(0.42 * n + 1.3 for n in n_rows)),
                             squeeze=False,
                             gridspec_kw={"height_ratios": [max(n, 1) + 2 for n in n_rows]})
    for ax, cl in zip(axes[:, 0], lines, strict=True):
        sub = contrasts[contrasts["cell_line"] == cl].reset_index(drop=True)
        y = np.arange(len(sub))[::-1]
        for yi, (_, r) in zip(y, sub.iterrows(), strict=True):
            c = _colour(r["arm_b"])
            ax.plot([r["ci_low"], r["ci_high"]], [yi, yi], color=c, lw=2)
            ax.plot(r["difference_per_day"], yi, "o", color=c, ms=7, mec="k", mew=0.5)
            ax.annotate(_p(r["p_adjusted"]), (1.01, yi), xycoords=("axes fraction", "data"),
                        va="center", fontsize=8)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels([f"{arm_label(r.arm_b)} − {arm_label(r.arm_a)}"
                            for r in sub.itertuples()], fontsize=9)
        ax.set_ylim(-0.8, len(sub) - 0.2)
        ax.set_xlabel("difference in growth rate (ln V per day), 95 % CI")
        ax.set_title(line_title(cl) if len(lines) > 1 else "", fontsize=11)
    method = contrasts["p_adjust_method"].iloc[0] if len(contrasts) else ""
    fig.suptitle(f"Growth-rate contrasts from the mixed model (arm × day; {method}-adjusted p)",
                 y=1.0)
    fig.tight_layout()
    return fig


def synergy(syn: pd.DataFrame, line_order: list[str] | None = None) -> plt.Figure:
    """Bliss (log relative volume) and HSA excess growth-rate reduction over time, t-based 95 % CI.
    Panels follow ``line_order`` (the run's cell-line order, as in every other figure)."""
    present = list(dict.fromkeys(syn["cell_line"]))
    lines = [cl for cl in (line_order or []) if cl in present] + [
        cl for cl in present if cl not in (line_order or [])]
    fig, axes = _panels(len(lines), width=6.0)
    styles = {"bliss": ("#0072b2", "Bliss independence (log RTV)"),
              "hsa": ("#d55e00", "highest single agent")}
    for ax, cl in zip(axes, lines, strict=False):
        for metric, (c, name) in styles.items():
            g = syn[(syn["cell_line"] == cl) & (syn["metric"] == metric)].sort_values("day")
            ax.fill_between(g["day"], g["ci_low"], g["ci_high"], color=c, alpha=0.18, lw=0)
            ax.plot(g["day"], g["excess"], "-o", color=c, ms=4, lw=2, label=name)
            sig = g[g["p_value"] < 0.05]
            ax.plot(sig["day"], sig["excess"], "*", color="k", ms=8, lw=0)
        ax.axhline(0, color="k", lw=0.8)
        r = syn[syn["cell_line"] == cl].iloc[0]
        what = (f"{arm_label(r['arm_ab'])} vs {arm_label(r['arm_a'])}, "
                f"{arm_label(r['arm_b'])}")
        ax.set_title(f"{line_title(cl)}: {what}" if len(lines) > 1 else what, fontsize=10)
        ax.set_xlabel(DAY_LABEL + " (rates fitted from day 0 to this day)")
        ax.set_ylabel("excess growth-rate reduction, ln V /day\n(observed − expected)")
        ax.legend(handles=[*ax.get_legend_handles_labels()[0],
                           Line2D([0], [0], marker="*", color="k", lw=0, label="p < 0.05")],
                  fontsize=8, loc="best")
    for ax in axes[len(lines):]:
        ax.set_visible(False)
    fig.suptitle("Combination synergy (> 0: combination slows growth more than expected)", y=1.02)
    fig.tight_layout()
    return fig


#: The mechanism figure's rows: viable-cell mean activities (0-1), those ``cells.csv`` has.
ACTIVITY_ROWS = (("mean_akt", "Akt activity (mean, 0-1)"),
                 ("mean_mtorc1", "mTORC1 activity (mean, 0-1)"),
                 ("mean_er_activity", "ER activity (mean, 0-1)"))
#: One marker per arm (in arm order), so arms whose lines lie on top of each other stay apart.
ARM_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def mechanism_activities(mech: pd.DataFrame, arms_by_line: dict[str, list[str]]) -> plt.Figure:
    """Mean Akt, mTORC1 and ER activity of the viable tumour cells per arm over time (mean ± SEM
    over mice): continuous readouts, where the fractions of 'high' cells above a fixed
    threshold were nearly all 0 or 1."""
    apply_style()
    lines = [cl for cl in arms_by_line if (mech["cell_line"] == cl).any()]
    rows = [(col, lab) for col, lab in ACTIVITY_ROWS if col in mech.columns]
    fig, axes = plt.subplots(len(rows), len(lines),
                             figsize=(5.6 * len(lines), 2.9 * len(rows) + 0.9), sharex=True,
                             sharey="row", squeeze=False)
    every_arm = dict.fromkeys(a for cl in lines for a in arms_by_line[cl])
    marker_of = {a: ARM_MARKERS[k % len(ARM_MARKERS)] for k, a in enumerate(every_arm)}
    arms_seen = []
    for j, cl in enumerate(lines):
        for i, (col, lab) in enumerate(rows):
            ax = axes[i, j]
            for arm in arms_by_line[cl]:
                g = mech[(mech["cell_line"] == cl) & (mech["arm"] == arm)].sort_values("day")
                if g.empty:
                    continue
                c = _colour(arm)
                ax.plot(g["day"], g[col], color=c, lw=1.6, marker=marker_of[arm], ms=3.5)
                ax.fill_between(g["day"], g[col] - g[f"sem_{col}"].fillna(0),
                                g[col] + g[f"sem_{col}"].fillna(0), color=c, alpha=0.2, lw=0)
                arms_seen.append(arm)
            ax.axvline(0, color="0.5", lw=0.8)
            ax.set_ylim(-0.02, 1.02)
            if j == 0:
                ax.set_ylabel(lab)
            if i == 0:
                ax.set_title(line_title(cl))
            if i == len(rows) - 1:
                ax.set_xlabel(DAY_LABEL)
    seen = dict.fromkeys(arms_seen)
    handles = _arm_handles(seen)
    for arm, h in zip(seen, handles, strict=True):  # the legend shows each arm's marker too
        h.set_marker(marker_of[arm])
    _legend_right(fig, handles, "arm")
    fig.suptitle("Signalling state of viable tumour cells (mean ± SEM over mice; day 0 = first "
                 "treatment)", y=1.01)
    fig.tight_layout()
    return fig


def er_shares(mech: pd.DataFrame, arms_by_line: dict[str, list[str]]) -> plt.Figure:
    """Mean ER activity split into E2-driven, tamoxifen-driven and Ser167 shares (stacked)."""
    apply_style()
    lines = [cl for cl in arms_by_line if (mech["cell_line"] == cl).any()]
    ncols = max(len(arms_by_line[cl]) for cl in lines)
    fig, axes = plt.subplots(len(lines), ncols, figsize=(3.2 * ncols, 3.0 * len(lines)),
                             sharex=True, sharey=True, squeeze=False)
    for i, cl in enumerate(lines):
        for j in range(ncols):
            ax = axes[i, j]
            if j >= len(arms_by_line[cl]):
                ax.set_visible(False)
                continue
            arm = arms_by_line[cl][j]
            g = mech[(mech["cell_line"] == cl) & (mech["arm"] == arm)].sort_values("day")
            if len(g):
                ax.stackplot(g["day"], *[g[c] for c in SHARE_COLUMNS],
                             colors=[SHARE_COLOURS[c] for c in SHARE_COLUMNS], alpha=0.85)
                ax.plot(g["day"], g["mean_er_activity"], color="k", lw=1)
            ax.axvline(0, color="0.3", lw=0.8, ls=":")
            ax.set_title(arm_label(arm), fontsize=10, color=_colour(arm))
            if j == 0:
                ax.set_ylabel(f"{line_title(cl)}\nmean ER activity" if len(lines) > 1 else
                              "mean ER activity", fontsize=9)
            if i == len(lines) - 1:
                ax.set_xlabel(DAY_LABEL, fontsize=9)
    handles = [Patch(color=SHARE_COLOURS[c], label=SHARE_LABELS[c]) for c in SHARE_COLUMNS]
    handles.append(Line2D([0], [0], color="k", lw=1, label="total ER activity"))
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4,
               frameon=False)
    fig.suptitle("Where ER transcriptional activity comes from, per arm (mean over mice)",
                 y=1.01)
    fig.tight_layout()
    return fig


def key_comparison(curves: pd.DataFrame, lines: list[str], arms: list[str]) -> plt.Figure:
    """Relative tumour volume (log) of the key arms, one panel per cell line shown."""
    fig, axes = _panels(len(lines), width=5.4)
    for ax, cl in zip(axes, lines, strict=False):
        for arm in arms:
            g = curves[(curves["cell_line"] == cl) & (curves["arm"] == arm)]
            g = g[g["fraction_present"] >= MIN_FRACTION_PRESENT].sort_values("day")
            if g.empty:
                continue
            ax.errorbar(g["day"], g["mean_rtv"], yerr=g["sem_rtv"].fillna(0),
                        color=_colour(arm), lw=2, marker="o", ms=4, capsize=3, label=arm_label(arm))
        ax.axhline(1, color="0.5", lw=0.8)
        _log_axis(ax)
        ax.set_title(line_title(cl))
        ax.set_xlabel(DAY_LABEL)
        ax.set_ylabel(RTV_LABEL)
        ax.legend(fontsize=8)
    for ax in axes[len(lines):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def compare_overlay(curves_a: pd.DataFrame, curves_b: pd.DataFrame, label_a: str, label_b: str,
                    arms_by_line: dict[str, list[str]]) -> plt.Figure:
    """Mean RTV ± SEM of two runs: run A solid, run B dashed, arms coloured as everywhere."""
    lines = list(arms_by_line)
    fig, axes = _panels(len(lines), width=6.0)
    for ax, cl in zip(axes, lines, strict=False):
        for curves, ls, mk in ((curves_a, "-", "o"), (curves_b, "--", "s")):
            for arm in arms_by_line[cl]:
                g = curves[(curves["cell_line"] == cl) & (curves["arm"] == arm)]
                g = g[g["fraction_present"] >= MIN_FRACTION_PRESENT].sort_values("day")
                if g.empty:
                    continue
                ax.errorbar(g["day"], g["mean_rtv"], yerr=g["sem_rtv"].fillna(0),
                            color=_colour(arm), ls=ls, marker=mk, ms=3.5, lw=1.8, capsize=2)
        ax.axhline(1, color="0.5", lw=0.8)
        _log_axis(ax)
        ax.set_title(line_title(cl) if len(lines) > 1 else "")
        ax.set_xlabel(DAY_LABEL)
        ax.set_ylabel(RTV_LABEL)
    for ax in axes[len(lines):]:
        ax.set_visible(False)
    arms = list(dict.fromkeys(a for cl in lines for a in arms_by_line[cl]))
    handles = _arm_handles(arms) + [
        Line2D([0], [0], color="k", ls="-", marker="o", label=f"A: {label_a}"),
        Line2D([0], [0], color="k", ls="--", marker="s", label=f"B: {label_b}"),
    ]
    _legend_right(fig, handles)
    fig.suptitle("Run A vs run B: mean relative tumour volume ± SEM", y=1.02)
    fig.tight_layout()
    return fig


def compare_rates(table: pd.DataFrame, label_a: str, label_b: str) -> plt.Figure:
    """Growth rate per (cell line, arm) in run A and run B with 95 % CIs."""
    apply_style()
    n = len(table)
    fig, ax = plt.subplots(figsize=(8.0, 0.45 * n + 1.6))
    y = np.arange(n)[::-1]
    for yi, r in zip(y, table.itertuples(), strict=True):
        c = _colour(r.arm)
        ax.plot([r.rate_a_ci_low, r.rate_a_ci_high], [yi + 0.15] * 2, color=c, lw=2)
        ax.plot(r.rate_a, yi + 0.15, "o", color=c, mec="k", mew=0.5)
        ax.plot([r.rate_b_ci_low, r.rate_b_ci_high], [yi - 0.15] * 2, color=c, lw=2, ls="--")
        ax.plot(r.rate_b, yi - 0.15, "s", color="white", mec=c, mew=1.5)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{line_title(r.cell_line)} · {arm_label(r.arm)}"
                        for r in table.itertuples()], fontsize=9)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("specific growth rate (ln V per day), mean of mice, 95 % CI")
    ax.legend(handles=[Line2D([0], [0], color="k", marker="o", label=f"A: {label_a}"),
                       Line2D([0], [0], color="k", ls="--", marker="s", mfc="white",
                              label=f"B: {label_b}")], loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def model_diagnostics(models: dict, arms_by_line: dict[str, list[str]],
                      n_label: int = 3) -> plt.Figure:
    """Mixed-model checks, one row per cell line: residuals vs fitted, per-mouse random effects
    (intercept vs slope), Cook's distance per mouse (largest labelled; dotted: 4 / n mice) and
    observed vs predicted ln V (with the mouse's random effects)."""
    apply_style()
    lines = [cl for cl in arms_by_line if cl in models and models[cl].observations is not None]
    fig, axes = plt.subplots(len(lines), 4, figsize=(17, 3.7 * len(lines)), squeeze=False)
    for i, cl in enumerate(lines):
        m, row = models[cl], axes[i]
        obs, eff = m.observations, m.mouse_effects
        for arm in arms_by_line[cl]:
            o = obs[obs["arm"] == arm]
            row[0].scatter(o["fitted"], o["residual"], s=9, color=_colour(arm), alpha=0.7)
            row[3].scatter(o["fitted"], o["observed"], s=9, color=_colour(arm), alpha=0.7)
            if eff is not None:
                e = eff[eff["arm"] == arm]
                row[1].scatter(e["re_intercept"], e["re_slope_per_day"], s=18,
                               color=_colour(arm))
        row[0].axhline(0, color="k", lw=0.8)
        row[0].set(xlabel="fitted ln V", ylabel="residual (ln units)")
        lo, hi = obs["fitted"].min(), obs["fitted"].max()
        row[3].plot([lo, hi], [lo, hi], color="k", lw=0.8)
        row[3].set(xlabel="predicted ln V (with mouse effects)", ylabel="observed ln V")
        row[1].set(xlabel="random intercept (ln mm³)", ylabel="random slope (/day)")
        _cooks_panel(row[2], eff, n_label)
        row[0].set_title(f"{line_title(cl)}: residuals vs fitted" if len(lines) > 1
                         else "residuals vs fitted", fontsize=10)
        row[1].set_title("per-mouse random effects", fontsize=10)
        row[2].set_title("influence (Cook's distance)", fontsize=10)
        row[3].set_title("observed vs predicted", fontsize=10)
    arms = list(dict.fromkeys(a for cl in lines for a in arms_by_line[cl]))
    _legend_right(fig, _arm_handles(arms), "arm")
    fig.suptitle("Mixed-model diagnostics (one row per cell line)", y=1.01)
    fig.tight_layout()
    return fig


def _cooks_panel(ax, eff: pd.DataFrame | None, n_label: int) -> None:
    if eff is None or eff.empty or not eff["cooks_distance"].notna().any():
        ax.text(0.5, 0.5, "not available\n(no mixed-model fit)", ha="center",
                transform=ax.transAxes, fontsize=9, color="0.3")
        ax.set_xticks([])
        return
    e = eff.reset_index(drop=True)
    ax.bar(np.arange(len(e)), e["cooks_distance"].fillna(0),
           color=[_colour(a) for a in e["arm"]], width=0.8)
    ax.axhline(4.0 / len(e), color="0.4", ls=":", lw=1)
    for k in e["cooks_distance"].nlargest(n_label).index:
        name = str(e.loc[k, "mouse"])  # the arm shows by colour: a run's ids end in the number
        ax.annotate(name.rsplit("-", 1)[-1] if len(name) > 8 else name,
                    (k, e.loc[k, "cooks_distance"]), ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, 1.18 * max(float(e["cooks_distance"].max()), 4.0 / len(e)))
    ax.set_xticks([])
    ax.set(xlabel="mice (model order)", ylabel="Cook's distance")


def ihc_boxplots(ihc: pd.DataFrame, arms_by_line: dict[str, list[str]]) -> plt.Figure:
    """Virtual IHC at study end: per-arm box plots (one point per mouse at its last caliper day)
    of each index, rows = cell lines, as a pathologist scores sections."""
    apply_style()
    # pS6 / pAkt as graded H-scores where the table has them (the positive-cell indices stay
    # in the tables)
    graded = {"ps6_index": "ps6_hscore", "pakt_index": "pakt_hscore"}
    cols = [c for c in IHC_LABELS if c in ihc.columns and c not in
            ("frac_adapted", "frac_esr1_mutant")
            and not (c in graded and graded[c] in ihc.columns)]
    lines = [cl for cl in arms_by_line if (ihc["cell_line"] == cl).any()]
    fig, axes = plt.subplots(len(lines), len(cols), figsize=(3.3 * len(cols), 3.9 * len(lines)),
                             squeeze=False, layout="constrained")
    rng = np.random.default_rng(0)  # jitter of the mouse points only
    for i, cl in enumerate(lines):
        sub = ihc[ihc["cell_line"] == cl]
        arms = [a for a in arms_by_line[cl] if (sub["arm"] == a).any()]
        for j, col in enumerate(cols):
            ax = axes[i][j]
            data = [sub.loc[sub["arm"] == a, col].dropna().to_numpy() for a in arms]
            bp = ax.boxplot(data, patch_artist=True, widths=0.6, showfliers=False)
            for k, (patch, arm) in enumerate(zip(bp["boxes"], arms, strict=True)):
                patch.set_facecolor(_colour(arm))
                patch.set_alpha(0.45)
                ax.scatter(k + 1 + rng.uniform(-0.15, 0.15, len(data[k])), data[k], s=9,
                           color=_colour(arm), zorder=3)
            ax.set_xticks(range(1, len(arms) + 1), [arm_label(a) for a in arms], rotation=40,
                          ha="right", fontsize=7)
            hscore = col.endswith("_hscore")  # 0-300 (intensity 0-3 x % of cells)
            ax.set_ylim(0, 300 if hscore else 1)
            ax.set_title(f"{line_title(cl)}: {IHC_LABELS[col]}", fontsize=9)
            if j == 0 or hscore:
                ax.set_ylabel("H-score (0-300)" if hscore else "fraction of cells")
    fig.suptitle("Virtual IHC at each mouse's last caliper day (simulation readout; one point "
                 "per mouse)")
    return fig
