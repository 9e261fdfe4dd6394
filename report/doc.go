// Package report writes the self-contained HTML report of an icl
// reproduction: a summary of the experiments with their verdicts, then one
// section per experiment with the paper's claim, figures, key numbers, the
// verdict and why, and the exact configs and commands that produced them.
//
// The output is one file with no external references: CSS is inline, there
// are no scripts or web fonts, and figures are embedded as data: URIs
// (image/svg+xml or image/png, base64). All text goes through html/template
// and is escaped.
package report
