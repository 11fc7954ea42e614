"""A sweep response can be a contrast of two arms (the headline effect), task by task."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from xenosim.core.config import ConfigErrors
from xenosim.sweep.analysis import point_responses
from xenosim.sweep.config import Response, load_sweep

ROOT = Path(__file__).resolve().parents[1]


def test_contrast_response_is_the_difference_per_task_then_the_mean_per_point():
    results = pd.DataFrame({
        "task": ["t0", "t0", "t1", "t1", "t2", "t2"],
        "cell_line": ["L"] * 6,
        "arm": ["combo", "tam"] * 3,
        "growth_rate_per_day": [0.02, 0.05, 0.01, 0.06, 0.03, 0.03],
    })
    table = pd.DataFrame({"task": ["t0", "t1", "t2"], "point": [0, 0, 1]})
    plain = point_responses(None, results, table, Response(cell_line="L", arm="combo"))
    contrast = point_responses(None, results, table,
                               Response(cell_line="L", arm="combo", relative_to="tam"))
    assert plain.tolist() == pytest.approx([0.015, 0.03])  # by hand: means of the combo arm
    assert contrast.tolist() == pytest.approx([(-0.03 - 0.05) / 2, 0.0])


def test_headline_screen_config_and_bad_contrasts(tmp_path):
    loaded = load_sweep(ROOT / "configs" / "sweeps" / "headline_morris.yaml")
    assert loaded.config.response.relative_to == "tamoxifen"
    raw = yaml.safe_load((ROOT / "configs" / "sweeps" / "headline_morris.yaml").read_text())
    raw["base"] = str(ROOT / "configs" / "degraffenried2004.yaml")
    for bad, word in (("nonsense", "not an arm"), ("tamoxifen+cci779", "must differ")):
        raw["response"]["relative_to"] = bad
        path = tmp_path / "bad.yaml"
        path.write_text(yaml.safe_dump(raw))
        with pytest.raises(ConfigErrors) as exc:
            load_sweep(path)
        assert word in str(exc.value.errors[0].format())
