"""One arm order, one label set and one panel order for every figure and table of a study.

A xenosim run keeps its config's order (cell lines and arms as the config lists them) and the
config's arm labels; a lab table keeps the order in which its cell lines and arms first appear,
with the control arm first. Figures of the run (``xenosim run``) and of its analysis read the
same order from here, so panels, legends and table rows agree.
"""

from __future__ import annotations

from pathlib import Path

import yaml


def config_order(run_dir: str | Path) -> dict:
    """``cell_line_order``, ``arm_order`` and ``arm_labels`` from a run's ``config.yaml``
    (each None without a readable config), ready to pass to :class:`CaliperData`."""
    p = Path(run_dir) / "config.yaml"
    out: dict = {"cell_line_order": None, "arm_order": None, "arm_labels": None}
    if not p.is_file():
        return out
    try:
        cfg = yaml.safe_load(p.read_text()) or {}
    except yaml.YAMLError:
        return out
    if not isinstance(cfg, dict):
        return out
    lines, arms = cfg.get("cell_lines"), cfg.get("arms")
    if isinstance(lines, dict | list):
        out["cell_line_order"] = [str(x) for x in lines]
    if isinstance(arms, dict):
        out["arm_order"] = [str(a) for a in arms]
        out["arm_labels"] = {str(a): str(v["label"]) for a, v in arms.items()
                             if isinstance(v, dict) and v.get("label")}
    return out


def ordered(present, preferred: list[str] | None, first: str | None = None) -> list[str]:
    """``present`` (in first-appearance order) sorted by ``preferred``; names that ``preferred``
    does not list follow in first-appearance order; ``first`` (the control) leads when present."""
    present = list(dict.fromkeys(present))
    pref = [x for x in (preferred or []) if x in present]
    out = pref + [x for x in present if x not in pref]
    if first is not None and first in out:
        out.remove(first)
        out.insert(0, first)
    return out


def study_order(data, control_arm: str) -> dict[str, list[str]]:
    """Cell line → arms in display order for a :class:`CaliperData` (config order for a run,
    first appearance with the control first for a lab table)."""
    m = data.measurements
    lines = ordered(m["cell_line"], getattr(data, "cell_line_order", None))
    prefer = getattr(data, "arm_order", None)
    return {cl: ordered(m.loc[m["cell_line"] == cl, "arm"], prefer, control_arm)
            for cl in lines}


def arm_labels(data) -> dict[str, str]:
    """Arm → display label (the config's labels; the arm name where none is given)."""
    return dict(getattr(data, "arm_labels", None) or {})
