"""The vectorised tumour, the Mesa mouse model, the cohort runner and the results on disk."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from xenosim.biology import fate
from xenosim.biology.signalling import Exposure
from xenosim.cli import app
from xenosim.core import lattice
from xenosim.core.genotypes import cell_line
from xenosim.core.output import atomic_directory
from xenosim.core.parameters import resolve
from xenosim.core.tumour import STATE_ARRAYS, Tumour
from xenosim.xenograft.config import load_experiment, validate_dict
from xenosim.xenograft.model import MouseModel, TumourCell
from xenosim.xenograft.runner import run_cohort


def test_lattice_fills_a_ball_outward():
    r = lattice.site_radius(5000)
    assert np.all(np.diff(np.floor(r)) >= 0)  # shell by shell
    xyz = lattice.site_xyz(5000)
    assert len({tuple(v) for v in xyz}) == 5000  # one agent per site
    assert lattice.ball_radius(5000) == pytest.approx(r.max(), rel=0.1)


def _ball_in_filling_order(capacity: int) -> tuple[np.ndarray, np.ndarray]:
    """The definition of the filling order, built from scratch over the whole cube: every site
    of the ball, sorted by shell, polar band and azimuth, ties in x, y, z order (a stable
    lexsort of the sites in meshgrid order)."""
    half = int(np.ceil((3.0 * capacity / (4.0 * np.pi)) ** (1.0 / 3.0))) + 2
    ax = np.arange(-half, half + 1, dtype=np.int16)
    x, y, z = (a.ravel() for a in np.meshgrid(ax, ax, ax, indexing="ij"))
    r = np.sqrt(x.astype(np.float32) ** 2 + y.astype(np.float32) ** 2
                + z.astype(np.float32) ** 2)
    inside = r <= half
    x, y, z, r = x[inside], y[inside], z[inside], r[inside]
    shell = np.floor(r).astype(np.int16)
    polar = np.floor(np.arccos(np.clip(np.divide(z, r, out=np.ones_like(r), where=r > 0), -1, 1))
                     * 8).astype(np.int16)
    azimuth = np.arctan2(y.astype(np.float32), x.astype(np.float32))
    order = np.lexsort((azimuth, polar, shell))[:capacity]
    return np.stack([x[order], y[order], z[order]], axis=1), r[order]


def test_lattice_table_extended_shell_by_shell_is_the_table_built_from_scratch(monkeypatch):
    """A growing tumour extends the site table by the shells it lacks (no rebuild): after
    extensions in small and large steps, the table is, to the bit, the definition built from
    scratch for the largest size."""
    monkeypatch.setattr(lattice, "_CACHE", {})
    sizes = (10, 5000, 5001, 9000, 40000, 200_000)
    shells = []
    for n in sizes:
        lattice.ensure_capacity(n)
        shells.append(lattice._CACHE["shells"])
    assert lattice._CACHE["shells"] > 3
    assert len(set(shells)) > 2  # it was extended several times, not built once
    xyz, radius = _ball_in_filling_order(sizes[-1])
    np.testing.assert_array_equal(lattice.site_xyz(sizes[-1]), xyz)
    np.testing.assert_array_equal(lattice.site_radius(sizes[-1]), radius)


def _tumour(n=3000, seed=0, line="mcf7_vector", **kw):
    return Tumour(cell_line(line), n, 6000, resolve(), np.random.default_rng(seed), **kw)


def test_step_keeps_arrays_aligned_and_ids_unique():
    t = _tumour()
    for _ in range(20):
        t.step(Exposure(e2_nM=3.6), 12.0)
    lengths = {getattr(t, a).shape[0] for a in STATE_ARRAYS}
    assert lengths == {t.n_agents} and t.n_agents > 3000
    assert len(np.unique(t.cell_id)) == t.n_agents
    assert set(np.unique(t.status)) <= set(range(fate.N_STATUS))
    assert t.volume_mm3 == pytest.approx(t.n_agents * 6000 * 1e-6)


def test_same_seed_same_tumour_and_other_seed_differs():
    a, b, c = _tumour(seed=1), _tumour(seed=1), _tumour(seed=2)
    for t in (a, b, c):
        for _ in range(10):
            t.step(Exposure(e2_nM=3.6), 12.0)
    assert np.array_equal(a.akt, b.akt) and a.n_agents == b.n_agents
    assert a.n_agents != c.n_agents or not np.array_equal(a.akt, c.akt)


def test_large_tumours_grow_a_necrotic_core_and_hypoxia_switch_removes_it():
    core = _tumour(n=60000)
    flat = _tumour(n=60000, hypoxia=False)
    for _ in range(6):
        core.step(Exposure(e2_nM=3.6), 12.0)
        flat.step(Exposure(e2_nM=3.6), 12.0)
    s = core.summary()
    assert s.n_necrotic > 0 and s.n_quiescent > 0
    assert flat.summary().n_necrotic == 0
    # necrosis sits in the core: the necrotic cells are the deepest ones
    necrotic = np.flatnonzero(core.status == fate.NECROTIC)
    assert np.median(necrotic) < 0.3 * core.n_agents


def test_memory_per_agent_in_a_step(tmp_path):
    """DESIGN/issue target: under 150 bytes per agent, state plus a step's temporaries."""
    import tracemalloc

    t = _tumour(n=200_000, line="mcf7_myr_akt")
    ex = Exposure(e2_nM=3.6, tamoxifen_nM=1e4, oht_nM=500, mtorc1_inhibition=0.8)
    t.step(ex, 12.0)
    lattice.ensure_capacity(2 * t.n_agents)  # the shared site table is per process, not per agent
    state = sum(getattr(t, a).nbytes for a in STATE_ARRAYS) / t.n_agents
    tracemalloc.start()
    t.step(ex, 12.0)
    peak = tracemalloc.get_traced_memory()[1] / t.n_agents
    tracemalloc.stop()
    assert state + peak < 150, (state, peak)


