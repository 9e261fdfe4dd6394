#!/usr/bin/env bash
# bf16 on the quick preset's linear+sinusoid run (E4-E6's model) from several seeds:
# quick_linear_sinusoid_d1.yaml with its seed set to each of SEEDS (seed 1 is the
# preset's own), trained in float32 and in bf16 (one core each run, one run at a time; a
# finished run is skipped), then each model evaluated on 5120 prompts of its pretraining
# mixture (icl eval -no-ood, the same prompts for every model). Prints per pair the mean
# normalized error of the transformer over 1 .. 10 in-context examples and bf16/fp32 - 1,
# then the mean of those and its 90% t-interval.
#
# Usage: sinseeds.sh RUNS_DIR [ICL] [SEEDS...]     e.g. sinseeds.sh ~/icl-runs/sinseeds icl 1 2 3 4 5
set -euo pipefail
runs=$1
icl=${2:-icl}
shift $(( $# >= 2 ? 2 : 1 ))
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3 4 5)
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$runs"

err_of() { # eval dir -> mean of the transformer's pretraining curve over positions 1 .. N-1
  awk -F, '$1 == "pretrain" && $2 == "transformer" && $3 > 0 { s += $4; n++ } END { printf "%.5f", s / n }' "$1/results.csv"
}

for s in "${seeds[@]}"; do
  for p in fp32 bf16; do
    name=sin_seed${s}_$p
    dir=$runs/$name
    cfg=$runs/$name.yaml
    if [ ! -f "$cfg" ]; then
      { echo "# sinseeds.sh: quick_linear_sinusoid_d1.yaml with seed $s, $p"
        sed -e '/^#/d' -e "s/^name: .*/name: pilot\/$name/" -e "s/^seed: .*/seed: $s/" "$here/quick_linear_sinusoid_d1.yaml"; } > "$cfg"
      [ $p = fp32 ] || sed -i '/^  grad_clip: /a\  precision: bf16' "$cfg"
    fi
    if [ ! -f "$dir/done" ]; then
      rm -rf "$dir"
      GOMAXPROCS=1 "$icl" train -config "$cfg" -out "$dir" > "$runs/$name.log" 2>&1
    fi
    [ -f "$dir/eval5120/results.csv" ] ||
      "$icl" eval -run "$dir" -no-ood -prompts 5120 -baselines least_squares -o "$dir/eval5120" > /dev/null
  done
done

for s in "${seeds[@]}"; do
  echo "$s $(err_of "$runs/sin_seed${s}_fp32/eval5120") $(err_of "$runs/sin_seed${s}_bf16/eval5120")"
done | awk -f "$here/pairs.awk"
