"""Results on disk for every run kind: atomic run directories and the manifest.

Everything is written into a hidden ``.<run-id>.partial`` directory beside the final one, which is
renamed into place only when complete; an interrupted or failed run removes its partial directory,
so nothing half-written ever looks like a result.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = ("xenosim", "mesa", "numpy", "pandas", "scipy", "pydantic", "matplotlib", "seaborn",
            "statsmodels")


@contextmanager
def atomic_directory(final: Path) -> Iterator[Path]:
    """Yield a temporary directory that becomes ``final`` only if the block completes."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{final.name}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        if final.exists():
            raise FileExistsError(f"{final} already exists")
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_manifest(tmp: Path, *, experiment: str, run_id: str, seed: int,
                   config_path: str | None, elapsed_s: float, jobs: int, warnings: list[str],
                   extra_files: list[str] | None = None, **fields) -> None:
    """``manifest.json`` of a run directory (every run kind): identity, seed, timing, versions,
    git SHA, command line and the files written; ``fields`` adds what is specific to the kind.
    Written last into the temporary directory, so it lists every file of the run."""
    manifest = {
        "experiment": experiment, **{k: v for k, v in fields.items() if k == "mode"},
        "run_id": run_id, "seed": seed, "config_file": config_path,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed_s, 2), "jobs": jobs,
        **{k: v for k, v in fields.items() if k != "mode"},
        "warnings": warnings, "versions": package_versions(), "git_sha": _git_sha(),
        "platform": platform.platform(), "argv": sys.argv[1:],
        "files": sorted(p.name for p in tmp.iterdir()) + ["manifest.json"],
        "extra_files": extra_files or [], "timestamp": time.time(),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=_plain))


def _plain(v):
    """numpy scalars in a manifest are written as plain numbers."""
    if hasattr(v, "item"):
        return v.item()
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")


def package_versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    """Versions of Python and of the packages a result depends on (plus ``extra``)."""
    out = {"python": platform.python_version()}
    for pkg in PACKAGES + tuple(p for p in extra if p not in PACKAGES):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _git_sha() -> str | None:
    try:
        here = Path(__file__).resolve().parent
        res = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5)
        return res.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


