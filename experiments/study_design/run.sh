#!/usr/bin/env bash
# Power curve for the deGraffenried 2004 key contrast: does CCI-779 restore tamoxifen response in
# myr-Akt tumours? (tamoxifen + CCI-779 vs tamoxifen alone, MCF-7 myr-Akt xenografts)
set -euo pipefail
xenosim design configs/degraffenried2004.yaml \
    --contrast "mcf7_myr_akt: tamoxifen+cci779 vs tamoxifen" \
    --mice-per-arm 3,4,6,8,10,12 --replicates 200 --out results/design/degraffenried2004_key
cp results/design/degraffenried2004_key/power_curve.png experiments/study_design/power_curve.png
