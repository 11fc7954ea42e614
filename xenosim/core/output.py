"""Results on disk for every run kind: preflight, atomic directories, the manifest.

Policy (never delete what the project did not write):

* Runs are written into a hidden ``.<name>.<pid>.partial`` directory beside the final one and
  renamed into place only when complete; a failed or interrupted run removes its partial
  directory, and one left by a killed process (its pid gone) is removed by the next write into
  the same place. Run ids are unique (a random suffix), so concurrent runs never share one.
* A directory of several files written in one go (an analysis, a comparison) replaces an
  existing directory only if that directory is empty or holds nothing but a previous output of
  the same kind (identified by the :data:`OWN_MARKER` file listing what it wrote); any other
  non-empty directory (a user's folder, ``$PWD``, a run directory) is refused, untouched.
* :func:`preflight_output` checks, before any simulation, that the output location can be
  created and written and has room; every OSError while writing becomes an
  :class:`OutputError` (path and reason) that the CLI prints as one line with exit code 2.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = ("xenosim", "mesa", "numpy", "pandas", "scipy", "pydantic", "matplotlib", "seaborn",
            "statsmodels")

#: The file that marks a directory as one this project wrote (kind and files written).
OWN_MARKER = ".xenosim-output.json"
_PARTIAL = re.compile(r"^\..+\.(\d+)\.partial$")


class OutputError(Exception):
    """An output location that cannot be (or must not be) written: the path and the reason."""

    def __init__(self, path: str | Path, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"cannot write {self.path}: {reason}")


def as_output_error(exc: OSError, fallback: str | Path) -> OutputError:
    """An OSError while writing as an OutputError naming the file and the reason."""
    if isinstance(exc, OutputError):
        return exc
    where = exc.filename or fallback
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "no space left on the device"
    return OutputError(where, reason)


def new_run_id(seed: int, tag: str = "") -> str:
    """A sortable, readable, unique run id: UTC time, seed, an optional ``tag`` (e.g. the hash of
    a run's overrides) and a short random suffix (two runs started in the same second into one
    ``--out`` never collide)."""
    middle = f"-{tag}" if tag else ""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-seed{seed}{middle}-{secrets.token_hex(5)}"


def _existing_ancestor(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def preflight_output(root: str | Path, *, need_bytes: int = 0) -> Path:
    """Check, before any work, that ``root`` is (or can be created as) a writable directory with
    about ``need_bytes`` free; raise :class:`OutputError` otherwise. Creates nothing."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise OutputError(root, "it exists and is not a directory")
    base = _existing_ancestor(root)
    if not base.is_dir():
        raise OutputError(root, f"{base} is a file, so the directory cannot be created")
    try:
        fd, probe = tempfile.mkstemp(prefix=".xenosim-probe-", dir=base)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(root if root == base else base,
                          f"not writable ({exc.strerror or exc})") from None
    if need_bytes > 0:
        free = shutil.disk_usage(base).free
        if free < need_bytes:
            raise OutputError(root, f"needs ~{_size(need_bytes)} but only {_size(free)} is free")
    return root


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_partials(parent: Path) -> list[Path]:
    """Remove ``.<name>.<pid>.partial`` directories in ``parent`` whose process is gone (left by
    a SIGKILL); those of live processes (a concurrent run) are left alone."""
    removed = []
    try:
        entries = list(Path(parent).iterdir())
    except OSError:
        return removed
    for p in entries:
        m = _PARTIAL.match(p.name)
        if m and p.is_dir() and not p.is_symlink() and not _pid_alive(int(m[1])):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def _partial_for(final: Path) -> Path:
    return final.parent / f".{final.name}.{os.getpid()}.partial"


