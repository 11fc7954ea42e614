"""The four lessons: their page settings, and the runs behind each lesson's figures and claims.

Each lesson's text lives in ``experiments/lessons/lesson<N>_*.md`` (goal, settings, what to observe,
questions, answers); ``experiments/lessons/lesson<N>_*.py`` runs it and writes its figures. The
runs are here so the page (``xenosim app --lesson N``), the scripts and the tests share them.

Every run is a :class:`~xenosim.teaching.model.TeachingModel`: a treated tumour and its untreated
twin with the same seed, so "treated / twin" is the drug effect, not chance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from xenosim.teaching.model import TeachingModel

#: Where the lesson texts live: experiments/lessons in a source checkout, shipped with the
#: package as xenosim/teaching/lesson_texts (a link to it) so an installed page has them too.
LESSON_DIR = Path(__file__).resolve().parent / "lesson_texts"


@dataclass(frozen=True)
class Lesson:
    """One lesson: title, the page settings it opens with, and its Markdown file name."""

    number: int
    title: str
    slug: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def markdown_path(self) -> Path:
        """The lesson's Markdown file in experiments/lessons/."""
        return LESSON_DIR / f"lesson{self.number}_{self.slug}.md"

    def student_text(self) -> str:
        """The lesson's Markdown up to (not including) the answers section, for the page."""
        path = self.markdown_path
        if not path.is_file():
            return f"## Lesson {self.number}: {self.title}\n\n(lesson text not found: {path.name})"
        text = path.read_text()
        cut = text.find("\n## Answers")
        return text if cut < 0 else text[:cut]


LESSONS: dict[int, Lesson] = {
    1: Lesson(1, "Estrogen drives MCF-7 growth and tamoxifen competes", "estrogen_tamoxifen",
              {"cell_line": "mcf7_vector", "estradiol_pellet_mg": 0.72, "tamoxifen": True}),
    2: Lesson(2, "Constitutive Akt: estrogen independence and tamoxifen resistance",
              "akt_resistance",
              {"cell_line": "mcf7_myr_akt", "estradiol_pellet_mg": 0.72, "tamoxifen": True}),
    3: Lesson(3, "CCI-779 restores the tamoxifen response, and which link carries it",
              "cci779_restores",
              {"cell_line": "mcf7_myr_akt", "estradiol_pellet_mg": 0.72, "tamoxifen": True,
               "cci779": True}),
    4: Lesson(4, "Feedback: why a rapalog raises Akt, and what TORC1/2 inhibitors change",
              "feedback",
              {"cell_line": "mcf7_vector", "estradiol_pellet_mg": 0.72, "cci779": True}),
}


def lesson(number: int) -> Lesson:
    """A lesson by number (1-4)."""
    if number not in LESSONS:
        raise KeyError(f"no lesson {number}; lessons are {', '.join(map(str, LESSONS))}")
    return LESSONS[number]


# ---- runs behind the lessons' figures ----------------------------------------------------------

@dataclass
class LessonRun:
    """One finished run: its label, settings and per-step history (a DataFrame)."""

    label: str
    settings: dict[str, Any]
    model: TeachingModel

    @property
    def history(self):
        """The run's recorded columns, one row per 12-h step (a pandas DataFrame)."""
        return self.model.history()

    @property
    def window_days(self) -> tuple[float, float]:
        """Treatment days over which the lessons average pathway readouts."""
        return WINDOW_START_DAY, float(self.model.days)

    def at_day(self, column: str, day: float) -> float:
        """A recorded column at the last step on or before ``day`` of treatment."""
        h = self.history
        rows = h[h["day"] <= day + 1e-9]
        return float(rows[column].iloc[-1])

    def mean_over(self, column: str, first_day: float, last_day: float) -> float:
        """Mean of a recorded column over treatment days [first_day, last_day]."""
        h = self.history
        rows = h[(h["day"] >= first_day - 1e-9) & (h["day"] <= last_day + 1e-9)]
        return float(np.nanmean(rows[column].to_numpy(dtype=float)))

    def fold_change(self, day: float) -> float:
        """Treated tumour volume at ``day`` over its volume at treatment day 0."""
        return self.at_day("volume_mm3", day) / self.at_day("volume_mm3", 0.0)

    def twin_fold_change(self, day: float) -> float:
        """The untreated twin's volume at ``day`` over its day-0 volume."""
        return (self.at_day("reference_volume_mm3", day)
                / self.at_day("reference_volume_mm3", 0.0))


