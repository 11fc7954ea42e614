"""``analyze`` and ``compare_runs``: from caliper data to tables, figures and a report, atomically.

Three steps, each in its own module: compute every table (``analysis.compute``), draw every figure
(``analysis.draw``), render the report from its template (``analysis.render`` with
``templates/analysis/report.j2``). All of it happens in memory first; only then is a temporary
directory beside the output filled and renamed into place, so a failure never leaves something
that looks like a finished analysis.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from xenosim.analysis import figures as F  # noqa: F401  (tests patch figures through here)
from xenosim.analysis.compare import compare_files
from xenosim.analysis.compute import compute
from xenosim.analysis.data import CaliperData, load_results_dir
from xenosim.analysis.draw import draw_figures
from xenosim.analysis.errors import DEFAULT_COMBINATION
from xenosim.analysis.keycomp import DEFAULT_KEY
from xenosim.analysis.keycomp import fmt_syn_p as _fmt_syn_p  # noqa: F401  (kept for callers)
from xenosim.analysis.keycomp import key_comparison as build_key
from xenosim.analysis.mixed import MixedModelResult
from xenosim.analysis.render import render_report
from xenosim.core.output import write_files_atomically

__all__ = ["DEFAULT_KEY", "AnalysisResult", "analyze", "compare_runs"]


@dataclass
class AnalysisResult:
    """What ``analyze`` produced: the tables (as written), figure files and report paths."""

    out_dir: Path
    tables: dict[str, pd.DataFrame]
    figures: dict[str, Path]
    report_html: Path
    report_md: Path
    key_comparison: dict | None = None
    mixed_models: dict[str, MixedModelResult] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, float_format="%.6g").encode()


def _as_data(data) -> CaliperData:
    if isinstance(data, CaliperData):
        return data
    return load_results_dir(data)


def analyze(
    data: CaliperData | str | Path,
    out_dir: str | Path,
    *,
    control_arm: str = "control",
    combination: tuple[str, str, str] | None = DEFAULT_COMBINATION,
    n_boot: int = 1000,
    seed: int = 0,
    p_adjust: str = "holm",
    log_scale: bool = False,
    key_comparison: tuple[str, str, str] | None = DEFAULT_KEY,
    synergy_metrics: tuple[str, ...] = ("bliss", "hsa", "response_additivity"),
) -> AnalysisResult:
    """Compare arms like a xenograft paper: statistics tables (CSV), figures (PNG) and a report
    (``report.html`` self-contained, ``report.md``) written atomically into ``out_dir``.

    Comparisons are made within a cell line against ``control_arm``. ``combination`` names the
    (A, B, A+B) arms for Bliss / HSA synergy; ``key_comparison`` = (cell line, arm 1, arm 2)
    gets its own section when present. ``n_boot`` bootstrap resamples use numpy's Generator
    seeded with ``seed``; ``p_adjust`` is a statsmodels multipletests method (holm, fdr_bh, ...).
    ``synergy_metrics``: any of ``synergy.METRICS`` (default Bliss on log relative volume, HSA,
    response additivity; ``bliss_rate`` = Bliss on growth-rate inhibition, bootstrap).
    """
    data = _as_data(data)
    out_dir = Path(out_dir)
    c = compute(data, control_arm=control_arm, combination=combination, n_boot=n_boot,
                seed=seed, p_adjust=p_adjust, synergy_metrics=synergy_metrics)
    c.key = build_key(c, key_comparison)
    figs = draw_figures(c, _png, log_scale)
    html, md = render_report(c, figs)
    tables = c.tables()
    files = {f"tables/{k}.csv": _csv(v) for k, v in tables.items()}
    files.update({f"figures/{k}.png": png for k, png in figs.items()})
    files["report.html"] = html.encode()
    files["report.md"] = md.encode()
    write_files_atomically(out_dir, files, kind="analysis")
    return AnalysisResult(
        out_dir=out_dir, tables=tables,
        figures={k: out_dir / "figures" / f"{k}.png" for k in figs},
        report_html=out_dir / "report.html", report_md=out_dir / "report.md",
        key_comparison=c.key, mixed_models=c.models, notes=c.notes,
    )


def compare_runs(
    run_a: CaliperData | str | Path,
    run_b: CaliperData | str | Path,
    out_dir: str | Path,
    *,
    p_adjust: str = "holm",
) -> pd.DataFrame:
    """Two runs side by side (e.g. an ablation): per (cell line, arm) growth rate in A and B,
    difference B − A with 95 % CI (Welch on per-mouse rates; paired when the same mouse ids
    appear in both), overlay figure and a small HTML / Markdown report, written atomically.
    Returns the comparison table."""
    table, files = compare_files(_as_data(run_a), _as_data(run_b), p_adjust, _png)
    write_files_atomically(Path(out_dir), files, kind="compare")
    return table