def test_mouse_model_is_a_mesa_model_with_agent_view():
    m = MouseModel(rng=3)
    for _ in range(5):
        m.step()
    cell = m.cell(0)
    assert isinstance(cell, TumourCell)
    assert 0 <= cell.akt <= 1 and cell.status in fate.STATUS_NAMES
    with pytest.raises(IndexError):
        m.cell(m.tumour.n_agents)


def test_reading_cells_registers_no_agents():
    m = MouseModel(rng=3)
    m.step()
    before = len(m.agents)
    views = [m.cell(i % m.tumour.n_agents) for i in range(1000)]
    assert len(m.agents) == before == 0
    assert views[1].akt == float(m.tumour.akt[1])


def test_datacollector_records_viable_cells_at_each_caliper_reading():
    m = MouseModel(rng=4)
    for _ in range(40):
        m.step()
    # kill a third of the cells by hand: the record must average over the living only
    dead = np.arange(m.tumour.n_agents) % 3 == 0
    m.tumour.status = np.where(dead, np.uint8(fate.APOPTOTIC), m.tumour.status)
    m.tumour.akt = np.where(dead, np.float32(0.0), m.tumour.akt).astype(m.tumour.akt.dtype)
    m.caliper()
    m.step()
    m.caliper()
    frame = m.datacollector.get_model_vars_dataframe()
    assert len(frame) == 2  # one row per caliper reading, none per step
    living = fate.is_viable(m.tumour.status)
    assert frame["mean_akt"].iloc[-1] == pytest.approx(float(np.mean(m.tumour.akt[living])))
    assert frame["n_agents"].iloc[-1] == m.tumour.n_agents


def _frames(result):
    return [result.measurements, result.cells, result.mice]


def test_cohort_identical_for_one_and_two_workers(small_raw):
    exp = validate_dict(small_raw())
    one, two = run_cohort(exp, jobs=1), run_cohort(exp, jobs=2)
    for a, b in zip(_frames(one), _frames(two), strict=True):
        pd.testing.assert_frame_equal(a, b)
    m = one.measurements
    assert (m["day"] < 0).any() and (m["day"] == 0).sum() == m["mouse"].nunique()
    assert np.allclose(m["volume_mm3"], m["length_mm"] * m["width_mm"] ** 2 / 2)
    assert (m["length_mm"] >= m["width_mm"]).all()
    assert set(one.mice.loc[one.mice.enrolled, "arm"]) == set(exp.arms)


def test_randomisation_is_balanced_on_volume(small_raw):
    exp = validate_dict(small_raw(mice_per_arm=4, spare_mice_fraction=0.25, study_days=3))
    res = run_cohort(exp, jobs=1)
    enrolled = res.mice[res.mice.enrolled]
    assert enrolled.groupby(["cell_line", "arm"]).size().eq(4).all()
    means = enrolled.groupby(["cell_line", "arm"])["enrolment_volume_mm3"].mean()
    for line in exp.cell_lines:
        vals = means[line].to_numpy()
        assert abs(vals[0] - vals[1]) / vals.mean() < 0.25


