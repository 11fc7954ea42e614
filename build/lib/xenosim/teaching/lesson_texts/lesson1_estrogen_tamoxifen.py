"""Lesson 1 as a script: runs the lesson's conditions, writes its figure, checks its claims.

    python experiments/lessons/lesson1_estrogen_tamoxifen.py [--out results/lessons] [--small] [--seed 1]

See lesson1_estrogen_tamoxifen.md for the lesson text. Exit code 1 if one of the lesson's claims does not hold.
"""

from __future__ import annotations

import sys

from xenosim.teaching.lesson_script import main

if __name__ == "__main__":
    sys.exit(0 if all(main(1).claims.values()) else 1)
