package shipped

// GzipMetricsAbove lets the external tests pack with other thresholds.
var GzipMetricsAbove = &gzipMetricsAbove
