#!/usr/bin/env bash
# Long estrogen deprivation of MCF-7 vector xenografts, with and without adaptation (LTED-like
# cells, biology/adaptation.py): 180 days after pellet removal, same seed; then compares the runs.
# Usage (from the repository root, after `make venv`):  bash experiments/adaptation/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
XENOSIM=${XENOSIM:-.venv/bin/xenosim}
OUT=${OUT:-results}
SEED=${SEED:-2004}
CONFIG=experiments/adaptation/long_deprivation.yaml
"$XENOSIM" run "$CONFIG" --seed "$SEED" --out "$OUT" --quiet --no-analyze
"$XENOSIM" run "$CONFIG" --seed "$SEED" --out "$OUT" --quiet --no-analyze \
    --set experiment=long_estrogen_deprivation_no_adaptation --set mechanisms.lted_adaptation=false
with=$(ls -td "$OUT"/long_estrogen_deprivation/*-seed"$SEED"-* | head -n 1)
without=$(ls -td "$OUT"/long_estrogen_deprivation_no_adaptation/*-seed"$SEED"-* | head -n 1)
"$XENOSIM" compare "$with" "$without" --out "$OUT/adaptation"
echo "comparison: $OUT/adaptation/report.html"
