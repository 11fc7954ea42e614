"""Every shipped config loads with its own loader and steps briefly (as mesa-examples smoke-tests
its models): a config that no test loads can rot unnoticed.

Each run is cut down (a few steps, coarse resolution) so the whole file costs seconds; what is
checked is that the config's cell lines, arms, drugs and plates all reach the simulation and give
finite, living tumours or wells.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from xenosim.core.config import config_mode, read_config_mapping

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").rglob("*.yaml"))


def _kind(path: Path) -> str:
    raw = read_config_mapping(path)
    if "sweep" in raw:
        return "sweep"
    if "calibration" in raw or "target" in raw:
        return "calibration"
    return config_mode(path) or "xenograft"


def _step_xenograft(raw: dict, name: str) -> None:
    from xenosim.xenograft.config import validate_dict
    from xenosim.xenograft.model import MouseModel

    exp = validate_dict({**raw, "cells_per_agent": 2.0e5}, name)
    for line in exp.cell_lines:
        for arm in exp.arms:
            model = MouseModel(exp, line, rng=1)
            for _ in range(4):
                model.step()
            model.start_treatment(arm)
            for _ in range(4):
                model.step()
            assert model.tumour.n_agents > 0
            assert np.isfinite(model.tumour.volume_mm3)
            assert model.cell_line == line and model.arm == arm


def test_every_config_directory_entry_is_covered():
    kinds = {p.relative_to(ROOT).as_posix(): _kind(p) for p in CONFIGS}
    assert len(kinds) >= 9, kinds
    assert set(kinds.values()) == {"xenograft", "invitro", "patients", "sweep", "calibration"}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shipped_config_loads_and_steps(path: Path):
    kind = _kind(path)
    name = str(path)
    if kind == "xenograft":
        _step_xenograft(read_config_mapping(path), name)
    elif kind == "invitro":
        from xenosim.invitro.config import load_invitro
        from xenosim.invitro.wells import simulate_well, well_specs

        exp = load_invitro(path).model_copy(update={"agents_per_well": 40})
        specs = well_specs(exp)
        plates = {s.plate for s in specs}
        for plate in sorted(plates):
            spec = next(s for s in specs if s.plate == plate)
            rows = simulate_well(exp, spec)
            assert rows and all(r["cell_count"] >= 0 for r in rows)
    elif kind == "patients":
        from xenosim.patients.config import validate_patient_dict
        from xenosim.patients.runner import simulate_patient

        raw = read_config_mapping(path)
        study = validate_patient_dict({**raw, "agents_per_patient": 50, "follow_up_months": 2,
                                       "run_in_days": 2}, name)
        for arm in study.arms:
            outcome = simulate_patient(study, arm, 0)
            assert outcome is not None
    elif kind == "sweep":
        from xenosim.sweep.config import load_sweep
        from xenosim.sweep.design import make_tasks

        loaded = load_sweep(path)
        tasks = make_tasks(loaded.config)
        assert tasks
        first = tasks[0]
        raw = loaded.experiment_raw(first.params, first.seed)
        _step_xenograft(raw, f"{name} task {first.task_id}")
    else:
        from xenosim.sweep.calibrate import load_calibration

        loaded = load_calibration(path)
        assert len(loaded.target) > 0
        raw = loaded.sweep.experiment_raw(
            {p.name: p.values[0] if p.values else p.low for p in loaded.sweep.config.parameters}, 0)
        _step_xenograft(raw, name)
