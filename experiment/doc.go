// Package experiment defines the experiments of the reproduction (E1 to E6 of
// docs/design.md section 5, and the model-selection weight MS) and runs them end to
// end: Reproduce trains the pretraining runs an experiment needs (reusing
// finished runs and resuming interrupted ones), evaluates the models and
// baselines, draws the figures, decides each verdict from the numbers, and
// writes a self-contained report.html.
//
// Each experiment is a YAML file embedded from configs/: its id, title, the
// paper's claim, the runs it needs (train presets by role, with optional
// overrides, a Recipe: mixture weights, input dimension, seed and schedule,
// for every scale and per scale, train_at), its evaluation
// settings, its figures, the thresholds of its verdict rule, the rule in
// words and, per scale, a note on what that scale shows (scale_notes).
// configs/scales.yaml holds the evaluation sizes of each preset scale
// (quick, small, medium, paper). The analysis of each experiment, and the checks its
// verdict is computed from, are Go functions in this package; their rules are
// the ones the YAML states and the report prints.
//
// Runs whose configs agree but for their names are trained once and shared.
//
// EvaluateRun (and EvaluateModel, for a weights file) evaluates one training
// run on its pretraining distribution, each mixture component and Garg et
// al.'s out-of-distribution settings, and writes results and figures: what
// `icl eval` does.
//
// Verdicts (Verdict, from the checks of an analysis): "not testable at this
// scale" when a precondition fails (the models did not learn what the claim
// needs) or no check of the claim can tell at this scale (a check whose
// comparison cannot separate the models, say matching one of two specialists
// that score alike, counts neither way); otherwise "supported" when every
// check of the claim holds, "partly supported" when some do, "not supported
// at this scale" when none does. The terminal, verdict.json and the report
// count checks with the same function (Count), and the part of each rule that
// turns checks into a verdict is generated from the checks themselves.
//
// Output layout under Options.OutDir:
//
//	runs/SCALE/NAME/     training runs (config.yaml, metrics.jsonl, model.safetensors, done)
//	E1/ ... E6/, MS/     results.json, results.csv, sweep.json/csv, selection.json,
//	                     fitted.json and figures (NAME.svg, NAME.png) per experiment
//	report.html          the report
package experiment
