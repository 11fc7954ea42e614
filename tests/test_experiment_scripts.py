"""The experiment scripts find the runs they start: every run-directory glob in
``experiments/*/run.sh`` matches the run ids xenosim writes (``new_run_id``: time, seed, an
optional overrides tag, a random suffix). Two scripts once globbed ``*-seed$SEED`` and stopped
finding anything when the suffix was added."""

import fnmatch
import re
from pathlib import Path

from xenosim.core.output import new_run_id

ROOT = Path(__file__).resolve().parents[1]
GLOB = re.compile(r'"\$OUT"/[\w.]+/(\S+?)\s*\|')


def test_every_run_glob_of_the_experiment_scripts_matches_a_real_run_id():
    scripts = sorted(ROOT.glob("experiments/*/run.sh"))
    globs = [(s, g) for s in scripts for g in GLOB.findall(s.read_text())]
    assert len(globs) >= 4, globs  # ser167_ablation and adaptation: two runs each
    ids = [new_run_id(2004), new_run_id(2004, "set1ffe9f27")]
    for script, pattern in globs:
        pattern = pattern.replace('"$SEED"', "2004").replace('"', "")
        for run_id in ids:
            assert fnmatch.fnmatch(run_id, pattern), (script.name, pattern, run_id)
