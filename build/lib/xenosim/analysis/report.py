"""A report written once and rendered twice: self-contained HTML (figures as base64 PNG) and
Markdown (figures as files beside it). Plus number formatting a biologist can read.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1150px;margin:2em auto;
padding:0 1.2em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #333;padding-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #bbb}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.86em}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right;vertical-align:top}
th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}
caption{caption-side:top;text-align:left;font-weight:600;padding:.3em 0}
figure{margin:1em 0 2em}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9em;color:#444}.key{background:#f3f9f3;border:2px solid #009e73;
border-radius:6px;padding:.4em 1.2em 1em;margin:1.5em 0}.note{color:#8a4b00}
code{background:#f4f4f4;padding:0 3px}details{margin:.4em 0 1.2em}
.formula{font-family:Georgia,serif;background:#fafafa;border-left:3px solid #999;padding:.3em .8em}
"""


def fmt_num(x, digits: int = 3) -> str:
    """Number with a fixed number of decimals; blanks for NaN; ∞ for infinity."""
    if x is None:
        return "–"
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if np.isnan(x):
        return "–"
    if np.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.{digits}f}".replace("-", "−")


def fmt_ci(est, lo, hi, digits: int = 3) -> str:
    """``est [lo, hi]``."""
    return f"{fmt_num(est, digits)} [{fmt_num(lo, digits)}, {fmt_num(hi, digits)}]"


def fmt_p(p) -> str:
    """p-value: three decimals, or < 0.001."""
    if p is None or not np.isfinite(p):
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


@dataclass
class Document:
    """Accumulates report content and renders it as HTML and as Markdown."""

    title: str
    html_parts: list[str] = field(default_factory=list)
    md_parts: list[str] = field(default_factory=list)

    def heading(self, text: str, level: int = 2, anchor: str | None = None) -> None:
        aid = f' id="{anchor}"' if anchor else ""
        self.html_parts.append(f"<h{level}{aid}>{html.escape(text)}</h{level}>")
        self.md_parts.append(f"{'#' * level} {text}\n")

    def para(self, text: str, cls: str | None = None) -> None:
        c = f' class="{cls}"' if cls else ""
        self.html_parts.append(f"<p{c}>{html.escape(text)}</p>")
        self.md_parts.append(f"{'> ' if cls else ''}{text}\n")

    def bullets(self, items: list[str]) -> None:
        if not items:
            return
        self.html_parts.append(
            "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
        )
        self.md_parts.append("\n".join(f"- {i}" for i in items) + "\n")

    def formula(self, text: str) -> None:
        self.html_parts.append(f'<p class="formula">{html.escape(text)}</p>')
        self.md_parts.append(f"`{text}`\n")

    def table(self, df: pd.DataFrame, caption: str = "", collapsed: bool = False) -> None:
        if df is None or df.empty:
            return
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
            for row in df.itertuples(index=False)
        )
        cap = f"<caption>{html.escape(caption)}</caption>" if caption and not collapsed else ""
        tab = f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        if collapsed:
            tab = (f"<details><summary>{html.escape(caption)} (click to open)</summary>{tab}"
                   "</details>")
        self.html_parts.append(tab)
        md = []
        if caption:
            md.append(f"**{caption}**\n")
        md.append("| " + " | ".join(_md_cell(c) for c in df.columns) + " |")
        md.append("|" + "|".join("---" for _ in df.columns) + "|")
        for row in df.itertuples(index=False):
            md.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
        self.md_parts.append("\n".join(md) + "\n")

    def figure(self, png: bytes, relpath: str, caption: str) -> None:
        b64 = base64.b64encode(png).decode("ascii")
        self.html_parts.append(
            f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{b64}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
        self.md_parts.append(f"![{caption}]({relpath})\n\n*{caption}*\n")

    def raw_html(self, fragment: str, md: str = "") -> None:
        self.html_parts.append(fragment)
        if md:
            self.md_parts.append(md)

    def to_html(self) -> str:
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(self.title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{html.escape(self.title)}</h1>\n" + "\n".join(self.html_parts) + "\n</body></html>\n"
        )

    def to_markdown(self) -> str:
        return f"# {self.title}\n\n" + "\n".join(self.md_parts)


def _md_cell(v) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ")
