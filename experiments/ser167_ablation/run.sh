#!/usr/bin/env bash
# Does CCI-779 still restore the tamoxifen response without the S6K1 -> ERα Ser167 link?
# Runs the default deGraffenried study twice (same seed): as configured, and with the
# S6K1/Akt -> Ser167 ligand-independent ER activity switched off; then compares the runs.
# Usage (from the repository root, after `make venv`):  bash experiments/ser167_ablation/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
XENOSIM=${XENOSIM:-.venv/bin/xenosim}
OUT=${OUT:-results}
SEED=${SEED:-2004}
"$XENOSIM" run configs/degraffenried2004.yaml --seed "$SEED" --out "$OUT" --quiet --no-analyze
"$XENOSIM" run configs/degraffenried2004.yaml --seed "$SEED" --out "$OUT" --quiet --no-analyze \
    --set experiment=degraffenried2004_no_ser167 --set mechanisms.ser167_er_link=false
full=$(ls -td "$OUT"/degraffenried2004/*-seed"$SEED"-* | head -n 1)
ablated=$(ls -td "$OUT"/degraffenried2004_no_ser167/*-seed"$SEED"-* | head -n 1)
"$XENOSIM" compare "$full" "$ablated" --out "$OUT/ser167_ablation"
echo "comparison: $OUT/ser167_ablation/report.html"