def test_run_writes_a_complete_result_directory(tmp_path, small_config):
    out = tmp_path / "results"
    res = CliRunner().invoke(app, ["run", str(small_config), "--out", str(out), "--quiet",
                                   "--jobs", "1", "--seed", "11"])
    assert res.exit_code == 0, res.output
    (run_dir,) = (out / "degraffenried2004").iterdir()
    for name in ("config.yaml", "manifest.json", "measurements.csv", "cells.csv", "mice.csv",
                 "summary.csv", "growth_curves.png", "spaghetti.png", "pathway.png", "report.md"):
        assert (run_dir / name).stat().st_size > 0, name
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["seed"] == 11 and manifest["versions"]["mesa"].startswith("3.")
    meas = pd.read_csv(run_dir / "measurements.csv")
    assert list(meas.columns[:8]) == ["mouse", "cell_line", "arm", "day", "length_mm",
                                      "width_mm", "volume_mm3", "true_volume_mm3"]
    # the resolved config reproduces the run
    again = load_experiment(run_dir / "config.yaml")
    assert again.seed == 11
    assert "![Growth curves](growth_curves.png)" in (run_dir / "report.md").read_text()
    # ... and as one self-contained page: figures embedded, nothing loaded from outside, the key
    # comparison in words first (here tamoxifen+cci779 vs control: no single-agent arms)
    from test_report_figures import external_links

    page = (run_dir / "report.html").read_text()
    # growth curves, spaghetti, pathway, virtual IHC
    assert external_links(page) == [] and page.count('src="data:image/png;base64,') == 4
    assert "In short: Tamoxifen + CCI-779 vs E2 control in MCF-7" in page
    assert "Welch t-test on per-mouse growth rates" in page
    # the arm comparison is written beside the run, self-contained
    html = (run_dir / "analysis" / "report.html").read_text()
    assert "data:image/png;base64" in html


def test_interrupted_write_leaves_nothing(tmp_path: Path):
    final = tmp_path / "exp" / "run1"
    with pytest.raises(KeyboardInterrupt), atomic_directory(final) as tmp:
        (tmp / "measurements.csv").write_text("partial")
        raise KeyboardInterrupt
    assert not final.exists()
    assert list((tmp_path / "exp").iterdir()) == []


def test_ablation_config_round_trips(small_raw, tmp_path):
    raw = small_raw()
    raw["mechanisms"]["ser167_er_link"] = False
    path = tmp_path / "ablation.yaml"
    path.write_text(yaml.safe_dump(raw))
    exp = load_experiment(path)
    assert resolve(exp.parameters, exp.mechanism_flags())["efficacy_unliganded_ser167"] == 0


def test_a_mouse_leaves_the_study_at_its_first_reading_past_the_endpoint():
    """Humane endpoint: the reading that crosses it is the mouse's last (censoring)."""
    from xenosim.xenograft.runner import MouseSpec, simulate_mouse

    exp = validate_dict({"experiment": "endpoint", "cell_lines": {"mcf7_myr_akt": {}},
                         "arms": {"control": {}}, "cells_per_agent": 60000,
                         "randomisation_volume_mm3": 60.0, "endpoint_volume_mm3": 120.0,
                         "study_days": 56})
    ended = 0
    for mouse in range(3):
        out = simulate_mouse(exp, MouseSpec(f"m{mouse}", "mcf7_myr_akt", 0, mouse), "control")
        if not out.enrolled:
            continue
        treated = [r for r in out.measurements if r["day"] > 0]
        past = [r for r in treated if r["volume_mm3"] >= exp.endpoint_volume_mm3]
        if past:
            ended += 1
            assert treated[-1] is past[0]  # nothing measured after the crossing reading
            assert out.event == "endpoint" and out.last_day == past[0]["day"]
    assert ended >= 1  # the setting makes E2-driven myr-Akt tumours reach the endpoint


def _takes(volumes: list[float], line: str = "mcf7_vector"):
    from xenosim.xenograft.runner import MouseOutcome, MouseSpec

    return [MouseOutcome(MouseSpec(f"m{i}", line, 0, i), None, True, enrol_day=30.0,
                         enrol_volume_mm3=v) for i, v in enumerate(volumes)]


