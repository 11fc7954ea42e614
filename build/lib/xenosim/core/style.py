"""Figure style shared by every plot: one colour per arm name, everywhere."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

#: Fixed colours for the arm names used by the built-in experiments (colour-blind safe palette).
ARM_COLOURS: dict[str, str] = {
    "control": "#4d4d4d",
    "tamoxifen": "#0072b2",
    "cci779": "#e69f00",
    "tamoxifen+cci779": "#009e73",
    "estrogen_withdrawal": "#cc79a7",
    # virtual-patient trials: endocrine therapy alone in blues, with an mTOR inhibitor in greens
    "letrozole": "#56b4e9",
    "exemestane": "#56b4e9",
    "letrozole+temsirolimus": "#009e73",
    "exemestane+everolimus": "#009e73",
    "tamoxifen+everolimus": "#009e73",
    "letrozole+everolimus": "#009e73",
    "everolimus": "#e69f00",  # a rapalog alone: the CCI-779 colour
    "fulvestrant": "#d55e00",
    "mln0128": "#8c564b",
}
_EXTRA = sns.color_palette("tab10", 10).as_hex()

#: Colours of the ER-activity shares by source, the same in the report, the teaching page and the
#: lessons: E2-bound vermillion, tamoxifen-bound sky blue, Ser167-phosphorylated purple.
ER_SHARE_COLOURS: dict[str, str] = {"er_share_e2": "#d55e00", "er_share_tamoxifen": "#56b4e9",
                                    "er_share_ser167": "#6a3d9a"}

#: Line styles for cell lines when they share a panel.
CELL_LINE_STYLES: dict[str, str] = {"mcf7_vector": "-", "mcf7_myr_akt": "--"}


def arm_colour(arm: str) -> str:
    """Colour of an arm: fixed for known names, a stable hash-based pick otherwise."""
    if arm in ARM_COLOURS:
        return ARM_COLOURS[arm]
    return _EXTRA[sum(map(ord, arm)) % len(_EXTRA)]


def arm_palette(arms) -> dict[str, str]:
    """Palette dict for seaborn's ``hue=`` over the given arm names."""
    return {a: arm_colour(a) for a in arms}


def apply_style() -> None:
    """Readable defaults for all xenosim figures."""
    sns.set_theme(context="notebook", style="whitegrid")
    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 130, "savefig.bbox": "tight"})
