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

#: Display titles of the built-in cell lines, the same in every figure of a run and its analysis.
CELL_LINE_TITLES: dict[str, str] = {"mcf7_vector": "MCF-7 vector", "mcf7_myr_akt": "MCF-7 myr-Akt"}

#: Line styles for cell lines when they share a panel.
CELL_LINE_STYLES: dict[str, str] = {"mcf7_vector": "-", "mcf7_myr_akt": "--"}


#: Colour-blind-safe colours assigned in order to arms without a fixed colour: Okabe & Ito
#: (2008), then Paul Tol's muted scheme for studies with many arms.
CB_PALETTE: list[str] = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00",
                         "#f0e442", "#332288", "#88ccee", "#44aa99", "#117733", "#999933",
                         "#cc6677", "#882255", "#aa4499", "#ddcc77"]
#: Colour of any arm beyond the palette (a study with more than 16 arms).
OVERFLOW_COLOUR = "#777777"


def assign_arm_colours(arms) -> dict[str, str]:
    """One colour per arm for a whole figure set: the paper's arms keep their fixed colours
    (unless an earlier arm already holds that colour), the others take the next unused palette
    colour in arm order, so no two arms of a figure set share a colour (up to 16 + fixed)."""
    arms = list(dict.fromkeys(arms))
    out: dict[str, str] = {}
    used: set[str] = set()
    for a in arms:
        c = ARM_COLOURS.get(a)
        if c is not None and c not in used:
            out[a] = c
            used.add(c)
    free = iter([c for c in CB_PALETTE if c not in used])
    for a in arms:
        if a not in out:
            out[a] = next(free, OVERFLOW_COLOUR)
    return out


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
