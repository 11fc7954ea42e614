"""Smoke test of the benchmark at tiny sizes (not a timing test): it runs, counts agent-steps,
and its JSON record has every number the benchmark promises, for every engine the tumour has."""

import json

import pytest

from xenosim import bench


def test_bench_pieces_run_and_count_agent_steps():
    vec = bench.time_engine("numpy", 2000, steps=2, repeat=1)
    ref = bench.time_engine("reference", 200, steps=1, repeat=1)
    assert vec.agent_steps >= 2 * 2000 * 0.9 and vec.rate > 0 and vec.cpu_rate > 0
    assert ref.agent_steps >= 200 * 0.9 and ref.rate > 0
    state, peak = bench.memory_per_agent(20_000)
    assert 20 <= state <= 40 and peak > 0  # 7 state arrays: 5 float32, uint8, uint32
    assert "numpy" in bench.vector_engines()


def test_quick_run_writes_every_number_as_json(tmp_path):
    assert bench.copy_bandwidth_gb_per_s(mebibytes=8, repeat=2) > 0.1
    out = tmp_path / "bench.json"
    assert bench.main(["--quick", "--repeat", "1", "--jobs", "1", "--skip-sweep",
                       "--json", str(out)]) == 0
    record = json.loads(out.read_text())
    engines = bench.vector_engines()
    assert record["engine_names"] == [*engines, "reference"]
    by_engine = {e: {r["agents"]: r for r in record["engines"] if r["engine"] == e}
                 for e in record["engine_names"]}
    for e in engines:
        assert set(by_engine[e]) == set(bench.QUICK_VECTOR_STEPS)
        for n, r in by_engine[e].items():
            assert r["agent_steps"] >= r["steps"] * n * 0.9
            assert r["agent_steps_per_s"] > 0 and r["ns_per_agent_step_cpu"] > 0
            assert 0 < r["fraction_of_limit"] == record["bandwidth"]["fraction_of_limit"][e][str(n)]
        matched = record["ratios_to_reference"][e]["matched"]
        assert set(matched) == {str(n) for n in bench.QUICK_REFERENCE_STEPS}
        assert by_engine[e][1000]["ratio_to_reference"] == matched["1000"] > 0
        assert record["memory"][e]["state_bytes_per_agent"] > 0
    assert set(by_engine["reference"]) == set(bench.QUICK_REFERENCE_STEPS)
    long_run = record["long_run"]
    assert long_run["agents_start"] == bench.QUICK_LONG_RUN["agents"]
    assert long_run["agent_steps"] >= 0.5 * long_run["agents_start"] * 4 and long_run["cpu_s"] > 0
    bw = record["bandwidth"]
    assert bw["copy_gb_per_s"] > 0.1 and bw["bytes_per_agent_step"] > 0
    assert bw["limit_agent_steps_per_s"] == bw["copy_gb_per_s"] * 1e9 / bw["bytes_per_agent_step"]
    assert {(s["engine"], s["jobs"]) for s in record["study"]} == {
        (e, 1) for e in bench.study_engines()}
    assert all(s["wall_s"] > 0 and s["cpu_s"] > 0 and s["mouse_runs"] >= 2
               for s in record["study"])
    assert set(record["startup"]) == {"help_s", "bare_python_s", "worker_import_s"}
    targets = {r["key"]: r for r in record["targets"]}  # quick: no 1e6 size, no long run
    assert set(targets) == {t[0] for t in bench.TARGETS}
    assert targets["fused_ns_at_1e6"]["measured"] is None and targets["help_s"]["met"] is not None
    assert all(v > 0 for v in record["startup"].values())


def test_sweep_worker_warm_up_runs_here():
    """The sweep benchmark warms each worker with this before its timing: the task's imports
    and one fused step of a small tumour must exist and run (a smoke test, no timing)."""
    from xenosim.sweep.bench import warm_worker

    assert warm_worker() >= 0.0


def _record(**ns_by_engine_agents) -> dict:
    return {"engines": [{"engine": e, "agents": n, "ns_per_agent_step_cpu": v}
                        for (e, n), v in ns_by_engine_agents["ns"].items()]}


def test_targets_are_judged_from_the_record_numbers():
    """A hand-made record (JSON form: sizes as str keys) with one number on each side of its
    target: each row's measured value is the record's, and MET / NOT MET follows the target's
    direction; what the record lacks is 'not measured', never met."""
    record = _record(ns={("fused", 1_000_000): 14.0, ("fused", 10_000_000): 21.0})
    record |= {
        "ratios_to_reference": {"fused": {"vs_numpy": {"1000000": 7.5},
                                          "matched": {"10000": 1999.0}}},
        "bandwidth": {"fraction_of_limit": {"fused": {"1000000": 0.12}}},
        "memory": {"fused": {"state_bytes_per_agent": 31.0, "peak_bytes_per_agent": 81.0}},
        "study": [{"engine": "fused", "jobs": 1, "cpu_s": 14.0, "quick": False},
                  {"engine": "fused", "jobs": 2, "cpu_s": 30.0, "quick": False}],
        "startup": {"help_s": 0.6},
    }
    rows = {r["key"]: r for r in bench.target_table(record)}
    assert set(rows) == {t[0] for t in bench.TARGETS}
    expect = {"fused_ns_at_1e6": (14.0, True), "fused_vs_numpy_at_1e6": (7.5, True),
              "fused_fraction_of_limit_at_1e6": (12.0, False),
              "fused_cliff_1e7": (1.5, False), "fused_vs_reference_at_1e4": (1999.0, False),
              "state_bytes": (31.0, True), "peak_bytes": (81.0, False),
              "study_cpu_s": (14.0, True), "help_s": (0.6, False),
              "long_run_cpu_s": (None, None), "sweep_overhead": (None, None)}
    for key, (value, met) in expect.items():
        assert rows[key]["met"] is met, key
        assert rows[key]["measured"] == (None if value is None else pytest.approx(value)), key
    # the in-memory record has int size keys: the same answers
    record["ratios_to_reference"]["fused"]["vs_numpy"] = {1_000_000: 6.9}
    assert {r["key"]: r["met"] for r in bench.target_table(record)}["fused_vs_numpy_at_1e6"] is False