def run(label: str, days: int, size: dict[str, Any] | None = None,
        **settings: Any) -> LessonRun:
    """Run a teaching model to the end (or the endpoint) and keep it."""
    model = TeachingModel(days=days, **(size or {}), **settings)
    while model.running:
        model.step()
    return LessonRun(label, settings, model)


#: Run sizes: the scripts' default and the tests' small one (fewer agents per tumour).
FULL_SIZE: dict[str, Any] = {"cells_per_agent": 2000.0}
SMALL_SIZE: dict[str, Any] = {"cells_per_agent": 20000.0}



#: Treatment days every lesson runs; pathway readouts are averaged from WINDOW_START_DAY (when
#: drug levels and the feedback loop have settled) to the end of the run.
LESSON_DAYS = 21
WINDOW_START_DAY = 3.0


@dataclass
class LessonOutcome:
    """A lesson's runs, the numbers its claims rest on, and the figures written."""

    number: int
    runs: dict[str, LessonRun]
    numbers: dict[str, float]
    claims: dict[str, bool]
    figures: list[Path]


def _window_mean(r: LessonRun, column: str) -> float:
    return r.mean_over(column, *r.window_days)


def _growth(runs: dict[str, LessonRun], keys: list[str], days: float) -> dict[str, float]:
    return {f"fold_{k}": runs[k].fold_change(days) for k in keys}


def _run_all(specs: dict[str, dict[str, Any]], size: dict[str, Any], days: int,
             seed: int) -> dict[str, LessonRun]:
    return {k: run(k, days, size, seed=seed, **s) for k, s in specs.items()}


def lesson1(size: dict[str, Any], days: int = LESSON_DAYS, seed: int = 1):
    """Estrogen drives MCF-7 vector growth; tamoxifen competes with estradiol for ER."""
    specs = {
        "E2 pellet 0.72 mg": {"cell_line": "mcf7_vector"},
        "no pellet": {"cell_line": "mcf7_vector", "estradiol_pellet_mg": 0.0},
        "tamoxifen, pellet 0.18 mg": {"cell_line": "mcf7_vector", "tamoxifen": True,
                                      "estradiol_pellet_mg": 0.18},
        "tamoxifen, pellet 0.72 mg": {"cell_line": "mcf7_vector", "tamoxifen": True},
        "tamoxifen, pellet 1.7 mg": {"cell_line": "mcf7_vector", "tamoxifen": True,
                                     "estradiol_pellet_mg": 1.7},
    }
    runs = _run_all(specs, size, days, seed)
    n = _growth(runs, list(specs), days)
    for k in specs:
        n[f"er_{k}"] = _window_mean(runs[k], "mean_er_activity")
        n[f"e2share_{k}"] = _window_mean(runs[k], "er_share_e2")
    claims = {
        # estrogen drives growth: with the pellet the tumour grows, without it it stalls
        "estrogen_drives_growth": n["fold_E2 pellet 0.72 mg"] > 2.0 * n["fold_no pellet"],
        # estrogen withdrawal gives stasis, not regression (Osborne 1985)
        "withdrawal_is_stasis": 0.7 < n["fold_no pellet"] < 1.6,
        # tamoxifen stops E2-driven growth (stasis, not regression)
        "tamoxifen_blocks_growth": (n["fold_tamoxifen, pellet 0.72 mg"]
                                    < 0.4 * n["fold_E2 pellet 0.72 mg"]
                                    and n["fold_tamoxifen, pellet 0.72 mg"] > 0.7),
        # competition: more estradiol takes back more ER from tamoxifen
        "estradiol_competes": (n["e2share_tamoxifen, pellet 1.7 mg"]
                               > n["e2share_tamoxifen, pellet 0.72 mg"]
                               > n["e2share_tamoxifen, pellet 0.18 mg"]
                               and n["er_tamoxifen, pellet 1.7 mg"]
                               > n["er_tamoxifen, pellet 0.18 mg"]),
    }
    return runs, n, claims


