"""Bad input gets a one-screen error naming file, key path, value and what is allowed; exit 2;
no result directory is written."""

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from xenosim.cli import app

runner = CliRunner()


def _run(tmp_path: Path, text: str):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    out = tmp_path / "results"
    res = runner.invoke(app, ["run", str(cfg), "--out", str(out), "--quiet", "--jobs", "1"])
    return res, out


def _with(tmp_path, mutate, raw):
    mutate(raw)
    return _run(tmp_path, yaml.safe_dump(raw))


CASES = {
    "unknown key": (lambda r: r.update({"mice_per_armm": 3}), ["mice_per_armm", "mice_per_arm"]),
    "unknown drug": (
        lambda r: r["arms"]["control"].update(
            {"regimens": [{"drug": "tamoxifem", "dose": 1, "route": "sc"}]}),
        ["arms.control.regimens[0].drug", "tamoxifem", "tamoxifen"]),
    "negative dose": (
        lambda r: r["arms"]["control"].update(
            {"regimens": [{"drug": "cci779", "dose": -5, "route": "ip"}]}),
        ["arms.control.regimens[0].dose", "-5", "greater than 0"]),
    "schedule past study end": (
        lambda r: r["arms"]["control"].update(
            {"regimens": [{"drug": "cci779", "dose": 5, "route": "ip", "start_day": 99}]}),
        ["arms.control.regimens[0].start_day", "99", "study end", "0 to study_days"]),
    "wrong type": (lambda r: r.update({"study_days": "eight weeks"}),
                   ["study_days", "eight weeks", "number"]),
    "unreadable schedule": (
        lambda r: r["arms"]["control"].update(
            {"regimens": [{"drug": "cci779", "dose": 5, "route": "ip",
                           "schedule": "twice on sundays"}]}),
        ["schedule", "twice on sundays", "daily x5 every 7 days"]),
    "route not available": (
        lambda r: r["arms"]["control"].update(
            {"regimens": [{"drug": "cci779", "dose": 5, "route": "pellet", "release_days": 5}]}),
        ["arms.control.regimens[0]", "route", "ip"]),
    "unknown parameter": (lambda r: r.update({"parameters": {"kd_e2": 1.0}}),
                          ["parameters", "kd_e2", "kd_e2_nM"]),
}


@pytest.mark.parametrize("case", CASES)
def test_invalid_config_is_reported_and_nothing_written(tmp_path, case, small_raw):
    mutate, expected = CASES[case]
    res, out = _with(tmp_path, mutate, small_raw())
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert "bad.yaml" in text
    for piece in expected:
        assert piece in text, (piece, text)
    assert "Traceback" not in res.output
    assert not out.exists()


def test_missing_file(tmp_path):
    res = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "not found" in res.output and "nope.yaml" in res.output


def test_yaml_syntax_error_names_line(tmp_path):
    res, out = _run(tmp_path, "experiment: x\narms: {control: [\n")
    assert res.exit_code == 2
    assert "YAML syntax error" in res.output and "line" in res.output
    assert not out.exists()


def test_validate_accepts_the_default_config():
    res = runner.invoke(app, ["validate", "configs/degraffenried2004.yaml"])
    assert res.exit_code == 0, res.output


def test_set_overrides_a_nested_key_and_bad_ones_are_located(tmp_path):
    from xenosim.core.config import parse_settings
    from xenosim.xenograft.config import load_experiment

    exp = load_experiment("configs/degraffenried2004.yaml", parse_settings(
        ["mechanisms.ser167_er_link=false", "study_days=28"], "x"))
    assert exp.mechanisms.ser167_er_link is False and exp.study_days == 28
    for bad, expected in [("mechanisms.ser167_link=false", ["mechanisms.ser167_link",
                                                            "ser167_er_link"]),
                          ("study_days", ["--set", "KEY.PATH=VALUE"]),
                          ("seed.x=1", ["seed", "not a mapping"])]:
        res = runner.invoke(app, ["run", "configs/degraffenried2004.yaml", "--set", bad,
                                  "--out", str(tmp_path / "r"), "--quiet"])
        assert res.exit_code == 2, res.output
        text = " ".join(res.output.split())
        assert all(piece in text for piece in expected), text
        assert "Traceback" not in res.output and not (tmp_path / "r").exists()
