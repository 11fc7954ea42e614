"""The four lessons: their page settings, and the runs behind each lesson's figures and claims.

Each lesson's text lives in ``experiments/lessons/lesson<N>_*.md`` (goal, settings, what to observe,
questions, answers); ``experiments/lessons/lesson<N>_*.py`` runs it and writes its figures. The
runs are here so the page (``xenosim app --lesson N``), the scripts and the tests share them.

Every run is a :class:`~xenosim.teaching.model.TeachingModel`: a treated tumour and its untreated
twin with the same seed, so "treated / twin" is the drug effect, not chance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .model import TeachingModel

#: Where the lesson texts live in a source checkout.
LESSON_DIR = Path(__file__).resolve().parents[2] / "experiments" / "lessons"


@dataclass(frozen=True)
class Lesson:
    """One lesson: title, the page settings it opens with, and its Markdown file name."""

    number: int
    title: str
    slug: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def markdown_path(self) -> Path:
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
        return self.model.history()

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

LessonRunner = Callable[..., dict[str, LessonRun]]
