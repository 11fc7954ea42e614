"""One figure set per run: the config's panel and arm order in run and analysis figures, colours
that never collide, endpoint markers at the crossing, numbers at risk, mixed-model influence by
an independent refit, and self-contained HTML reports (no external src / href)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from xenosim.analysis import analyze, load_results_dir, pipeline
from xenosim.analysis import figures as F
from xenosim.analysis.diagnostics import mouse_influence
from xenosim.analysis.order import study_order
from xenosim.analysis.survival import kaplan_meier, time_to_endpoint
from xenosim.analysis.synthetic import simulate_study, write_results_dir
from xenosim.core.style import ARM_COLOURS, CB_PALETTE, assign_arm_colours

# config order deliberately not alphabetical (nor first appearance in the sorted tables)
LINES = ["line_z", "line_a"]
ARMS = ["control", "zeta", "alpha"]


def _study(tmp_path: Path) -> Path:
    rates = {(cl, arm): r for cl in LINES for arm, r in zip(ARMS, (0.08, 0.05, 0.02),
                                                             strict=True)}
    meas, mice, _ = simulate_study(rates, n_per_arm=4, days=np.arange(0, 22, 3.5), seed=3)
    meas = meas.sort_values(["cell_line", "arm", "mouse", "day"])  # first appearance ≠ config
    run = write_results_dir(tmp_path / "run", meas, mice, experiment="order")
    cfg = {"cell_lines": {cl: {} for cl in LINES},
           "arms": {"control": {"label": "Vehicle"}, "zeta": {"label": "Zeta drug"},
                    "alpha": {"label": "Alpha drug"}}}
    (run / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return run


def _titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.get_title()]


# --------------------------------------------------------------------------- colours


def test_eight_unfamiliar_arms_get_eight_palette_colours_in_order():
    arms = ["vehicle", "drug_x", "drug_y", "drug_x+drug_y", "a", "b", "c", "d"]
    col = assign_arm_colours(arms)
    assert len(set(col.values())) == 8
    assert [col[a] for a in arms] == CB_PALETTE[:8]


def test_fixed_colours_kept_and_never_shared_with_new_arms():
    arms = ["control", "tamoxifen", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"]
    col = assign_arm_colours(arms)
    assert col["control"] == ARM_COLOURS["control"] and col["tamoxifen"] == ARM_COLOURS["tamoxifen"]
    assert len(set(col.values())) == len(arms)  # tamoxifen's blue is palette[0]: skipped for u1


# --------------------------------------------------------------------------- order and labels


def test_config_order_reaches_caliper_data_and_the_analysis_order(tmp_path):
    data = load_results_dir(_study(tmp_path))
    assert data.cell_line_order == LINES and data.arm_order == ARMS
    assert study_order(data, "control") == {cl: ARMS for cl in LINES}


def test_analysis_figures_and_tables_follow_the_config_order(tmp_path, monkeypatch):
    run = _study(tmp_path)
    seen = {}

    def capture(fig):
        seen[len(seen)] = _titles(fig)
        import matplotlib.pyplot as plt

        plt.close(fig)
        return b"png"

    monkeypatch.setattr(pipeline, "_png", capture)
    res = analyze(load_results_dir(run), tmp_path / "out", n_boot=50, combination=None,
                  key_comparison=None)
    summary = res.tables["arm_summary"]
    assert list(zip(summary["cell_line"], summary["arm"], strict=True)) == [
        (cl, a) for cl in LINES for a in ARMS]
    names = list(res.figures)
    spaghetti = seen[names.index("spaghetti")]
    assert spaghetti == [f"{lab} (n=4)" for _ in LINES
                         for lab in ("Vehicle", "Zeta drug", "Alpha drug")]
    assert seen[names.index("growth_curves")] == LINES
    assert seen[names.index("kaplan_meier")][:2] == LINES
    html = res.report_html.read_text()
    assert external_links(html) == [] and html.count('src="data:image/png;base64,') == len(seen)
    assert html.index("line_z · Zeta drug") < html.index("line_z · Alpha drug") \
        < html.index("line_a · Vehicle")


def test_run_figures_follow_the_config_order(tmp_path, monkeypatch):
    from xenosim.xenograft import figures as XF

    run = _study(tmp_path)
    meas, mice = pd.read_csv(run / "measurements.csv"), pd.read_csv(run / "mice.csv")
    meas = meas.sort_values(["cell_line", "arm"])  # alphabetical, as tidy_sort leaves it
    figs = []
    monkeypatch.setattr(XF, "_save", lambda fig, path: figs.append(fig) or path)
    order = XF.run_order(meas, LINES, ARMS)
    assert order == {cl: ARMS for cl in LINES}
    F.assign_arm_colours(ARMS, {"control": "Vehicle", "zeta": "Zeta drug", "alpha": "Alpha drug"})
    XF.growth_curves(meas, tmp_path / "g.png", order, 1500.0)
    XF.spaghetti(meas, mice, tmp_path / "s.png", order, 1500.0)
    assert _titles(figs[0]) == [F.line_title(cl) for cl in LINES]
    assert _titles(figs[1])[:3] == ["Vehicle (n=4)", "Zeta drug (n=4)", "Alpha drug (n=4)"]
    legend = [t.get_text() for t in figs[0].legends[0].get_texts()]
    assert legend == ["Vehicle", "Zeta drug", "Alpha drug"]
    colours = {ax.get_title(): ax.title.get_color() for ax in figs[1].axes if ax.get_title()}
    assert len(set(colours.values())) == 3  # one colour per arm in the panel titles


# --------------------------------------------------------------------------- endpoint marker


def test_spaghetti_marks_the_endpoint_where_the_mouse_crossed_it():
    meas = pd.DataFrame({"mouse": "m1", "cell_line": "all", "arm": "control",
                         "day": [-7.0, 0.0, 7.0, 14.0], "volume_mm3": [50, 100.0, 1000.0, 2000.0]})
    mice = pd.DataFrame({"mouse": ["m1"], "cell_line": ["all"], "arm": ["control"],
                         "last_day": [14.0], "event": ["endpoint"]})
    F.assign_arm_colours(["control"])
    fig = F.spaghetti(meas, mice, {"all": ["control"]}, 1500.0)
    (marker,) = [ln for ln in fig.axes[0].lines if ln.get_marker() == "x"]
    # hand computation: ln 1500 lies ln 1.5 / ln 2 of the way from ln 1000 (day 7) to ln 2000
    assert marker.get_xdata()[0] == pytest.approx(7 + 7 * np.log(1.5) / np.log(2), abs=1e-9)
    assert marker.get_ydata()[0] == pytest.approx(1500.0)


# --------------------------------------------------------------------------- numbers at risk


def test_numbers_at_risk_match_a_hand_count():
    mice = pd.DataFrame({
        "mouse": list("abcdef"), "cell_line": "all", "arm": "control",
        "last_day": [3.0, 7.0, 7.0, 10.0, 14.0, 14.0],
        "event": ["endpoint", "endpoint", "removed", "endpoint", "study_end", "study_end"]})
    km = kaplan_meier(time_to_endpoint(mice))
    # at risk at t = mice whose event / censoring time is ≥ t: by hand
    assert F.numbers_at_risk(km, [0, 3, 5, 7, 8, 10, 14, 15]) == [6, 6, 5, 5, 3, 3, 2, 0]


def test_kaplan_meier_figure_prints_numbers_at_risk_and_a_no_event_note():
    mice = pd.DataFrame({"mouse": list("abcd"), "cell_line": ["x", "x", "y", "y"],
                         "arm": "control", "last_day": [5.0, 20.0, 20.0, 20.0],
                         "event": ["endpoint", "study_end", "study_end", "study_end"]})
    tte = time_to_endpoint(mice)
    from xenosim.analysis.survival import survival_summary

    F.assign_arm_colours(["control"])
    fig = F.kaplan_meier(kaplan_meier(tte), survival_summary(tte),
                         {"x": ["control"], "y": ["control"]}, 1500.0)
    texts = [[t.get_text() for t in ax.texts] for ax in fig.axes]
    risk_x = [t for t in texts[2] if t.isdigit()]  # row 2: the at-risk table under panel x
    ticks = [t for t in fig.axes[0].get_xticks() if 0 <= t <= fig.axes[0].get_xlim()[1]]
    assert risk_x == [str(n) for n in F.numbers_at_risk(
        kaplan_meier(tte).query("cell_line == 'x'"), ticks)]
    assert risk_x[0] == "2" and "1" in risk_x
    assert not any("no events" in t for t in texts[0])
    assert any("no events" in t for t in texts[1])  # panel y: nobody reached the endpoint


# --------------------------------------------------------------------------- diagnostics


def test_cooks_distance_equals_an_independent_leave_one_mouse_out_gls():
    rng = np.random.default_rng(5)
    mice = np.repeat(np.arange(8), 5)
    t = np.tile(np.arange(5.0), 8)
    arm = (mice >= 4).astype(float)
    x = np.column_stack([np.ones_like(t), arm, t, t * arm])
    y = x @ [5.0, 0.1, 0.3, -0.1] + rng.normal(0, 0.3, 8)[mice] + rng.normal(0, 0.1, len(t))
    z = np.column_stack([np.ones_like(t), t])
    g, s2 = np.array([[0.09, 0.0], [0.0, 0.01]]), 0.01
    arm_of = {m: ("b" if m >= 4 else "a") for m in range(8)}
    slope_of = {"a": np.array([0, 0, 1.0, 0]), "b": np.array([0, 0, 1.0, 1.0])}
    got = mouse_influence(x, y, z, mice, g, s2, arm_of, slope_of).set_index("mouse")
    v = z @ g @ z.T * (mice[:, None] == mice[None, :]) + s2 * np.eye(len(t))

    def gls(keep):
        w = np.linalg.inv(v[np.ix_(keep, keep)])
        m = x[keep].T @ w @ x[keep]
        return np.linalg.solve(m, x[keep].T @ w @ y[keep]), m

    beta, m_all = gls(np.arange(len(t)))
    for k in range(8):
        b_k, _ = gls(np.flatnonzero(mice != k))
        d = (beta - b_k) @ m_all @ (beta - b_k) / 4
        assert got.loc[k, "cooks_distance"] == pytest.approx(d, rel=1e-8)
        change = slope_of[arm_of[k]] @ (b_k - beta)
        assert got.loc[k, "arm_rate_change_per_day"] == pytest.approx(change, abs=1e-10)


# --------------------------------------------------------------------------- self-contained HTML


def external_links(html: str) -> list[str]:
    """Every src / href that would load something from outside the file."""
    return [u for u in re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", html, re.I)
            if not u.startswith(("data:", "#"))]


def test_external_link_check_can_fail():
    assert external_links('<img src="data:image/png;base64,AA"><a href="#key">') == []
    assert external_links('<img src="growth_curves.png"><link href="x.css">') == [
        "growth_curves.png", "x.css"]
