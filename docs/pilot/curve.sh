#!/usr/bin/env bash
# Prints a dense+sparse run's selection curve: for each checkpoint it kept (and its
# final model), the error on 2000 held-out prompts (seed 7) of each class, at 2, 3, 4
# (sparse) and 4, 8 (dense) in-context examples. Usage: curve.sh RUN_DIR [ICL]
set -euo pipefail
run=$1
icl=${2:-icl}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf 'step\tsparse@2\tsparse@3\tsparse@4\tdense@4\tdense@8\n'
for f in "$run"/ckpt-*.safetensors "$run"/model.safetensors; do
  [ -f "$f" ] || continue
  step=$(basename "$f" .safetensors | sed -e 's/^ckpt-0*//' -e 's/^model$/final/')
  "$icl" eval -weights "$f" -no-ood -prompts 2000 -seed 7 -baselines least_squares -q -o "$out/$step" >/dev/null
  awk -F, -v step="$step" '
    $2 == "transformer" && $1 == "class1" && ($3 == 2 || $3 == 3 || $3 == 4) { s[$3] = $4 }
    $2 == "transformer" && $1 == "class0" && ($3 == 4 || $3 == 8) { d[$3] = $4 }
    END { printf "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", step, s[2], s[3], s[4], d[4], d[8] }' "$out/$step/results.csv"
done
