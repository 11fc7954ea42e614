"""Report templates: every shipped template parses, and the Markdown table filter formats as the
reports need (a hand-written expected table)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from jinja2 import UndefinedError

from xenosim.core.templates import environment, md_table, render


def test_every_template_parses():
    names = [n for n in environment().list_templates() if n.endswith(".j2")]
    assert {"xenograft/report.md.j2", "invitro/report.md.j2", "patients/report.md.j2"} <= set(names)
    for name in names:
        environment().get_template(name)


def test_md_table_formats_floats_and_missing_values():
    df = pd.DataFrame({"arm": ["a", "b"], "mean (mm³)": [1.234, math.nan], "n": [3, 4]})
    assert md_table(df) == ("| arm | mean (mm³) | n |\n|---|---|---|\n"
                            "| a | 1.2 | 3 |\n| b | – | 4 |")


def test_a_missing_value_is_an_error_not_a_blank():
    with pytest.raises(UndefinedError):
        render("patients/report.md.j2")
