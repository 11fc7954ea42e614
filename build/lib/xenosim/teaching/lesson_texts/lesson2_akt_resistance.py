"""Lesson 2 as a script: runs the lesson's conditions, writes its figure, checks its claims.

    python experiments/lessons/lesson2_akt_resistance.py [--out results/lessons] [--small] [--seed 1]

See lesson2_akt_resistance.md for the lesson text. Exit code 1 if one of the lesson's claims does not hold.
"""

from __future__ import annotations

import sys

from xenosim.teaching.lesson_script import main

if __name__ == "__main__":
    sys.exit(0 if all(main(2).claims.values()) else 1)