def lesson2(size: dict[str, Any], days: int = LESSON_DAYS, seed: int = 1):
    """myr-Akt tumours grow without estradiol and under tamoxifen; vector tumours do not."""
    specs = {
        "vector, no pellet": {"cell_line": "mcf7_vector", "estradiol_pellet_mg": 0.0},
        "myr-Akt, no pellet": {"cell_line": "mcf7_myr_akt", "estradiol_pellet_mg": 0.0},
        "vector, tamoxifen": {"cell_line": "mcf7_vector", "tamoxifen": True},
        "myr-Akt, tamoxifen": {"cell_line": "mcf7_myr_akt", "tamoxifen": True},
    }
    runs = _run_all(specs, size, days, seed)
    n = _growth(runs, list(specs), days)
    for k in specs:
        n[f"er_{k}"] = _window_mean(runs[k], "mean_er_activity")
        n[f"ser167share_{k}"] = _window_mean(runs[k], "er_share_ser167")
        n[f"akt_{k}"] = _window_mean(runs[k], "mean_akt")
    claims = {
        "akt_estrogen_independent": (n["fold_myr-Akt, no pellet"] > 1.5 * n["fold_vector, no pellet"]
                                     and n["fold_myr-Akt, no pellet"] > 1.5),
        "akt_tamoxifen_resistant": n["fold_myr-Akt, tamoxifen"] > 2.0 * n["fold_vector, tamoxifen"],
        # under tamoxifen, most of the myr-Akt tumour's ER activity is the Ser167 share
        "ser167_carries_er_under_tamoxifen": (
            n["ser167share_myr-Akt, tamoxifen"] > 0.5 * n["er_myr-Akt, tamoxifen"]
            and n["ser167share_myr-Akt, tamoxifen"] > 2.0 * n["ser167share_vector, tamoxifen"]),
    }
    return runs, n, claims


def lesson3(size: dict[str, Any], days: int = LESSON_DAYS, seed: int = 1):
    """CCI-779 restores the tamoxifen response of myr-Akt tumours, through S6K1 -> ER Ser167."""
    base = {"cell_line": "mcf7_myr_akt"}
    specs = {
        "tamoxifen": {**base, "tamoxifen": True},
        "CCI-779": {**base, "cci779": True},
        "tamoxifen + CCI-779": {**base, "tamoxifen": True, "cci779": True},
        "tamoxifen, no Ser167 link": {**base, "tamoxifen": True, "ser167_er_link": False},
        "tamoxifen + CCI-779, no Ser167 link": {**base, "tamoxifen": True, "cci779": True,
                                                "ser167_er_link": False},
    }
    runs = _run_all(specs, size, days, seed)
    n = _growth(runs, list(specs), days)
    for k in specs:
        n[f"er_{k}"] = _window_mean(runs[k], "mean_er_activity")
        n[f"mtorc1_{k}"] = _window_mean(runs[k], "mean_mtorc1")
    n["cci779_er_drop_with_link"] = n["er_tamoxifen"] - n["er_tamoxifen + CCI-779"]
    n["cci779_er_drop_without_link"] = (n["er_tamoxifen, no Ser167 link"]
                                        - n["er_tamoxifen + CCI-779, no Ser167 link"])
    claims = {
        # the combination clearly beats both single agents (by 40 %; the bound was 50 % until
        # rapalog target binding made CCI-779's action schedule-dependent: over 3 weeks of
        # daily x5 dosing the combination now roughly halves the growth of tamoxifen alone)
        "combination_restores_response": (n["fold_tamoxifen + CCI-779"]
                                          < 0.6 * n["fold_tamoxifen"]
                                          and n["fold_tamoxifen + CCI-779"]
                                          < 0.6 * n["fold_CCI-779"]),
        "cci779_blocks_er_activity": n["cci779_er_drop_with_link"] > 0.15,
        # ablation: without the S6K1 -> ER link, CCI-779 no longer lowers ER activity (the link
        # carries the ER part of the rescue) ...
        "link_carries_er_effect": (abs(n["cci779_er_drop_without_link"])
                                   < 0.25 * n["cci779_er_drop_with_link"]),
        # ... but the growth rescue survives it: CCI-779 also cuts the cap-dependent translation
        # that Akt-high cells depend on (Gera 2004), a parallel input of the G1 drive
        "translation_carries_growth_rescue": (n["fold_tamoxifen + CCI-779, no Ser167 link"]
                                              < 0.6 * n["fold_tamoxifen, no Ser167 link"]),
    }
    return runs, n, claims


