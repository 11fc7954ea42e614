"""Reports from templates: one Jinja2 environment for the Markdown and HTML reports of every mode.

Templates live in ``xenosim/templates/<mode>/`` (shipped as package data). The Python side
computes the numbers and tables; the template decides the words and layout, so a report can be
read and changed without reading code. Undefined names are errors, not silent blanks.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def md_table(df: pd.DataFrame, float_format: str = "{:.1f}", missing: str = "–") -> str:
    """A DataFrame as a Markdown table (floats formatted; NaN and inf shown as ``missing``)."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(str(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            if isinstance(v, (float, np.floating)):
                cells.append(float_format.format(v) if np.isfinite(v) else missing)
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def md_cell(value) -> str:
    """A value as one Markdown table cell (pipes escaped, no line breaks)."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def b64(payload: bytes) -> str:
    """Bytes (a PNG) as base64 text, for ``data:`` URIs in self-contained HTML."""
    return base64.b64encode(payload).decode("ascii")


def one_line(text: str) -> str:
    """Template prose (wrapped over lines in the template) as one line of text."""
    return " ".join(str(text).split())


@cache
def environment() -> Environment:
    """The shared environment (templates from the package; Markdown-friendly whitespace;
    ``*.html.j2`` templates are autoescaped, Markdown ones are not)."""
    env = Environment(loader=PackageLoader("xenosim", "templates"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      autoescape=select_autoescape(enabled_extensions=("html.j2",),
                                                   default_for_string=False, default=False))
    env.filters["md_table"] = md_table
    env.filters["md_cell"] = md_cell
    env.filters["b64"] = b64
    env.filters["one_line"] = one_line
    return env


def png_data_uri(path: Path) -> str:
    """A PNG as a ``data:`` URI, so an HTML report is one self-contained file."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def render(template: str, **context) -> str:
    """Render ``template`` (e.g. ``"xenograft/report.md.j2"``) with ``context``."""
    return environment().get_template(template).render(**context)
