"""Number formatting a biologist can read, shared by every report. (The reports themselves are
templates: ``templates/common/blocks.j2`` renders a report as self-contained HTML and as
Markdown.)"""

from __future__ import annotations

import numpy as np


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
