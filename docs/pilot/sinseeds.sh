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
done | awk '
  # two-sided 90% t quantiles, 1-12 degrees of freedom
  BEGIN { split("6.314 2.920 2.353 2.132 2.015 1.943 1.895 1.860 1.833 1.812 1.796 1.782", t, " ") }
  NF == 3 { n++; r[n] = $3 / $2 - 1; printf "seed %s\tfp32 %.4f\tbf16 %.4f\tbf16/fp32-1 %+.1f%%\n", $1, $2, $3, 100 * r[n] }
  END {
    for (i = 1; i <= n; i++) m += r[i] / n
    for (i = 1; i <= n; i++) v += (r[i] - m) ^ 2 / (n - 1)
    h = t[n - 1] * sqrt(v / n)
    printf "mean over %d pairs %+.1f%%, 90%% interval [%+.1f%%, %+.1f%%]\n", n, 100 * m, 100 * (m - h), 100 * (m + h)
  }'