def lesson4(size: dict[str, Any], days: int = LESSON_DAYS, seed: int = 1):
    """A rapalog raises Akt through S6K1 -> IRS-1 feedback; a TORC1/2 inhibitor lowers it."""
    specs = {
        "vector, CCI-779": {"cell_line": "mcf7_vector", "cci779": True},
        "vector, CCI-779, no feedback": {"cell_line": "mcf7_vector", "cci779": True,
                                         "s6k1_irs1_feedback": False},
        "PTEN-null, CCI-779": {"cell_line": "mcf7_pten_null", "cci779": True},
        "myr-Akt, CCI-779": {"cell_line": "mcf7_myr_akt", "cci779": True},
        "vector, TORC1/2 inhibitor": {"cell_line": "mcf7_vector", "torc12_inhibition": 0.8},
    }
    runs = _run_all(specs, size, days, seed)
    n = _growth(runs, list(specs), days)
    for k in specs:
        r = runs[k]
        n[f"akt_{k}"] = _window_mean(r, "mean_akt")
        n[f"akt_twin_{k}"] = _window_mean(r, "reference_mean_akt")
        n[f"akt_rise_{k}"] = n[f"akt_{k}"] - n[f"akt_twin_{k}"]
        n[f"mtorc1_{k}"] = _window_mean(r, "mean_mtorc1")
        n[f"mtorc1_twin_{k}"] = _window_mean(r, "reference_mean_mtorc1")
    claims = {
        "rapalog_raises_akt": n["akt_rise_vector, CCI-779"] > 0.03,
        "feedback_carries_the_rise": (abs(n["akt_rise_vector, CCI-779, no feedback"])
                                      < 0.2 * n["akt_rise_vector, CCI-779"]),
        # the rise is of PI3K-driven Akt: largest with PTEN loss, smallest with myr-Akt
        "rise_needs_pi3k_driven_akt": (n["akt_rise_PTEN-null, CCI-779"]
                                       > n["akt_rise_vector, CCI-779"]
                                       > n["akt_rise_myr-Akt, CCI-779"]),
        "torc12_lowers_akt": (n["akt_vector, TORC1/2 inhibitor"]
                              < n["akt_twin_vector, TORC1/2 inhibitor"] - 0.05),
        "torc12_deeper_mtorc1_block_and_growth": (
            n["mtorc1_vector, TORC1/2 inhibitor"] < n["mtorc1_vector, CCI-779"]
            and n["fold_vector, TORC1/2 inhibitor"] < n["fold_vector, CCI-779"]),
    }
    return runs, n, claims


RUNNERS = {1: lesson1, 2: lesson2, 3: lesson3, 4: lesson4}


def run_lesson(number: int, size: dict[str, Any] | None = None, days: int = LESSON_DAYS,
               seed: int = 1) -> LessonOutcome:
    """Run lesson ``number``'s conditions (its figure: :func:`lesson_figures.write_lesson_figure`)."""
    runs, numbers, claims = RUNNERS[number](size or FULL_SIZE, days, seed)
    return LessonOutcome(number, runs, numbers, claims, [])
