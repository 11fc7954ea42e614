"""A small mutation harness: put plausible bugs into a copy of the package one at a time and see
which ones the tests catch.

Each mutant names a file, an exact snippet, its replacement and the tests that should kill it. The
harness copies the repository (package, tests, configs) into a temporary directory per mutant,
applies the change there (the working tree is never touched), runs the named tests and records
killed / survived / not applicable (snippet not found: the mutant list needs updating).

    python tools/mutants.py                 # every mutant
    python tools/mutants.py --only holm     # mutants whose name contains 'holm'
    python tools/mutants.py --list

Run on demand, not in CI (it runs the relevant tests once per mutant). The list lives in
``tools/mutant_list.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("xenosim", "tests", "configs", "experiments", "pyproject.toml")


@dataclass(frozen=True)
class Mutant:
    """One plausible bug: ``old`` (exact, must occur once) becomes ``new`` in ``file``."""

    name: str
    area: str  # biology | pharmacology | protocol | statistics | ...
    file: str
    old: str
    new: str
    tests: tuple[str, ...]
    why: str = ""


def _copy_repo(dest: Path) -> None:
    for item in COPIED:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, dest / item, ignore=shutil.ignore_patterns(
                "__pycache__", "*.pyc", ".pytest_cache", "results"))
        elif src.exists():
            shutil.copy2(src, dest / item)


def run_mutant(m: Mutant, timeout_s: float = 900.0) -> tuple[str, float, str]:
    """(status, seconds, detail): status is killed, survived, not-applicable or timeout."""
    with tempfile.TemporaryDirectory(prefix="xenosim-mutant-") as tmp:
        dest = Path(tmp)
        _copy_repo(dest)
        target = dest / m.file
        text = target.read_text()
        count = text.count(m.old)
        if count != 1:
            return "not-applicable", 0.0, f"snippet found {count} times in {m.file}"
        target.write_text(text.replace(m.old, m.new))
        env = dict(os.environ, PYTHONPATH=str(dest), MPLBACKEND="Agg")
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               "-m", "not browser", *m.tests]
        start = time.perf_counter()
        try:
            proc = subprocess.run(cmd, cwd=dest, env=env, capture_output=True, text=True,
                                  timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return "timeout", time.perf_counter() - start, ""
        elapsed = time.perf_counter() - start
        last = (proc.stdout.strip().splitlines() or [""])[-1]
        if proc.returncode == 0:
            return "survived", elapsed, last
        if proc.returncode in (1,):
            return "killed", elapsed, last
        return "killed", elapsed, f"pytest exit {proc.returncode}: {last}"


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT / "tools"))
    from mutant_list import MUTANTS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="run mutants whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if args.only in m.name]
    if args.list:
        for m in chosen:
            print(f"{m.area:13s} {m.name:45s} {m.file}")
        return 0
    results = []
    for m in chosen:
        status, seconds, detail = run_mutant(m)
        results.append((m, status))
        print(f"{status:15s} {seconds:6.1f}s  {m.area:13s} {m.name}  {detail}", flush=True)
    applicable = [s for _, s in results if s != "not-applicable"]
    killed = sum(s in ("killed", "timeout") for s in applicable)
    print(f"\nkilled {killed} of {len(applicable)} applicable mutants "
          f"({len(results) - len(applicable)} not applicable)")
    for m, s in results:
        if s == "survived":
            print(f"  SURVIVED: {m.name} ({m.file}): {m.why}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
