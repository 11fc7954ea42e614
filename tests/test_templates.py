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


def test_report_blocks_render_html_and_markdown_from_one_template():
    """common/blocks.j2: the same template text gives escaped HTML (figures embedded as base64)
    and Markdown (figures as files); hand-written expected output."""
    src = ('{% import "common/blocks.j2" as b with context %}'
           '{{ b.table({"columns": ["arm", "p"], "rows": [["a|b", "< 0.001"]]}, "Tests") }}'
           '{% call b.figure(figs, "km") %}Kaplan–Meier{% endcall %}')
    tpl = environment().from_string(src)
    html = tpl.render(html=True, figs={"km": b"\x89PNG"})
    assert ("<table><caption>Tests</caption><thead><tr><th>arm</th><th>p</th></tr></thead>"
            "<tbody><tr><td>a|b</td><td>&lt; 0.001</td></tr></tbody></table>") in html
    assert '<img alt="Kaplan–Meier" src="data:image/png;base64,iVBORw==">' in html
    md = tpl.render(html=False, figs={"km": b"\x89PNG"})
    assert "**Tests**\n\n| arm | p |\n|---|---|\n| a\\|b | < 0.001 |\n" in md
    assert "![Kaplan–Meier](figures/km.png)" in md and "base64" not in md
