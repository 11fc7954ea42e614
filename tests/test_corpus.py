"""The bad-input corpus (tests/corpus/, written by make_corpus.py): every case is refused with
exit code 2, no traceback, a message naming the file (or address) and the key or row, and no
output directory left behind. In-process (typer CliRunner), so the whole corpus takes seconds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xenosim.cli import app

CORPUS = Path(__file__).parent / "corpus"
CASES = json.loads((CORPUS / "cases.json").read_text())
ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _flat(text: str) -> str:
    return "".join(text.split()).lower()


def _invoke(args: list[str]):
    res = runner.invoke(app, args)
    return res, res.output


def _args(case: dict, path: Path, out: Path) -> list[str]:
    cmd = case["command"]
    if cmd == "xenograft":
        return ["run", str(path), "--out", str(out), "--quiet", "--jobs", "1", "--no-analyze"]
    if cmd == "sweep":
        return ["sweep", str(path), "--out", str(out), "--quiet", "--workers", "1"]
    if cmd == "calibration":
        return ["calibrate", str(path), "--out", str(out), "--quiet", "--workers", "1"]
    if cmd == "analyze":
        size = (["--volume", "volume"] if "volume" in path.read_text(errors="replace")[:200]
                else ["--length", "length", "--width", "width"])
        if "wide" in path.stem:  # a wide table: every day column holds a volume
            size = []
        return ["analyze", str(path), "--out", str(out / "analysis"), "--n-boot", "50", *size]
    if cmd == "scheduler":
        return ["run", str(ROOT / "configs" / "degraffenried2004.yaml"), "--scheduler",
                path.read_text().strip(), "--out", str(out), "--quiet", "--no-analyze"]
    raise AssertionError(cmd)


def _check(res, text: str, named: str, expect: list[str], out: Path) -> None:
    assert res.exit_code == 2, f"exit {res.exit_code}: {text[-600:]}"
    assert "Traceback" not in text
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    flat = _flat(text)
    assert _flat(named) in flat, f"message does not name {named!r}: {text[-600:]}"
    for word in expect:
        assert _flat(word) in flat, f"message lacks {word!r}: {text[-600:]}"
    assert not out.exists() or not any(out.iterdir()), f"output left: {list(out.rglob('*'))}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case_is_refused_cleanly(case: dict, tmp_path: Path) -> None:
    path = CORPUS / case["file"]
    out = tmp_path / "out"
    res, text = _invoke(_args(case, path, out))
    named = path.read_text().strip() if case["command"] == "scheduler" else path.name
    _check(res, text, named, case["expect"], out)


def test_corpus_is_large_and_covers_every_kind() -> None:
    kinds = {c["id"].split("/")[0] for c in CASES}
    assert len(CASES) >= 150
    assert kinds >= {"xenograft", "invitro", "patients", "sweep", "calibration", "calipers",
                     "schedulers"}


def _special_files(tmp_path: Path) -> dict[str, tuple[Path, list[str]]]:
    big = tmp_path / "big.yaml"
    big.write_text("experiment: big\ndescription: " + "x" * 2_000_000 + "\n")
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    return {"big": (big, ["too large"]), "fifo": (fifo, ["not a regular file"]),
            "dev_zero": (Path("/dev/zero"), ["not a regular file"]),
            "directory": (folder, ["directory"]),
            "missing": (tmp_path / "missing.yaml", ["not found"])}


@pytest.mark.parametrize("name", ["big", "fifo", "dev_zero", "directory", "missing"])
@pytest.mark.parametrize("command", ["run", "validate", "sweep", "calibrate"])
def test_files_that_could_hang_or_exhaust_memory(name: str, command: str, tmp_path: Path) -> None:
    """A FIFO or /dev/zero as a config would block or read forever; a huge file would exhaust
    memory: each is refused at once (the FIFO test would hang on a broken version)."""
    path, expect = _special_files(tmp_path)[name]
    out = tmp_path / "out"
    args = [command, str(path)] + ([] if command == "validate" else ["--out", str(out)])
    res, text = _invoke(args)
    _check(res, text, path.name, expect, out)


def test_a_caliper_table_of_a_million_rows_is_refused_at_once(tmp_path: Path) -> None:
    """10^6 rows (generated here, not committed): refused with the bound before any parsing,
    in well under the minutes an analysis of it would take with no word."""
    import time

    from xenosim.analysis.tables import MAX_TABLE_ROWS

    path = tmp_path / "million.csv"
    with open(path, "w") as fh:
        fh.write("mouse,arm,day,length,width\n")
        fh.writelines(f"m{i // 50},{'control' if i % 2 else 'treated'},{i % 50},9,6\n"
                      for i in range(10**6))
    out = tmp_path / "out"
    t0 = time.process_time()
    res, text = _invoke(["analyze", str(path), "--out", str(out / "analysis"), "--n-boot", "50",
                         "--length", "length", "--width", "width"])
    cpu_s = time.process_time() - t0
    _check(res, text, path.name, ["1,000,000", f"{MAX_TABLE_ROWS:,}", "line"], out)
    assert cpu_s < 5, f"{cpu_s:.1f} s of CPU to refuse the table"
