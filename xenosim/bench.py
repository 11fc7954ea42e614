"""Speed benchmark: ``python -m xenosim.bench`` (``make bench``).

Measures, in one run on this machine, and prints one table:

1. agent-steps per second of one tumour at 1e4, 1e5 and 1e6 agents for the vectorised engine
   (:class:`xenosim.core.tumour.Tumour`) and for the per-object Mesa engine
   (:class:`xenosim.core.reference.ReferenceTumour`) at the sizes it can afford; the ratio is given only
   where both engines were measured at the same size (nothing is extrapolated);
2. memory per agent at the largest size: the state arrays (bytes/agent) plus the peak of a step's
   temporaries measured with ``tracemalloc`` (numpy reports its buffers to tracemalloc);
3. wall time of the default study (``configs/degraffenried2004.yaml``) with 1 and 2 workers
   (``--quick``: 2 mice per arm);
4. sweep throughput on a 2-worker Dask ``LocalCluster``: tasks/min, and the per-task overhead
   (wall x workers / tasks - compute time measured inside the task) relative to the task time;
5. this machine's memory copy bandwidth (numpy, one core) and the resulting limit on agent-steps/s
   if a step only read and wrote each state array once, with the fraction of it reached;
6. the import time of ``xenosim --help`` (target < 0.5 s).

``--json FILE`` writes every number as JSON, so runs on different machines compare as ratios.

Each engine benchmark runs a fixed number of steps of a myr-Akt tumour under estradiol, tamoxifen
and a rapalog (every code path of the step: hypoxia, necrosis, apoptosis, division, clearance), on
one thread (BLAS / OpenMP thread pools are pinned to 1). Timings on a shared machine vary by
~10-30 %; the best of ``--repeat`` runs is reported.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from xenosim.biology.signalling import Exposure  # noqa: E402
from xenosim.core.genotypes import cell_line  # noqa: E402
from xenosim.core.parameters import resolve  # noqa: E402

EXPOSURE = Exposure(e2_nM=3.6, tamoxifen_nM=20.0, oht_nM=1.0, mtorc1_inhibition=0.5)
CELLS_PER_AGENT = 6000.0
DT_H = 12.0
TARGET_RATE = 1e7  # agent-steps/s at 1e6 agents, one core
TARGET_RATIO = 50.0
TARGET_BYTES = 100.0
TARGET_OVERHEAD = 0.05


@dataclass
class EngineResult:
    engine: str
    n_start: int
    steps: int
    agent_steps: int
    seconds: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        """Agent-steps per wall-clock second."""
        return self.agent_steps / self.seconds

    @property
    def cpu_rate(self) -> float:
        """Agent-steps per CPU second of this process (insensitive to other load)."""
        return self.agent_steps / self.cpu_seconds


def _make(engine: str, n: int, seed: int):
    rng = np.random.default_rng(seed)
    g = cell_line("mcf7_myr_akt")
    p = resolve()
    if engine == "vectorised":
        from xenosim.core.tumour import Tumour

        t = Tumour(g, n, CELLS_PER_AGENT, p, rng)
        return t, t.step
    from xenosim.core.reference import ReferenceTumour

    t = ReferenceTumour(g, n, CELLS_PER_AGENT, p, rng)
    return t, t.advance


def time_engine(engine: str, n: int, steps: int, repeat: int = 3, seed: int = 0) -> EngineResult:
    """Best of ``repeat`` runs of ``steps`` steps from a fresh ``n``-agent tumour (one warm-up
    step first, so the lattice table and caches are built outside the timing)."""
    best: EngineResult | None = None
    for r in range(repeat):
        tumour, advance = _make(engine, n, seed + r)
        advance(EXPOSURE, DT_H)
        agent_steps = 0
        cpu = time.process_time()
        start = time.perf_counter()
        for _ in range(steps):
            agent_steps += tumour.n_agents
            advance(EXPOSURE, DT_H)
        seconds = time.perf_counter() - start
        res = EngineResult(engine, n, steps, agent_steps, seconds, time.process_time() - cpu)
        if best is None or res.rate > best.rate:
            best = res
    assert best is not None
    return best


def phase_fractions(n: int, steps: int, seed: int = 0) -> dict[str, float]:
    """Share of the vectorised step's wall time per phase of the step plan
    (``Tumour.PHASES``: environment, signalling, fate, update) for an ``n``-agent tumour."""
    tumour, advance = _make("vectorised", n, seed)
    advance(EXPOSURE, DT_H)
    tumour.phase_seconds = {}
    for _ in range(steps):
        advance(EXPOSURE, DT_H)
    total = sum(tumour.phase_seconds.values())
    return {phase: tumour.phase_seconds.get(phase, 0.0) / total for phase in tumour.PHASES}


def memory_per_agent(n: int) -> tuple[float, float]:
    """(state bytes per agent, peak step temporaries per agent) for an ``n``-agent tumour."""
    from xenosim.core import lattice
    from xenosim.core.tumour import STATE_ARRAYS

    tumour, advance = _make("vectorised", n, 0)
    advance(EXPOSURE, DT_H)
    lattice.ensure_capacity(2 * tumour.n_agents)  # shared per process, not per agent
    state = sum(getattr(tumour, a).nbytes for a in STATE_ARRAYS) / tumour.n_agents
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    n_before = tumour.n_agents
    advance(EXPOSURE, DT_H)
    peak = (tracemalloc.get_traced_memory()[1] - before) / n_before
    tracemalloc.stop()
    return state, peak


def _cpu_seconds_with_children() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def time_study(jobs: int, quick: bool) -> tuple[float, int, float]:
    """Wall time (s), number of mouse runs and CPU time (s, this process and its workers) of the
    default study with ``jobs`` workers."""
    from xenosim.xenograft.config import load_experiment
    from xenosim.xenograft.runner import run_cohort

    root = Path(__file__).resolve().parents[1]
    overrides = {"mice_per_arm": 2} if quick else {}
    exp = load_experiment(root / "configs" / "degraffenried2004.yaml", overrides)
    cpu = _cpu_seconds_with_children()
    start = time.perf_counter()
    res = run_cohort(exp, jobs=jobs)
    seconds = time.perf_counter() - start
    n_runs = len(res.mice) + int(res.mice["enrolled"].sum())
    return seconds, n_runs, _cpu_seconds_with_children() - cpu


def copy_bandwidth_gb_per_s(mebibytes: int = 256, repeat: int = 5) -> float:
    """Best memory copy bandwidth (GB/s, bytes read + written) of one numpy copy on one core."""
    src = np.ones(mebibytes * 2**20 // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return 2 * src.nbytes / best / 1e9


def import_seconds(repeat: int = 3) -> tuple[float, float]:
    """(``xenosim --help`` wall time, a bare ``python -c pass`` for comparison), best of N."""
    def best(cmd: list[str]) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        return min(times)

    return (best([sys.executable, "-m", "xenosim.cli", "--help"]),
            best([sys.executable, "-c", "pass"]))


def time_sweep(n_tasks: int, workers: int = 2) -> dict[str, float] | None:
    """Tasks/min and per-task overhead of a sweep on a ``workers``-worker LocalCluster."""
    try:
        from xenosim.sweep.bench import sweep_throughput
    except ImportError:
        return None
    return sweep_throughput(n_tasks, workers)


def _fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m xenosim.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="smaller default study (2 mice/arm), fewer reference sizes and sweep tasks")
    ap.add_argument("--repeat", type=int, default=3, help="best of N timings per engine size")
    ap.add_argument("--skip-study", action="store_true", help="skip the default-study timing")
    ap.add_argument("--skip-sweep", action="store_true", help="skip the sweep throughput")
    ap.add_argument("--json", type=Path, default=None, help="also write every number as JSON")
    args = ap.parse_args(argv)
    record: dict = {"python": platform.python_version(), "numpy": np.__version__,
                    "cores": os.cpu_count(), "machine": platform.machine(),
                    "load_average_1min": os.getloadavg()[0], "engines": []}

    print(f"xenosim benchmark — {platform.python_version()}, numpy {np.__version__}, "
          f"{os.cpu_count()} cores, {platform.machine()}; one thread per process; "
          f"best of {args.repeat}")
    sizes = (10_000, 100_000, 1_000_000) + (() if args.quick else (10_000_000,))
    vec_steps = {10_000: 20, 100_000: 6, 1_000_000: 3, 10_000_000: 2}
    ref_sizes = {1_000: 3, 10_000: 2, 100_000: 1} if not args.quick else {1_000: 3}
    rows: list[EngineResult] = []
    for n in sizes:
        rows.append(time_engine("vectorised", n, vec_steps[n], args.repeat))
        print(f"  vectorised {n:>9,} agents: {_fmt_rate(rows[-1].rate)} agent-steps/s",
              flush=True)
    ref_rows: list[EngineResult] = []
    for n, steps in ref_sizes.items():
        ref_rows.append(time_engine("reference", n, steps, 1 if n >= 10_000 else args.repeat))
        print(f"  reference  {n:>9,} agents: {_fmt_rate(ref_rows[-1].rate)} agent-steps/s",
              flush=True)
    vec_small = {n: time_engine("vectorised", n, 20, args.repeat) for n in ref_sizes
                 if n not in vec_steps}

    print("\n1. Engine throughput (one tumour, myr-Akt under E2 + tamoxifen + rapalog, dt 12 h)")
    print("   agent-steps per second, wall clock (per CPU second of the process in brackets)")
    print(f"{'agents':>11} {'vectorised':>27} {'per-object':>22} {'ratio':>7}")
    all_vec = {r.n_start: r for r in rows} | vec_small
    ref_by_n = {r.n_start: r for r in ref_rows}

    def cell(x: EngineResult | None, width: int) -> str:
        text = f"{_fmt_rate(x.rate)} ({_fmt_rate(x.cpu_rate)})" if x else "not run"
        return f"{text:>{width}}"

    for n in sorted(set(all_vec) | set(ref_by_n)):
        v, r = all_vec.get(n), ref_by_n.get(n)
        ratio = f"{v.rate / r.rate:6.0f}x" if v and r else "      -"
        print(f"{n:>11,} {cell(v, 27)} {cell(r, 22)} {ratio}")
    big = all_vec[1_000_000]
    largest_ref = max(ref_rows, key=lambda r: r.n_start)
    ratio_big = big.rate / largest_ref.rate
    print(f"  per-object engine not run above {largest_ref.n_start:,} agents (memory/time); "
          f"vectorised at 1e6 / per-object at {largest_ref.n_start:,}: {ratio_big:.0f}x")
    matched = [all_vec[n].rate / ref_by_n[n].rate for n in ref_by_n if n in all_vec]
    print(f"  target: >= {TARGET_RATE:.0e} agent-steps/s at 1e6 agents: wall "
          f"{'MET' if big.rate >= TARGET_RATE else 'NOT MET'} ({_fmt_rate(big.rate)}), CPU "
          f"{'MET' if big.cpu_rate >= TARGET_RATE else 'NOT MET'} ({_fmt_rate(big.cpu_rate)}); "
          f">= {TARGET_RATIO:.0f}x per-object at matched size: "
          f"{'MET' if matched and min(matched) >= TARGET_RATIO else 'NOT MET'} "
          f"(min {min(matched):.0f}x)")

    for r in [*all_vec.values(), *ref_rows]:
        record["engines"].append({"engine": r.engine, "agents": r.n_start, "steps": r.steps,
                                  "agent_steps_per_s": r.rate, "agent_steps_per_cpu_s": r.cpu_rate,
                                  "ns_per_agent_step_cpu": 1e9 / r.cpu_rate})
    phases = phase_fractions(1_000_000, 3)
    record["phase_fractions_1e6"] = phases
    print("  time per phase at 1e6 agents: " + ", ".join(
        f"{name} {100 * share:.0f} %" for name, share in phases.items()))
    state, peak = memory_per_agent(1_000_000)
    record["memory"] = {"state_bytes_per_agent": state, "peak_step_bytes_per_agent": peak}
    total = state + peak
    print("\n2. Memory per agent at 1e6 agents (tracemalloc; numpy buffers only)")
    print(f"  state arrays {state:.1f} B/agent + step temporaries peak {peak:.1f} B/agent "
          f"= {total:.1f} B/agent; target <= {TARGET_BYTES:.0f}: "
          f"{'MET' if total <= TARGET_BYTES else 'NOT MET'}")

    if not args.skip_study:
        print(f"\n3. Default study wall time ({'quick: 2 mice/arm' if args.quick else '8 mice/arm'})",
              flush=True)
        one, runs, one_cpu = time_study(1, args.quick)
        two, _, two_cpu = time_study(2, args.quick)
        print(f"  1 worker: {one:.1f} s wall, {one_cpu:.1f} s CPU; 2 workers: {two:.1f} s wall, "
              f"{two_cpu:.1f} s CPU (worker start-up included); speed-up {one / two:.2f}x "
              f"({runs} mouse runs: take phase + treatment)")
        record["study"] = {"quick": args.quick, "mouse_runs": runs, "wall_s_1_worker": one,
                           "cpu_s_1_worker": one_cpu, "wall_s_2_workers": two,
                           "cpu_s_2_workers": two_cpu}

    if not args.skip_sweep:
        n_tasks = 8 if args.quick else 16
        print("\n4. Sweep on a 2-worker Dask LocalCluster", flush=True)
        res = time_sweep(n_tasks)
        if res is None:
            print("  sweep module not available")
        else:
            frac = res["overhead_s"] / res["default_task_s"]
            print(f"  cluster start-up {res['startup_s']:.1f} s (once per sweep); "
                  f"{res['tasks']:.0f} small tasks (1 mouse/arm, 14 days) in "
                  f"{res['wall_s']:.1f} s = {res['tasks_per_min']:.1f} tasks/min; "
                  f"mean task compute {res['task_s']:.2f} s")
            print(f"  overhead {res['overhead_s']:.3f} s/task ({100 * res['overhead_fraction']:.1f}"
                  f" % of a small task); default-size task (configs/sweeps/cci779_dose.yaml) "
                  f"{res['default_task_s']:.1f} s -> overhead {100 * frac:.2f} % "
                  f"(target < {100 * TARGET_OVERHEAD:.0f} %: "
                  f"{'MET' if frac < TARGET_OVERHEAD else 'NOT MET'})")
            record["sweep"] = res

    bandwidth = copy_bandwidth_gb_per_s()
    limit = bandwidth * 1e9 / (2 * state)
    print("\n5. Memory bandwidth and the limit it sets", flush=True)
    print(f"  numpy copy, one core: {bandwidth:.1f} GB/s (read + write). A step that read and "
          f"wrote each state array once ({state:.0f} B/agent) would move {2 * state:.0f} B/agent: "
          f"limit {limit / 1e6:,.0f} M agent-steps/s ({1e9 / limit:.2f} ns per agent-step)")
    for n in sorted(all_vec):
        r = all_vec[n]
        print(f"  vectorised at {n:>10,} agents: {1e9 / r.cpu_rate:6.1f} ns per agent-step (CPU) "
              f"= {100 * r.cpu_rate / limit:.1f} % of the limit")
    record["bandwidth"] = {"copy_gb_per_s": bandwidth, "limit_agent_steps_per_s": limit,
                           "fraction_of_limit_at_1e6": all_vec[1_000_000].cpu_rate / limit}

    help_s, bare_s = import_seconds()
    print("\n6. Start-up", flush=True)
    print(f"  `xenosim --help`: {help_s:.2f} s (a bare python start-up: {bare_s:.2f} s); "
          f"target < 0.5 s: {'MET' if help_s < 0.5 else 'NOT MET'}")
    record["startup"] = {"help_s": help_s, "bare_python_s": bare_s}
    if args.json:
        args.json.write_text(json.dumps(record, indent=2, default=float))
        print(f"\nnumbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
