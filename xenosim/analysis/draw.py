"""The figure step of ``analyze``: every figure of an arm comparison from the computed tables, as
PNG bytes in memory (written only when everything else has succeeded). Captions live in the
report template (``templates/analysis/report.j2``)."""

from __future__ import annotations

from collections.abc import Callable

from xenosim.analysis import figures as F
from xenosim.analysis.compute import Computed
from xenosim.analysis.order import arm_labels

Encoder = Callable[[object], bytes]


def _p_vs_control(c: Computed) -> dict:
    out = {}
    for r in c.lr.itertuples() if len(c.lr) else ():
        if r.arm_a == c.control_arm:
            out[(r.cell_line, r.arm_b)] = r.p_adjusted
    return out


def draw_figures(c: Computed, png: Encoder, log_scale: bool = False) -> dict[str, bytes]:
    """Figure name → PNG bytes; one figure set (one colour and label per arm throughout)."""
    F.assign_arm_colours([a for arms in c.arm_order.values() for a in arms], arm_labels(c.data))
    endpoint = c.data.endpoint_volume_mm3
    figs = {
        "growth_curves": png(F.growth_curves(c.curves, c.arm_order, value="volume",
                                             log_scale=log_scale, endpoint_volume_mm3=endpoint)),
        "growth_curves_relative": png(F.growth_curves(c.curves, c.arm_order, value="rtv",
                                                      log_scale=True)),
        "spaghetti": png(F.spaghetti(c.data.measurements, c.data.mice, c.arm_order, endpoint)),
        "waterfall": png(F.waterfall(c.mre_mouse, c.arm_order)),
        "kaplan_meier": png(F.kaplan_meier(c.km, c.surv, c.arm_order, endpoint,
                                           _p_vs_control(c))),
        "forest_growth_rate": png(F.forest(c.mm_contrasts, c.lines)),
    }
    if any(m.observations is not None for m in c.models.values()):
        figs["model_diagnostics"] = png(F.model_diagnostics(c.models, c.arm_order))
    if len(c.syn):
        figs["synergy"] = png(F.synergy(c.syn, c.lines))
    if c.key is not None:
        figs["key_comparison"] = png(F.key_comparison(c.curves, c.key["figure_lines"],
                                                      c.key["figure_arms"]))
    if c.mech is not None:
        figs["mechanism_activities"] = png(F.mechanism_activities(c.mech, c.arm_order))
        figs["mechanism_er_shares"] = png(F.er_shares(c.mech, c.arm_order))
    if c.ihc is not None:
        figs["ihc"] = png(F.ihc_boxplots(c.ihc, c.arm_order))
    return figs
