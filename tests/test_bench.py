"""Smoke test of the benchmark's building blocks at tiny sizes (not a timing test)."""

from xenosim import bench


def test_bench_pieces_run_and_count_agent_steps():
    vec = bench.time_engine("vectorised", 2000, steps=2, repeat=1)
    ref = bench.time_engine("reference", 200, steps=1, repeat=1)
    assert vec.agent_steps >= 2 * 2000 * 0.9 and vec.rate > 0 and vec.cpu_rate > 0
    assert ref.agent_steps >= 200 * 0.9 and ref.rate > 0
    state, peak = bench.memory_per_agent(20_000)
    assert 20 <= state <= 40 and peak > 0  # 7 state arrays: 5 float32, uint8, uint32


def test_bandwidth_and_json_record(tmp_path):
    assert bench.copy_bandwidth_gb_per_s(mebibytes=8, repeat=2) > 0.1
    out = tmp_path / "bench.json"
    assert bench.main(["--quick", "--repeat", "1", "--skip-study", "--skip-sweep",
                       "--json", str(out)]) == 0
    import json

    record = json.loads(out.read_text())
    assert {e["agents"] for e in record["engines"] if e["engine"] == "vectorised"} >= {
        10_000, 100_000, 1_000_000}
    assert record["bandwidth"]["limit_agent_steps_per_s"] > 0
    assert record["startup"]["help_s"] > 0
