"""The published findings the model is checked against, written once.

Each :class:`Finding` states a finding, its source, whether the model was calibrated to it (then
it is not independent evidence), and a check: a function of one simulated default study that
returns the model's value and whether the finding holds. ``tests/test_validation.py`` asserts
these checks on one study; ``xenosim qualify`` runs them over several seeds and writes the
validation dossier (value per seed, pass rate, calibration flag).

Statistics are over mice, as a lab would compute them: fold change of caliper volume at a day
(or the mouse's last day before it) over day 0, and per-mouse specific growth rates (log-linear
fit of true volume over the treatment phase).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats

from xenosim.core.findings import Finding, Outcome


# ---- statistics over mice ----------------------------------------------------------------------
def _treatment(res):
    return res.measurements.query("day >= 0")


def fold_at(res, line: str, arm: str, day: float) -> np.ndarray:
    """Per-mouse caliper volume at ``day`` (or the mouse's last day before it) over day 0."""
    m = _treatment(res).query("cell_line == @line and arm == @arm and day <= @day")
    first = m[m.day == 0].set_index("mouse").volume_mm3
    last = m.sort_values("day").groupby("mouse").tail(1).set_index("mouse").volume_mm3
    return (last / first).to_numpy()


def growth_rates(res, line: str, arm: str) -> np.ndarray:
    """Per-mouse specific growth rate (1/day): log-linear fit of true volume over treatment."""
    m = _treatment(res).query("cell_line == @line and arm == @arm")
    return np.array([np.polyfit(g.day, np.log(g.true_volume_mm3), 1)[0]
                     for _, g in m.groupby("mouse") if len(g) >= 3])


def cells_at(res, line: str, arm: str, day: float):
    c = res.cells
    return c[(c.cell_line == line) & (c.arm == arm) & (c.day == day)]


# ---- the checks ----------------------------------------------------------------------------------
def _e2_doubling(res) -> Outcome:
    fold = float(np.median(fold_at(res, "mcf7_vector", "control", 21)))
    doubling = float(np.median(np.log(2) / growth_rates(res, "mcf7_vector", "control")))
    ok = fold > 2.5 and 7 <= doubling <= 14
    return Outcome(doubling, ok, f"median doubling {doubling:.1f} d (7-14), fold at day 21 "
                                 f"{fold:.2f} (> 2.5)")


def _stasis(arm: str) -> Callable[[object], Outcome]:
    def check(res) -> Outcome:
        fold = fold_at(res, "mcf7_vector", arm, 56)
        control = fold_at(res, "mcf7_vector", "control", 56)
        med, med_c = float(np.median(fold)), float(np.median(control))
        p = float(stats.mannwhitneyu(fold, control, alternative="less").pvalue)
        ok = 0.4 < med < 2.0 and med < med_c / 3 and p < 0.01
        return Outcome(med, ok, f"median fold at day 56 {med:.2f} (0.4-2.0, < control/3 = "
                                f"{med_c / 3:.2f}); Mann-Whitney vs control p {p:.2g}")
    return check


def _akt_grows(arm: str) -> Callable[[object], Outcome]:
    def check(res) -> Outcome:
        akt, vec = fold_at(res, "mcf7_myr_akt", arm, 28), fold_at(res, "mcf7_vector", arm, 28)
        med = float(np.median(akt))
        p = float(stats.mannwhitneyu(akt, vec, alternative="greater").pvalue)
        return Outcome(med, med > 2.0 and p < 0.01,
                       f"myr-Akt median fold at day 28 {med:.2f} (> 2.0); vs vector p {p:.2g}")
    return check


def _combination(res) -> Outcome:
    combo = growth_rates(res, "mcf7_myr_akt", "tamoxifen+cci779")
    ratios, ps = [], []
    for single in ("tamoxifen", "cci779"):
        alone = growth_rates(res, "mcf7_myr_akt", single)
        ps.append(float(stats.mannwhitneyu(combo, alone, alternative="less").pvalue))
        ratios.append(float(np.median(combo) / np.median(alone)))
    ok = max(ps) < 0.01 and max(ratios) < 0.5
    return Outcome(max(ratios), ok, f"median growth rate of the combination / tamoxifen "
                                    f"{ratios[0]:.2f}, / CCI-779 {ratios[1]:.2f} (< 0.5); "
                                    f"p {max(ps):.2g}")


def _rapalog_alone(res) -> Outcome:
    """Growth-rate inhibition by CCI-779 alone (1 - rate / median control rate of the line)."""
    inhib = {}
    for line in ("mcf7_vector", "mcf7_myr_akt"):
        control = float(np.median(growth_rates(res, line, "control")))
        inhib[line] = 1.0 - growth_rates(res, line, "cci779") / control
    p = float(stats.mannwhitneyu(inhib["mcf7_myr_akt"], inhib["mcf7_vector"],
                                 alternative="greater").pvalue)
    med = {line: float(np.median(v)) for line, v in inhib.items()}
    ok = med["mcf7_myr_akt"] > med["mcf7_vector"] and p < 0.05
    return Outcome(med["mcf7_myr_akt"], ok,
                   f"growth-rate inhibition by CCI-779 alone: myr-Akt {100 * med['mcf7_myr_akt']:.0f} "
                   f"%, vector {100 * med['mcf7_vector']:.0f} % (myr-Akt > vector); p {p:.2g}")


def _feedback(res) -> Outcome:
    day = 14
    vec = (cells_at(res, "mcf7_vector", "cci779", day).mean_akt.mean()
           / cells_at(res, "mcf7_vector", "control", day).mean_akt.mean())
    myr = (cells_at(res, "mcf7_myr_akt", "cci779", day).mean_akt.mean()
           / cells_at(res, "mcf7_myr_akt", "control", 0).mean_akt.mean())
    return Outcome(float(vec), vec > 1.2 and abs(myr - 1) < 0.05,
                   f"Akt under CCI-779 / control: vector {vec:.2f} (> 1.2), myr-Akt {myr:.2f} "
                   "(within 5 % of 1)")


def _er_lowered(line: str) -> Callable[[object], Outcome]:
    def check(res) -> Outcome:
        day = 10  # a dosing day: CCI-779 given on days 7-10 (daily x5 every 7 days)
        tam, combo = cells_at(res, line, "tamoxifen", day), cells_at(res, line,
                                                                      "tamoxifen+cci779", day)
        er = float(combo.mean_er_activity.mean() / tam.mean_er_activity.mean())
        s167 = float(combo.er_share_ser167.mean() / tam.er_share_ser167.mean())
        return Outcome(er, er < 0.8 and s167 < 0.5,
                       f"ER output with / without CCI-779 {er:.2f} (< 0.8); Ser167 share "
                       f"{s167:.2f} (< 0.5), day {day}")
    return check


FINDINGS: tuple[Finding, ...] = (
    Finding("e2_xenograft_doubling", "E2-driven MCF-7 xenografts double in ~1-2 weeks",
            "MCF-7 xenograft literature (DESIGN §1)", True, _e2_doubling),
    Finding("vector_stasis_tamoxifen", "tamoxifen holds MCF-7 vector tumours near stasis",
            "Osborne 1985; Shafie 1981; deGraffenried 2004", False, _stasis("tamoxifen")),
    Finding("vector_stasis_withdrawal", "estrogen withdrawal holds MCF-7 vector tumours",
            "Osborne 1985; Shafie 1981", False, _stasis("estrogen_withdrawal")),
    Finding("akt_grows_tamoxifen", "MCF-7 Akt tumours keep growing under tamoxifen",
            "deGraffenried 2004 (finding 2)", False, _akt_grows("tamoxifen")),
    Finding("akt_grows_withdrawal", "MCF-7 Akt tumours grow with reduced estrogen",
            "deGraffenried 2004 (finding 1)", False, _akt_grows("estrogen_withdrawal")),
    Finding("cci779_restores_tamoxifen", "tamoxifen + CCI-779 inhibits Akt tumours clearly "
            "more than either alone", "deGraffenried 2004 (finding 3)", False, _combination),
    Finding("rapalog_sensitivity_akt", "CCI-779 alone inhibits Akt-activated tumours more than "
            "vector tumours", "Neshat 2001; Noh 2004; Gera 2004; Sokolosky 2011", False,
            _rapalog_alone),
    Finding("rapalog_feedback", "a rapalog raises Akt in PI3K-driven (vector) cells, not in "
            "myr-Akt cells", "O'Reilly 2006 (S6K1 -> IRS-1 feedback)", False, _feedback),
    Finding("cci779_lowers_er_vector", "mTOR inhibition lowers ER activity (vector cells)",
            "deGraffenried 2004 (finding 4); Yamnik 2009", False, _er_lowered("mcf7_vector")),
    Finding("cci779_lowers_er_akt", "mTOR inhibition lowers ER activity (myr-Akt cells)",
            "deGraffenried 2004 (finding 4); Yamnik 2009", False, _er_lowered("mcf7_myr_akt")),
)

