"""The shared command line of the lesson scripts in ``experiments/lessons/``."""

from __future__ import annotations

import argparse
from pathlib import Path

from xenosim.teaching.lessons import (
    FULL_SIZE,
    LESSON_DAYS,
    LESSONS,
    SMALL_SIZE,
    LessonOutcome,
    run_lesson,
)


def main(number: int, argv: list[str] | None = None) -> LessonOutcome:
    """Run lesson ``number``, write its figure, print its numbers and claims."""
    parser = argparse.ArgumentParser(description=f"Lesson {number}: {LESSONS[number].title}")
    parser.add_argument("--out", type=Path, default=Path("results") / "lessons",
                        help="directory for the figure (default: results/lessons)")
    parser.add_argument("--small", action="store_true",
                        help="coarse tumours (10x fewer agents): seconds instead of a minute")
    parser.add_argument("--seed", type=int, default=1, help="seed of every run (default 1)")
    parser.add_argument("--days", type=int, default=LESSON_DAYS,
                        help=f"treatment days (default {LESSON_DAYS})")
    args = parser.parse_args(argv)
    if args.days < 7:
        parser.error(f"--days {args.days}: lessons need at least 7 treatment days")
    outcome = run_lesson(number, args.out, SMALL_SIZE if args.small else FULL_SIZE,
                         days=args.days, seed=args.seed)
    print(f"Lesson {number}: {LESSONS[number].title}")
    for key, value in outcome.numbers.items():
        print(f"  {key:55s} {value:8.3f}")
    for claim, ok in outcome.claims.items():
        print(f"  claim {claim:49s} {'holds' if ok else 'DOES NOT HOLD'}")
    for path in outcome.figures:
        print(f"  figure: {path}")
    return outcome
