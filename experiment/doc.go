// Package experiment defines the experiments of the reproduction (every
// registered one: IDs lists them; docs/design.md section 5 says what each
// asks) and analyses them: Analyze evaluates one experiment's models
// (loaded by run role) and baselines, draws its figures and decides each
// check from the numbers (package verdict), with a control where the
// experiment has one. EstimateCost predicts how long Analyze takes.
//
// Each experiment is a YAML file and a Go file beside it (e1.yaml, e1.go).
// The YAML holds its id, title, the paper's claim, the runs it needs (train
// presets by role, with optional overrides, a Recipe: mixture weights, input
// dimension, seed, schedule and budget, for every scale and per scale,
// train_at), its evaluation settings, its figures, the thresholds of its
// verdict rule (params), the rule in words and, per scale, a note on what
// that scale shows (scale_notes). The Go file holds its analysis, the checks
// its verdict is computed from by the rule the YAML states, and registers
// both (Register): the experiment list, the help of icl reproduce and the
// tests come from the registered experiments. scales.yaml holds the
// evaluation sizes of each preset scale.
//
// RunConfig resolves a run ref to its training config at a scale; package
// runplan plans and trains the runs, and package reproduce runs the whole
// job and writes the report.
package experiment
