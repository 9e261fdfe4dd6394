// Package experiment defines the experiments of the reproduction (every
// registered one: IDs lists them; docs/design.md section 5 says what each
// asks), analyses them and decides their verdicts. Analyze evaluates one
// experiment's models (loaded by run role) and baselines, draws its figures
// and decides each check from the numbers; Outcome.Write writes its files.
// Package runplan plans and trains the runs an experiment needs, and package
// reproduce runs the whole job and writes the report.
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
// RunConfig resolves a run ref to its training config at a scale; runs
// whose configs agree but for their names are trained once and shared
// (runplan.Plan).
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
// Output layout under a reproduction's output folder (reproduce.Options.OutDir):
//
//	runs/SCALE/NAME/     training runs (config.yaml, metrics.jsonl, model.safetensors, done)
//	ID/                  per experiment: results.json, results.csv, sweep.json/csv,
//	                     selection.json, fitted.json, figures (NAME.svg, NAME.png),
//	                     verdict.json and section.json (its report section)
//	cache/               the evaluation cache (EvalCache)
//	report.html          the report
package experiment
