"""What a user sees of the package: built-in configs from any directory, tables as CSV / JSON,
bad filter values refused, the licence, no internal tracker wording."""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from xenosim.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_list_finds_the_packaged_configs_outside_the_repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./configs here
    res = CliRunner().invoke(app, ["list", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["Experiments"]
    shipped = sorted(p.name for p in (ROOT / "configs").glob("*.yaml"))
    assert sorted(Path(r["config"]).name for r in rows) == shipped
    assert all(r["experiment"] != "invalid" for r in rows)
    # and such a name runs / validates from here
    res = CliRunner().invoke(app, ["validate", "configs/degraffenried2004.yaml"])
    assert res.exit_code == 0, res.output


def test_params_as_csv_and_json_agree_with_the_registry():
    from xenosim.core.parameters import PARAMETERS

    res = CliRunner().invoke(app, ["params", "--format", "csv", "--grade", "measured"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert rows and {r["grade"] for r in rows} == {"measured"}
    first = next(r for r in rows if r["name"] in PARAMETERS)
    assert float(first["value"]) == PARAMETERS[first["name"]].value
    res = CliRunner().invoke(app, ["params", "--format", "json"])
    data = json.loads(res.output)["Model parameters"]
    assert {d["name"] for d in data} >= set(PARAMETERS)
    assert all(isinstance(d["value"], float) for d in data)


def test_unknown_filter_and_format_values_are_refused():
    for args, word in ((["params", "--grade", "bogus"], "measured"),
                       (["params", "--format", "xml"], "json"),
                       (["list", "--format", "xml"], "json")):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 2 and word in res.output, (args, res.output)
        assert "Traceback" not in res.output


def test_licence_file_and_spdx_string():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_no_internal_tracker_wording_in_what_users_see():
    pattern = re.compile(r"issue rule|issue #?\d+|\bissue \d+|see the issue|(?<!resource )tracker", re.I)
    hits = []
    for folder in ("configs", "xenosim", "experiments", "docs"):
        for f in (ROOT / folder).rglob("*"):
            if f.is_file() and f.suffix in {".py", ".yaml", ".md", ".txt", ".html"}:
                for n, line in enumerate(f.read_text(errors="ignore").splitlines(), 1):
                    if pattern.search(line):
                        hits.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not hits, "\n".join(hits)


def test_run_directory_names_and_records_the_overrides(tmp_path, no_run_figures):
    import yaml
    from conftest import small_config_dict

    from xenosim.xenograft.output import overrides_hash

    cfg = tmp_path / "small.yaml"
    cfg.write_text(yaml.safe_dump(small_config_dict(mice_per_arm=1, study_days=7)))
    setting = "mechanisms.ser167_er_link=false"
    res = CliRunner().invoke(app, ["run", str(cfg), "--out", str(tmp_path / "out"), "--quiet",
                                   "--no-analyze", "--jobs", "1", "--set", setting])
    assert res.exit_code == 0, res.output
    (run,) = (tmp_path / "out").glob("*/*/")
    h = overrides_hash({"mechanisms.ser167_er_link": False})
    assert len(h) == 8 and f"-seed2004-set{h}-" in run.name  # then the unique suffix
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["overrides"] == {"mechanisms.ser167_er_link": False}
    assert manifest["overrides_hash"] == h
    assert "mechanisms.ser167_er_link=False" in (run / "report.md").read_text()
    assert overrides_hash({}) == "" and overrides_hash({"a": 1}) != overrides_hash({"a": 2})


def test_analyze_reuses_the_runs_own_seed(tmp_path, monkeypatch):
    import xenosim.analysis.data as data
    import xenosim.analysis.pipeline as pipeline

    seen = {}

    class Stop(Exception):
        pass

    def fake_analyze(data, target, **kw):
        seen.update(kw)
        raise Stop

    import xenosim.analysis.cli as analysis_cli

    monkeypatch.setattr(data, "load_results_dir", lambda p: object())
    monkeypatch.setattr(analysis_cli, "_resolve_arms", lambda d, control, combo: (control, combo))
    monkeypatch.setattr(pipeline, "analyze", fake_analyze)
    (tmp_path / "manifest.json").write_text(json.dumps({"seed": 2004}))
    CliRunner().invoke(app, ["analyze", str(tmp_path)])
    assert seen["seed"] == 2004
    CliRunner().invoke(app, ["analyze", str(tmp_path), "--seed", "7"])
    assert seen["seed"] == 7


def test_set_of_a_key_that_also_has_an_option_is_applied(tmp_path, no_run_figures):
    """--set mice_per_arm=2 / seed=7 without --mice-per-arm / --seed: the unset options must not
    undo the --set (they once did: the run used the config's values and the manifest lied)."""
    import yaml
    from conftest import small_config_dict

    cfg = tmp_path / "small.yaml"
    cfg.write_text(yaml.safe_dump(small_config_dict(mice_per_arm=1, study_days=7)))
    res = CliRunner().invoke(app, ["run", str(cfg), "--out", str(tmp_path / "out"), "--quiet",
                                   "--no-analyze", "--jobs", "1", "--set", "mice_per_arm=2",
                                   "--set", "seed=7"])
    assert res.exit_code == 0, res.output
    (run,) = (tmp_path / "out").glob("*/*/")
    resolved = yaml.safe_load((run / "config.yaml").read_text())
    assert resolved["mice_per_arm"] == 2 and resolved["seed"] == 7
    mice = (run / "mice.csv").read_text().splitlines()[1:]
    assert sum(",True," in m for m in mice) == 2 * 2 * 2  # 2 lines x 2 arms x 2 mice enrolled
