#!/usr/bin/env bash
# The bf16 check on the small mixture from more seeds: small_lr1e-3_seed5.yaml with its
# seed set to each of SEEDS, trained 20000 steps in float32 and in bf16 (one core each
# run, one run at a time; a run already there is resumed, a finished one skipped). Prints
# each pair's evaluation loss at step 20000 (the training evaluation's normalized loss)
# and bf16/fp32 - 1, then the mean of those over the pairs printed and its 90% t-interval.
# Pairs from other configs can be added to the summary as extra "seed fp32 bf16" lines on
# stdin with -pairs -.
#
# Usage: seeds.sh RUNS_DIR [ICL] [SEEDS...]     e.g. seeds.sh ~/icl-runs/seeds icl 6 7 8 9
#        seeds.sh -pairs FILE RUNS_DIR [ICL] [SEEDS...]
set -euo pipefail
extra=/dev/null
if [ "${1:-}" = "-pairs" ]; then extra=$2; shift 2; fi
runs=$1
icl=${2:-icl}
shift $(( $# >= 2 ? 2 : 1 ))
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(6 7 8 9)
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$runs"

loss_at() { # run_dir step -> loss_norm of that evaluation
  grep "\"kind\":\"eval\",\"step\":$2," "$1/metrics.jsonl" | grep -o '"loss_norm":[0-9.e+-]*' | cut -d: -f2
}

for s in "${seeds[@]}"; do
  for p in fp32 bf16; do
    name=seed${s}_$p
    dir=$runs/$name
    cfg=$runs/$name.yaml
    if [ ! -f "$cfg" ]; then
      { echo "# seeds.sh: small_lr1e-3_seed5.yaml with seed $s, 20000 steps, $p"
        sed -e '/^#/d' -e "s/^name: .*/name: pilot\/small_lr1e-3_$name/" -e "s/^seed: .*/seed: $s/" \
            -e "s/^  steps: .*/  steps: 20000/" "$here/small_lr1e-3_seed5.yaml"; } > "$cfg"
      [ $p = fp32 ] || sed -i '/^  loss: /a\  precision: bf16' "$cfg"
    fi
    if [ -f "$dir/done" ]; then continue; fi
    if [ -d "$dir" ]; then
      GOMAXPROCS=1 "$icl" train -resume "$dir" > "$runs/$name.log" 2>&1
    else
      GOMAXPROCS=1 "$icl" train -config "$cfg" -out "$dir" > "$runs/$name.log" 2>&1
    fi
  done
done

{
  cat "$extra"
  for s in "${seeds[@]}"; do
    echo "$s $(loss_at "$runs/seed${s}_fp32" 20000) $(loss_at "$runs/seed${s}_bf16" 20000)"
  done
} | awk -f "$here/pairs.awk"
