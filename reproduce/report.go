package reproduce

import (
	"fmt"
	"icl/experiment"
	"icl/gpt"
	"icl/presets"
	"icl/provenance"
	"icl/report"
	"icl/runplan"
	"icl/train"
	"icl/verdict"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// promptsNote is the report's line on the evaluation prompts.
func promptsNote(n int, evalSeed uint64) string {
	if evalSeed == 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d, drawn with -eval-seed %d: not the standard evaluation prompts", n, evalSeed)
}

// buildReport assembles the HTML report.
func buildReport(opts Options, scale *experiment.Scale, all, selected []*experiment.Def, outs []*experiment.Outcome, failed map[string]error,
	runs []*runplan.Run, trainTook, evalTook, total time.Duration) report.Report {
	mod, commit := provenance.Version()
	rep := report.Report{
		Title: "icl reproduction (" + opts.Preset + " preset)",
		Intro: "A reproduction of Yadlowsky, Doshi and Tripuraneni, \"Pretraining Data Mixtures Enable Narrow Model " +
			"Selection Capabilities in Transformer Models\" (arXiv 2311.00871), with the companion workshop paper's " +
			"rare-class finding and the transformer's implied model-selection weight.\n\n" +
			"Errors are squared errors divided by the scale of the prompt's class (the zero predictor scores about 1), " +
			"averaged over prompts, against the number of in-context examples, with 90% percentile bootstrap intervals over prompts. " +
			"Each verdict is computed from the numbers by the rule stated in its section. Each check is decided by the 90% interval of the " +
			"quantity it compares with its threshold: a paired bootstrap over prompts where the models are asked the same prompts, " +
			"the two intervals apart where they are not. A check holds when the interval lies on the passing side of the threshold, " +
			"fails when it lies on the other side, and is inconclusive otherwise; the table of checks gives the value, the interval, " +
			"the threshold and the margin. Preconditions first: the models must " +
			"have learned their pretraining classes, or agreement between them would mean nothing; if one fails the verdict is " +
			"not testable at this scale. A check of the claim that cannot tell models apart at this scale (say, matching a " +
			"specialist when the specialists score alike) counts neither way, and if no check can tell, the verdict is not " +
			"testable at this scale. Then: supported when every check of the claim holds, partly supported when some do, " +
			"not supported at this scale when none does.",
		Meta: []report.KV{
			{Key: "preset", Value: opts.Preset},
			{Key: "training precision", Value: precisionNote(opts.Precision)},
			{Key: "prompts per setting", Value: promptsNote(scale.Prompts, opts.EvalSeed)},
			{Key: "bootstrap resamples", Value: fmt.Sprint(scale.Boots)},
			{Key: "runs", Value: fmt.Sprint(len(runs))},
			{Key: "training time (this invocation)", Value: train.FormatDuration(trainTook)},
			{Key: "training time of the runs", Value: runplan.SummedTimes(runs)},
			{Key: "evaluation time", Value: train.FormatDuration(evalTook)},
			{Key: "total time", Value: train.FormatDuration(total)},
			{Key: "icl version", Value: mod},
			{Key: "git commit", Value: commit},
			{Key: "machine", Value: provenance.Machine()},
			{Key: "date", Value: time.Now().UTC().Format("2006-01-02 15:04 UTC")},
		},
	}
	rep.Runs = runsTable(opts.Preset, runs)
	byID := map[string]*experiment.Outcome{}
	for _, o := range outs {
		byID[o.Def.ID] = o
	}
	ran := map[string]bool{}
	for _, d := range selected {
		ran[d.ID] = true
	}
	scaleText, _ := yaml.Marshal(scale)
	for _, d := range all {
		if !d.RunsAt(scale.Name) {
			continue // an experiment of other scales only (E1B: the long scale's budget branches)
		}
		x := report.Experiment{ID: d.ID, Title: d.Title, Claim: d.Claim, ClaimLabel: d.ClaimLabel, Verdict: report.NotRun}
		x.Commands = []string{fmt.Sprintf("icl reproduce -preset %s -only %s -out %s", opts.Preset, d.ID, opts.OutDir)}
		if opts.EvalSeed != 0 {
			x.Commands[0] += fmt.Sprintf(" -eval-seed %d", opts.EvalSeed)
		}
		if opts.Precision != "" {
			x.Commands[0] += " -precision " + opts.Precision
		}
		x.Configs = append(x.Configs, report.Code{Name: "experiment " + d.ID + " (experiment/" + strings.ToLower(d.ID) + ".yaml)", Text: d.Source})
		x.Models = modelsNote(d, runs)
		if o := byID[d.ID]; o != nil {
			x.Verdict = o.Verdict
			x.VerdictNote = verdict.Count(o.Checks).String() + controlPara(o) + "\n\nEvery check with its numbers is in the table \"Checks\" above.\n\nRule: " +
				strings.TrimSpace(d.Rule) + " " + verdict.RuleVerdict(o.Checks) + "\n\n" + scaleNote(d, scale, runs)
			for i, f := range o.Figures {
				var svg []byte
				if i < len(o.SVGs) {
					svg = o.SVGs[i]
				}
				x.Figures = append(x.Figures, report.Figure{Caption: f.Caption, SVG: svg})
			}
			x.Tables = append([]report.Table{checkTable(o.Checks, o.Control)}, o.Tables...)
			if o.Control != nil {
				x.Control = o.Control.Verdict
			}
			x.Configs = append(x.Configs, report.Code{Name: "evaluation sizes (scale " + scale.Name + ")", Text: string(scaleText)})
			seen, seenPreset := map[string]bool{}, map[string]bool{}
			for i := range d.Runs {
				// The preset file as written: its comments say why its recipe is what it is.
				rs, err := scale.RunScale(d.ID)
				if err != nil {
					rs = scale
				}
				if name := rs.PresetName(&d.Runs[i]); !seenPreset[name] {
					seenPreset[name] = true
					if text, err := presets.Read(name); err == nil {
						x.Configs = append(x.Configs, report.Code{Name: "preset " + name + " (presets/" + name + ".yaml)", Text: string(text)})
					}
				}
				if r := runplan.For(runs, d.ID, d.Runs[i].Role); r != nil && !seen[r.Name] {
					seen[r.Name] = true
					text, _ := r.Cfg.YAML()
					x.Configs = append(x.Configs, report.Code{Name: "run " + r.Name + " (" + filepath.Join(r.Dir, train.ConfigFile) + ")", Text: string(text)})
				}
			}
		} else if err := failed[d.ID]; err != nil {
			x.VerdictNote = "The analysis failed: " + err.Error()
		} else if !ran[d.ID] {
			x.VerdictNote = "Not selected with -only in this invocation."
		}
		rep.Experiments = append(rep.Experiments, x)
	}
	rep.Lead = leadParagraph(rep.Experiments, byID)
	return rep
}

// modelsNote names the models of d's runs by scale, size and steps, e.g.
// "medium: 6 layers, width 128, 72000 steps".
func modelsNote(d *experiment.Def, runs []*runplan.Run) string {
	var out []string
	for i := range d.Runs {
		r := runplan.For(runs, d.ID, d.Runs[i].Role)
		if r == nil {
			continue
		}
		scale, _, _ := strings.Cut(r.Name, "/")
		g := r.Cfg.GPT()
		s := fmt.Sprintf("%s: %s, width %d, %d steps", scale, report.Plural(g.Layers, "layer"), g.Width, r.Cfg.Train.Steps)
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, "; ")
}

// plainVerdict says a verdict as whether a finding is reproduced.
var plainVerdict = map[string]string{
	report.Supported:   "reproduced",
	report.Partly:      "partly reproduced",
	report.NotAtScale:  "not reproduced",
	report.NotTestable: "not testable",
}

// leadParagraph is the report's first paragraph, generated from the
// verdicts: the central claim's status first (E1's check (2), the mixture
// against the sparse specialist on sparse prompts), with the models that
// decided it and the number that decides it; then each other finding.
func leadParagraph(xs []report.Experiment, outs map[string]*experiment.Outcome) string {
	var b strings.Builder
	if o := outs["E1"]; o != nil {
		held, tested, failed := 0, 0, ""
		var deciding []string
		for _, c := range o.Checks {
			if !strings.HasPrefix(c.Name, "(2)") || c.Untestable != "" {
				continue
			}
			tested++
			if c.Pass {
				held++
			} else if failed == "" {
				failed = c.Name
			}
			deciding = append(deciding, strings.TrimPrefix(c.Name, "(2) ")+": "+c.Detail)
		}
		status := "not testable"
		switch {
		case verdict.Count(o.Checks).FailedPre != nil:
			status = "not testable (a precondition fails: " + strings.TrimPrefix(verdict.Count(o.Checks).FailedPre.Name, "(precondition) ") + ")"
		case tested > 0 && held == tested:
			status = "reproduced"
		case tested > 0 && held > 0:
			status = "partly reproduced"
		case tested > 0:
			status = "not reproduced"
		}
		models := ""
		for _, x := range xs {
			if x.ID == "E1" {
				models = x.Models
			}
		}
		fmt.Fprintf(&b, "The paper's central claim, that a transformer pretrained on a dense+sparse mixture selects the class in context "+
			"and on sparse prompts does about as well as the sparse-only specialist, is %s here (E1 with %s)", status, models)
		if len(deciding) > 0 {
			fmt.Fprintf(&b, ": %s", strings.Join(deciding, "; "))
		}
		b.WriteString(".")
	}
	for _, x := range xs {
		o := outs[x.ID]
		if o == nil {
			continue
		}
		first, _, _ := strings.Cut(strings.TrimSpace(x.VerdictNote), "\n")
		fmt.Fprintf(&b, "\n\n%s (%s): %s with %s. %s", x.ID, x.Title, plainVerdict[o.Verdict], x.Models, first)
		if n := o.ControlNote(); n != "" {
			b.WriteString(" " + n)
		}
	}
	return strings.TrimSpace(b.String())
}

// scaleNote is the verdict's paragraph on the scale shown: the runs' sizes,
// then what is known about the claim at this scale (experiment.Def.ScaleNotes).
func scaleNote(d *experiment.Def, scale *experiment.Scale, runs []*runplan.Run) string {
	var sizes []string
	seen := map[string]bool{}
	for i := range d.Runs {
		r := runplan.For(runs, d.ID, d.Runs[i].Role)
		if r == nil || seen[r.Name] {
			continue
		}
		seen[r.Name] = true
		g := r.Cfg.GPT()
		sizes = append(sizes, fmt.Sprintf("%s: d = %d, %d points, %s, width %d, %d steps",
			path.Base(r.Name), g.Dim, g.Points, report.Plural(g.Layers, "layer"), g.Width, r.Cfg.Train.Steps))
	}
	s := fmt.Sprintf("About the scale: this report is at the %s scale (%s; %d prompts per evaluation setting).",
		scale.Name, strings.Join(sizes, "; "), scale.Prompts)
	rs, err := scale.RunScale(d.ID)
	if err != nil {
		rs = scale
	}
	if rs != scale {
		s += fmt.Sprintf(" At the %s scale %s evaluates the %s scale's runs (runs_from in experiment/scales.yaml).",
			scale.Name, d.ID, rs.Name)
	}
	if n := d.ScaleNotes[scale.Name]; n != "" {
		s += " " + strings.TrimSpace(n)
	} else if n := d.ScaleNotes[rs.Name]; n != "" {
		s += " " + strings.TrimSpace(n)
	} else if len(d.ScaleNotes) > 0 {
		var others []string
		for _, p := range presets.Scales {
			if d.ScaleNotes[p] != "" {
				others = append(others, p)
			}
		}
		what := "What the " + others[0] + " scale shows is in its own report"
		if n := len(others); n > 1 {
			what = "What the " + strings.Join(others[:n-1], ", ") + " and " + others[n-1] + " scales show is in their own reports"
		}
		s += fmt.Sprintf(" %s (icl reproduce -preset %s -only %s).", what, others[0], d.ID)
	}
	return s
}

// checkTable lists every check, whether it holds and its deciding numbers.
func checkTable(cs []verdict.Check, control *verdict.Control) report.Table {
	t := report.Table{Caption: "Checks", Header: []string{"check", "holds", "numbers"}}
	mark := verdict.Check.Holds
	if control != nil {
		t.Caption = "Checks, and whether each holds for the control (" + control.Name + ")"
		t.Header = append(t.Header, "control")
	}
	for i, c := range cs {
		detail := c.Detail
		if c.Untestable != "" {
			detail += "; not testable: " + c.Untestable
		}
		row := []string{c.Name, mark(c), detail}
		if control != nil && i < len(control.Checks) {
			row = append(row, mark(control.Checks[i]))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// controlPara is the verdict note's paragraph on the control, "" without
// one.
func controlPara(o *experiment.Outcome) string {
	if n := o.ControlNote(); n != "" {
		return "\n\n" + n
	}
	return ""
}

// precisionNote says at which precision the runs of a reproduction train.
func precisionNote(p string) string {
	if p == gpt.PrecisionBF16 {
		return "bf16 (-precision bf16: the blocks' matrix products with bf16 operands and float32 sums; numerics " + gpt.NumericsID(gpt.BF16) + ")"
	}
	return "the presets' own (fp32 unless a preset sets train.precision)"
}

// lossNote shows a run's final normalized evaluation loss, saying so when it
// is the zero predictor's: such a run did not learn in context, and every
// experiment that uses it measures a model that predicts about 0.
func lossNote(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case train.AtZeroPredictor(v):
		return fmt.Sprintf("%.3f: at the zero predictor, the run did not learn (train it again from another seed)", v)
	}
	return fmt.Sprintf("%.3f", v)
}

// runsTable is the report's table of the runs: whether each was shipped or
// trained here, its model's SHA-256, the training time its metrics record
// and the command that trains it again.
func runsTable(preset string, runs []*runplan.Run) *report.Table {
	t := &report.Table{
		Caption: "Models: where each run's model comes from, the SHA-256 of its model.safetensors, " +
			"the training time its metrics record (summed over resumes), its last evaluation's normalized loss " +
			"(the zero predictor scores 1) and the command that trains it again",
		Header: []string{"run", "model", "SHA-256", "training time", "final evaluation loss", "retrain with"},
	}
	for _, r := range runs {
		src := "trained here"
		cmd := "icl train -config " + filepath.Join(r.Dir, train.ConfigFile) + " -out NEWDIR"
		if r.Shipped != "" {
			src = "shipped (models/" + r.Shipped + ")"
			run := r.Shipped // a run of another scale (Scale.RunsFrom) is named with its scale
			if path.Dir(run) == preset {
				run = path.Base(run)
			}
			cmd = fmt.Sprintf("icl reproduce -preset %s -verify %s", preset, run)
		}
		sum := "not finished"
		if b, err := os.ReadFile(r.ModelPath()); err == nil {
			sum = provenance.SHA256Hex(b)
		}
		took, final := "not finished", "n/a"
		if d, ok := runplan.ReadTrainTime(r.Dir); ok {
			took = d.String()
			final = lossNote(d.FinalLoss)
		}
		t.Rows = append(t.Rows, []string{r.Name, src, sum, took, final, cmd})
	}
	return t
}
