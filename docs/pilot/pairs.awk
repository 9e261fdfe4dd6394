# pairs.awk: lines "seed fp32 bf16" -> each pair's bf16/fp32 - 1, then their mean and its
# 90% t-interval (seeds.sh and sinseeds.sh print their summaries with it).
# two-sided 90% t quantiles, 1-12 degrees of freedom
BEGIN { split("6.314 2.920 2.353 2.132 2.015 1.943 1.895 1.860 1.833 1.812 1.796 1.782", t, " ") }
NF == 3 { n++; r[n] = $3 / $2 - 1; printf "seed %s\tfp32 %.4f\tbf16 %.4f\tbf16/fp32-1 %+.1f%%\n", $1, $2, $3, 100 * r[n] }
END {
  for (i = 1; i <= n; i++) m += r[i] / n
  for (i = 1; i <= n; i++) v += (r[i] - m) ^ 2 / (n - 1)
  h = t[n - 1] * sqrt(v / n)
  printf "mean over %d pairs %+.1f%%, 90%% interval [%+.1f%%, %+.1f%%]\n", n, 100 * m, 100 * (m - h), 100 * (m + h)
}