@contextmanager
def atomic_directory(final: Path) -> Iterator[Path]:
    """Yield a temporary directory that becomes ``final`` only if the block completes; an
    OSError inside becomes an :class:`OutputError` and the temporary directory is removed.
    ``final`` must not exist (run directories are new, with unique ids)."""
    final = Path(final)
    tmp = _partial_for(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_partials(final.parent)
        if final.exists():
            raise OutputError(final, "it already exists; nothing was overwritten")
        tmp.mkdir()
    except OSError as exc:
        raise as_output_error(exc, final) from None
    try:
        yield tmp
        if final.exists():
            raise OutputError(final, "it already exists; nothing was overwritten")
        os.rename(tmp, final)
    except OutputError:
        raise
    except OSError as exc:
        raise as_output_error(exc, final) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _marker(directory: Path) -> dict | None:
    try:
        data = json.loads((directory / OWN_MARKER).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _all_files(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*")
            if not p.is_dir()}


def check_replaceable(out_dir: str | Path, kind: str) -> None:
    """Refuse (OutputError) an ``out_dir`` that exists and is not empty unless it is a previous
    output of this ``kind`` holding nothing but the files that output wrote. Call it before the
    work as a preflight; :func:`write_files_atomically` calls it again before replacing."""
    out_dir = Path(out_dir)
    if not out_dir.exists():
        preflight_output(out_dir.parent)
        return
    if not out_dir.is_dir() or out_dir.is_symlink():
        raise OutputError(out_dir, "it exists and is not a directory")
    try:
        present = _all_files(out_dir)
        has_dirs = any(out_dir.iterdir())
    except OSError as exc:
        raise as_output_error(exc, out_dir) from None
    if not has_dirs:
        return
    mark = _marker(out_dir)
    hint = f"choose a new or empty directory, e.g. {out_dir / kind}"
    if mark is None or mark.get("kind") != kind:
        what = "a xenosim run" if (out_dir / "manifest.json").exists() else "not empty"
        raise OutputError(out_dir, f"it is {what} and not a previous {kind} output; refusing to "
                                   f"replace it ({hint})")
    own = set(mark.get("files", [])) | {OWN_MARKER}
    foreign = sorted(present - own)
    if foreign:
        shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        raise OutputError(out_dir, f"it holds files a previous {kind} did not write ({shown}); "
                                   f"refusing to replace it ({hint})")


def write_files_atomically(out_dir: str | Path, files: dict[str, bytes], kind: str) -> None:
    """Write ``files`` (relative path -> bytes) as the directory ``out_dir``, atomically.

    The files go into a partial directory beside ``out_dir`` with an :data:`OWN_MARKER`; it is
    renamed into place only when complete. An existing ``out_dir`` is replaced only if
    :func:`check_replaceable` allows it (empty, or a previous ``kind`` output with only its own
    files); anything else raises :class:`OutputError` and nothing is touched."""
    out_dir = Path(out_dir)
    for rel in files:
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise ValueError(f"not a relative path inside the output: {rel!r}")
    check_replaceable(out_dir, kind)
    tmp = _partial_for(out_dir)
    old = out_dir.parent / f".{out_dir.name}.{os.getpid()}.old.partial"
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_partials(out_dir.parent)
        tmp.mkdir()
        for rel, data in files.items():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        (tmp / OWN_MARKER).write_text(json.dumps(
            {"kind": kind, "files": sorted(files), "created_utc":
             datetime.now(UTC).isoformat(timespec="seconds")}, indent=1))
        check_replaceable(out_dir, kind)  # again: it may have changed while we computed
        if out_dir.exists():
            if any(out_dir.iterdir()):
                os.rename(out_dir, old)
            else:
                out_dir.rmdir()
        os.rename(tmp, out_dir)
    except OSError as exc:
        if old.exists() and not out_dir.exists():
            os.rename(old, out_dir)
        raise as_output_error(exc, out_dir) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)  # held only our own previous files (checked above)


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
        "files": sorted(p.name for p in tmp.iterdir() if p.name != "manifest.json")
        + ["manifest.json"],
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


