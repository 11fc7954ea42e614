"""Figure rules: one colour per arm within a figure set, endpoint markers at the crossing."""

from __future__ import annotations

import numpy as np
import pytest

from xenosim.analysis.figures import CB_PALETTE, assign_arm_colours, endpoint_crossing
from xenosim.core.style import ARM_COLOURS


def test_unfamiliar_arms_never_share_a_colour():
    arms = ["vehicle", "drug_x", "drug_y", "drug_x+drug_y", "a", "b", "c", "d"]
    col = assign_arm_colours(arms)
    assert len(set(col.values())) == len(arms)
    assert [col[a] for a in arms] == CB_PALETTE[: len(arms)]


def test_paper_arms_keep_fixed_colours_and_others_avoid_them():
    col = assign_arm_colours(["control", "tamoxifen", "newdrug", "letrozole", "exemestane"])
    assert col["control"] == ARM_COLOURS["control"]
    assert col["tamoxifen"] == ARM_COLOURS["tamoxifen"]
    assert col["letrozole"] == ARM_COLOURS["letrozole"]
    # exemestane's fixed colour is letrozole's: it gets a free one instead
    assert len(set(col.values())) == 5


def test_endpoint_marker_at_the_crossing():
    d = np.array([0.0, 7.0, 14.0])
    v = np.array([100.0, 1000.0, 2000.0])
    day, vol = endpoint_crossing(d, v, 1500.0)
    assert vol == 1500.0
    assert day == pytest.approx(7 + 7 * np.log(1.5) / np.log(2))
    assert endpoint_crossing(d, np.array([1600.0, 1700, 1800]), 1500.0) == (0.0, 1600.0)


def test_synergy_panels_follow_the_runs_cell_line_order():
    """One panel order across a run's figures: the synergy figure follows the line order given,
    not the order rows happen to come in."""
    import pandas as pd

    from xenosim.analysis import figures as F

    rows = [{"cell_line": cl, "metric": m, "day": d, "excess": 0.0, "ci_low": -0.1,
             "ci_high": 0.1, "p_value": 0.5, "arm_ab": "a+b", "arm_a": "a", "arm_b": "b"}
            for cl in ("line_z", "line_a") for m in ("bliss", "hsa") for d in (7.0, 14.0)]
    fig = F.synergy(pd.DataFrame(rows), ["line_a", "line_z"])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[0].startswith("line_a") and titles[1].startswith("line_z")
