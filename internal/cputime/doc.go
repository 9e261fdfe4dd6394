// Package cputime reads the CPU time this process has used, for the
// benchmarks' per-CPU-second figures and the timing of training steps.
package cputime