def test_randomisation_is_volume_balanced_in_blocks():
    """Sorted by volume, every consecutive block of n_arms mice holds each arm once, so arm means
    at day 0 differ by less than one block's spread."""
    from xenosim.xenograft.runner import select_and_randomise

    exp = validate_dict({"experiment": "r", "cell_lines": {"mcf7_vector": {}},
                         "arms": {"a": {}, "b": {}, "c": {}}, "mice_per_arm": 4})
    rng = np.random.default_rng(0)
    volumes = list(rng.permutation(np.arange(150.0, 270.0, 10.0)))  # 12 distinct volumes
    assignment, _ = select_and_randomise(exp, _takes(volumes), np.random.default_rng(5))
    by_volume = sorted(assignment, key=lambda m: volumes[int(m[1:])])
    for start in range(0, 12, 3):
        assert sorted(assignment[m] for m in by_volume[start:start + 3]) == ["a", "b", "c"]


def test_randomisation_is_random_within_blocks():
    """Different seeds give different permutations: the smallest mouse does not always get the
    first arm (12 seeds: the chance that a fair draw always picks arm 'a' is 3^-12)."""
    from xenosim.xenograft.runner import select_and_randomise

    exp = validate_dict({"experiment": "r", "cell_lines": {"mcf7_vector": {}},
                         "arms": {"a": {}, "b": {}, "c": {}}, "mice_per_arm": 2})
    volumes = [150.0, 160.0, 170.0, 180.0, 190.0, 200.0]
    first = {select_and_randomise(exp, _takes(volumes), np.random.default_rng(s))[0]["m0"]
             for s in range(12)}
    assert first == {"a", "b", "c"}


def test_the_take_phase_is_simulated_once_per_mouse(small_raw, monkeypatch):
    """Every inoculated mouse is stepped from inoculation once: the enrolled ones are treated
    from their state at enrolment, not replayed from day 0."""
    from xenosim.core.tumour import Tumour

    inoculations = []
    original = Tumour.step

    def counting_step(self, exposure, dt_h):
        if self.time_h == 0.0:
            inoculations.append(id(self))
        return original(self, exposure, dt_h)

    monkeypatch.setattr(Tumour, "step", counting_step)
    exp = validate_dict(small_raw(spare_mice_fraction=0.25, study_days=7))
    res = run_cohort(exp, jobs=1)
    assert res.mice["enrolled"].any()
    assert len(inoculations) == len(res.mice)


def test_a_resumed_mouse_is_the_mouse_run_from_inoculation(small_raw):
    """Treating the kept state at enrolment gives the numbers of a run from inoculation with
    the arm (the same draws), under any arm and for a take used twice (twins)."""
    from xenosim.xenograft.runner import MouseSpec, resume_mouse, simulate_mouse

    exp = validate_dict(small_raw(snapshot_days=[0, 7]))
    spec = MouseSpec("m1", "mcf7_myr_akt", 1, 0)
    take = simulate_mouse(exp, spec, None, keep_state=True)
    assert take.enrolled and take.enrolled_state
    for arm in ("tamoxifen+cci779", "control", "tamoxifen+cci779"):
        direct, resumed = simulate_mouse(exp, spec, arm), resume_mouse(exp, take, arm)
        for attr in ("measurements", "cells"):
            pd.testing.assert_frame_equal(pd.DataFrame(getattr(direct, attr)),
                                          pd.DataFrame(getattr(resumed, attr)))
        assert len(direct.snapshots) == len(resumed.snapshots) == 2
        for a, b in zip(direct.snapshots, resumed.snapshots, strict=True):
            pd.testing.assert_frame_equal(a, b)
        assert (direct.event, direct.last_day) == (resumed.event, resumed.last_day)


def test_a_state_that_does_not_pickle_is_replayed_with_the_same_numbers(small_raw, monkeypatch):
    """An engine whose state cannot be pickled still runs: its mice are re-run from inoculation
    with their arm, giving the numbers the kept state gives."""
    from xenosim.xenograft import runner

    exp = validate_dict(small_raw(study_days=7))
    kept = run_cohort(exp, jobs=1)

    def refuse(*args, **kwargs):
        raise TypeError("cannot pickle this engine")

    monkeypatch.setattr(runner.pickle, "dumps", refuse)
    replayed = run_cohort(exp, jobs=1)
    for a, b in zip(_frames(kept), _frames(replayed), strict=True):
        pd.testing.assert_frame_equal(a, b)
