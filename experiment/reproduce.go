package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"icl/atomicfile"
	"icl/config"
	"icl/configs"
	"icl/eval"
	"icl/gpt"
	"icl/gpt/kernels"
	"icl/models"
	"icl/report"
	"icl/train"
)

// Options configures Reproduce.
type Options struct {
	Preset string   // a scale of configs.Scales; empty means configs.DefaultScale
	Only   []string // experiment ids (E1..E6, MS); empty means all
	OutDir string   // output directory; empty means "out/PRESET"
	// Progress receives progress lines; nil means os.Stderr.
	Progress io.Writer
	// Quiet drops the periodic per-run progress lines printed when Progress
	// is not a terminal (runs starting and finishing are still printed).
	Quiet bool
	// IsTerminal shows training as one live block redrawn in place (a line
	// per running run and a total line with the ETA) instead of plain lines.
	IsTerminal bool
	// TermWidth is the terminal's width in columns (0: 100), to which the
	// live lines are cut.
	TermWidth int
	// Jobs is how many runs train at once: 0 means one per core (Gemm's
	// thread count), 1 one after another with every core each. With several
	// at once the cores are shared out between them; small models use one
	// core better than several, so this finishes sooner (quick's 2-layer
	// model: 1.7x on 2 cores). The longest runs start first, and once fewer
	// runs are left than jobs they get the freed cores (the last run every
	// core). Results are the same bits either way.
	Jobs int
	// EvalSeed, when not 0, draws every evaluation's prompts (and the Monte
	// Carlo Bayes predictor's functions) from other streams than the
	// standard ones, so that candidate runs can be compared on prompts the
	// published report does not use. The report says it was set.
	EvalSeed uint64
	// Models is the folder of shipped models (package models); nil means the
	// ones embedded in the binary. A run whose resolved config equals a
	// shipped run's, and whose files all verify, is copied from there
	// instead of trained.
	Models fs.FS
	// Retrain ignores shipped models: every run is trained here.
	Retrain bool
	// Scale, when set, replaces the preset's evaluation sizes and run edits
	// (tests use tiny runs). Its Name is the run scale shown in run names.
	Scale *Scale
	// Precision, when "bf16", trains every run with train.precision bf16
	// (shipped models, trained in float32, then do not match); "" or
	// "fp32" keeps the presets' precision.
	Precision string
}

// shipped is the folder of shipped models a reproduction uses: opts.Models,
// or the models embedded in icl when it is nil.
func (opts Options) shipped() fs.FS {
	if opts.Models == nil {
		return models.FS()
	}
	return opts.Models
}

// ReportFile is the report's file name under the output directory.
const ReportFile = "report.html"

// Reproduce trains the runs the selected experiments need (reusing finished
// runs, resuming interrupted ones), evaluates, draws and writes
// OutDir/report.html. An experiment whose analysis fails is reported as not
// run with its error, and Reproduce returns the errors after writing the
// report.
func Reproduce(ctx context.Context, opts Options) error {
	start := time.Now()
	if opts.Preset == "" {
		opts.Preset = configs.DefaultScale
	}
	scale := opts.Scale
	if scale == nil {
		var err error
		if scale, err = LoadScale(opts.Preset); err != nil {
			return err
		}
	} else if err := scale.Validate(); err != nil {
		return err
	}
	if _, err := gpt.ParsePrecision(opts.Precision); err != nil {
		return &config.Error{Path: "precision", Msg: err.Error()}
	}
	scale.Precision = opts.Precision
	if opts.OutDir == "" {
		opts.OutDir = filepath.Join("out", opts.Preset)
	}
	w := opts.Progress
	if w == nil {
		w = os.Stderr
	}
	logf := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

	all, err := Defs()
	if err != nil {
		return err
	}
	var selected []*Def
	for _, d := range all {
		if d.RunsAt(scale.Name) {
			selected = append(selected, d)
		}
	}
	if len(opts.Only) > 0 {
		selected = nil
		for _, id := range opts.Only {
			d, err := LoadDef(strings.ToUpper(strings.TrimSpace(id)))
			if err != nil {
				return err
			}
			if !d.RunsAt(scale.Name) {
				return &config.Error{Path: "only", Msg: fmt.Sprintf("experiment %s runs at the %s scale only, not at %s", d.ID, strings.Join(d.Scales, ", "), scale.Name)}
			}
			selected = append(selected, d)
		}
	}
	runs, err := Plan(selected, scale, opts.OutDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return err
	}
	if err := useShipped(runs, opts.shipped(), opts.Retrain, logf); err != nil {
		return err
	}
	runs = dropIdleTrunks(runs)

	// Training.
	counts := map[string]int{}
	for _, r := range runs {
		counts[r.State]++
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = kernels.Threads()
	}
	jobs = max(1, min(jobs, counts[StateMissing]+counts[StateInterrupted]))
	logf("[reproduce] preset %s: %s, %s (%d done, %d to resume, %d to train) in %s",
		opts.Preset, plural(len(selected), "experiment"), plural(len(runs), "run"), counts[StateDone], counts[StateInterrupted],
		counts[StateMissing], opts.OutDir)
	if counts[StateDone] < len(runs) {
		logf("[reproduce] timing a training step of each model, for the time estimates")
	}
	timeSteps(runs, max(1, kernels.Threads()/jobs))
	where := "the models folder built into icl"
	if opts.Models != nil {
		where = "the models folder (-models)"
	}
	if err := checkShippedCover(runs, opts.shipped(), where, opts.Retrain, logf); err != nil {
		return err
	}
	trainStart := time.Now()
	disp := newDisplay(w, opts.IsTerminal, opts.Quiet, opts.TermWidth, runs)
	if err := trainRuns(ctx, runs, jobs, disp); err != nil {
		return err
	}
	trainTook := time.Since(trainStart)

	// Evaluation.
	ec, why := newEvalCache(opts.OutDir)
	if ec == nil {
		logf("[reproduce] evaluation cache off: %s", why)
	}
	models := map[string]*model{}
	var outcomes []*Outcome
	var errs []error
	failed := map[string]error{}
	evalStart := time.Now()
	for j, d := range selected {
		if err := ctx.Err(); err != nil {
			return err
		}
		left := ""
		if j > 0 {
			per := time.Since(evalStart) / time.Duration(j)
			left = fmt.Sprintf(", evaluation left ~%s", train.FormatDuration(per*time.Duration(len(selected)-j)))
		}
		logf("[%s] evaluating (%d/%d%s)", d.ID, j+1, len(selected), left)
		t0 := time.Now()
		o, err := runExperiment(d, scale, runs, models, ec, opts.OutDir, opts.EvalSeed, func(format string, args ...any) {
			logf("[%s] "+format, append([]any{d.ID}, args...)...)
		})
		if err != nil {
			logf("[%s] FAILED: %v", d.ID, err)
			errs = append(errs, fmt.Errorf("experiment %s: %w", d.ID, err))
			failed[d.ID] = err
			continue
		}
		o.Elapsed = time.Since(t0)
		outcomes = append(outcomes, o)
		logf("%s", verdictLine(o, o.Elapsed))
	}

	rep := buildReport(opts, scale, all, selected, outcomes, failed, runs, trainTook, time.Since(evalStart), time.Since(start))
	if err := keepSections(opts, rep, selected, logf); err != nil {
		return err
	}
	path := filepath.Join(opts.OutDir, ReportFile)
	if err := report.WriteFile(path, rep); err != nil {
		return err
	}
	logf("[reproduce] report: %s (total %s)", path, train.FormatDuration(time.Since(start)))
	return errors.Join(errs...)
}

// runTimes lists the training wall time each run's metrics record, e.g.
// "3:05:10 in all (dense_linear 39:08, ...)"; runs trained at once overlap.
func runTimes(runs []*PlannedRun) string {
	var sum time.Duration
	var each []string
	for _, r := range runs {
		d, ok := r.trainedFor()
		if !ok {
			each = append(each, path.Base(r.Name)+" not finished")
			continue
		}
		sum += d
		each = append(each, path.Base(r.Name)+" "+train.FormatDuration(d))
	}
	return fmt.Sprintf("%s summed (%s)", train.FormatDuration(sum), strings.Join(each, ", "))
}

// promptsNote is the report's line on the evaluation prompts.
func promptsNote(n int, evalSeed uint64) string {
	if evalSeed == 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d, drawn with -eval-seed %d: not the standard evaluation prompts", n, evalSeed)
}

// runExperiment loads d's models, analyses it and writes its files.
func runExperiment(d *Def, scale *Scale, runs []*PlannedRun, cache map[string]*model, ec *evalCache, outDir string, evalSeed uint64, logf func(string, ...any)) (*Outcome, error) {
	e := &env{def: d, scale: scale, models: map[string]*model{}, log: logf, evalSeed: evalSeed, cache: ec,
		eopts: eval.Options{Boots: max(scale.Boots, 0), BootSeed: 1}}
	if scale.Boots == 0 {
		e.eopts.Boots = -1
	}
	for i := range d.Runs {
		ref := &d.Runs[i]
		run := runFor(runs, d.ID, ref.Role)
		if run == nil {
			panic("experiment " + d.ID + ": role " + ref.Role + " has no planned run")
		}
		cfg := run.Cfg
		m, ok := cache[cfg.Name]
		if !ok {
			gm, _, err := gpt.LoadFile(run.ModelPath())
			if err != nil {
				return nil, err
			}
			sum, err := fileSHA256(run.ModelPath())
			if err != nil {
				return nil, err
			}
			m = &model{run: run, m: gm, sha256: sum}
			cache[cfg.Name] = m
		}
		label := ref.Label
		if label == "" {
			label = "transformer: " + ref.RunName()
		}
		e.models[ref.Role] = &model{role: ref.Role, label: label, run: run, m: m.m, sha256: m.sha256}
		if i == 0 {
			e.d, e.n = cfg.Data.Dim, cfg.Data.Points
		}
	}
	o, err := registry[d.ID].Analyze(e)
	if err != nil {
		return nil, err
	}
	o.Verdict = Verdict(o.Checks)
	for _, m := range e.models {
		m.m.Release() // the next experiment that uses it allocates again; few do
	}
	logf("drawing %s, writing results to %s", plural(len(o.Figures), "figure"), filepath.Join(outDir, d.ID))
	return o, writeOutcome(o, filepath.Join(outDir, d.ID))
}

// writeOutcome writes an experiment's results, figures and verdict to dir.
func writeOutcome(o *Outcome, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if len(o.Results.Settings) > 0 {
		if err := o.Results.Save(dir, "results"); err != nil {
			return err
		}
	}
	for i, s := range o.Sweeps {
		base := "sweep"
		if i > 0 {
			base = fmt.Sprintf("sweep%d", i+1)
		}
		if err := atomicfile.Write(filepath.Join(dir, base+".json"), s.WriteJSON); err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(dir, base+".csv"), s.WriteCSV); err != nil {
			return err
		}
	}
	if len(o.Selections) > 0 {
		if err := writeJSON(filepath.Join(dir, "selection.json"), o.Selections); err != nil {
			return err
		}
	}
	if len(o.Fitted) > 0 {
		if err := writeJSON(filepath.Join(dir, "fitted.json"), o.Fitted); err != nil {
			return err
		}
	}
	type checkJSON struct {
		Name         string `json:"name"`
		Detail       string `json:"detail"`
		Pass         bool   `json:"pass"`
		Precondition bool   `json:"precondition,omitempty"`
		Untestable   string `json:"untestable,omitempty"`
	}
	t := Count(o.Checks)
	v := struct {
		ID       string      `json:"id"`
		Verdict  string      `json:"verdict"`
		Summary  string      `json:"summary"`
		Held     int         `json:"held"`
		Testable int         `json:"testable"`
		Claims   int         `json:"claims"`
		Checks   []checkJSON `json:"checks"`
	}{ID: o.Def.ID, Verdict: o.Verdict, Summary: t.String(), Held: t.Held, Testable: t.Testable, Claims: t.Claims}
	for _, c := range o.Checks {
		v.Checks = append(v.Checks, checkJSON{c.Name, c.Detail, c.Pass, c.Precondition, c.Untestable})
	}
	if err := writeJSON(filepath.Join(dir, "verdict.json"), v); err != nil {
		return err
	}
	o.SVGs = make([][]byte, len(o.Figures))
	for i, f := range o.Figures {
		for _, format := range []string{"svg", "png"} {
			b, err := f.F.Render(format)
			if err != nil {
				return fmt.Errorf("figure %s: %w", f.Name, err)
			}
			if format == "svg" {
				o.SVGs[i] = b
			}
			if err := atomicfile.WriteBytes(filepath.Join(dir, f.Name+"."+format), b); err != nil {
				return err
			}
		}
	}
	return nil
}

// buildReport assembles the HTML report.
func buildReport(opts Options, scale *Scale, all, selected []*Def, outs []*Outcome, failed map[string]error,
	runs []*PlannedRun, trainTook, evalTook, total time.Duration) report.Report {
	mod, commit := version()
	rep := report.Report{
		Title: "icl reproduction (" + opts.Preset + " preset)",
		Intro: "A reproduction of Yadlowsky, Doshi and Tripuraneni, \"Pretraining Data Mixtures Enable Narrow Model " +
			"Selection Capabilities in Transformer Models\" (arXiv 2311.00871), with the companion workshop paper's " +
			"rare-class finding and the transformer's implied model-selection weight.\n\n" +
			"Errors are squared errors divided by the scale of the prompt's class (the zero predictor scores about 1), " +
			"averaged over prompts, against the number of in-context examples, with 90% percentile bootstrap intervals over prompts. " +
			"Each verdict is computed from the numbers by the rule stated in its section. Preconditions first: the models must " +
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
			{Key: "training time of the runs", Value: runTimes(runs)},
			{Key: "evaluation time", Value: train.FormatDuration(evalTook)},
			{Key: "total time", Value: train.FormatDuration(total)},
			{Key: "icl version", Value: mod},
			{Key: "git commit", Value: commit},
			{Key: "machine", Value: machine()},
			{Key: "date", Value: time.Now().UTC().Format("2006-01-02 15:04 UTC")},
		},
	}
	rep.Runs = runsTable(opts.Preset, runs)
	byID := map[string]*Outcome{}
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
			x.VerdictNote = Count(o.Checks).String() + "\n\nEvery check with its numbers is in the table \"Checks\" above.\n\nRule: " +
				strings.TrimSpace(d.Rule) + " " + ruleVerdict(o.Checks) + "\n\n" + scaleNote(d, scale, runs)
			for i, f := range o.Figures {
				var svg []byte
				if i < len(o.SVGs) {
					svg = o.SVGs[i]
				}
				x.Figures = append(x.Figures, report.Figure{Caption: f.Caption, SVG: svg})
			}
			x.Tables = append([]report.Table{checkTable(o.Checks)}, o.Tables...)
			x.Configs = append(x.Configs, report.Code{Name: "evaluation sizes (scale " + scale.Name + ")", Text: string(scaleText)})
			seen, seenPreset := map[string]bool{}, map[string]bool{}
			for i := range d.Runs {
				// The preset file as written: its comments say why its recipe is what it is.
				rs, err := scale.runScale(d.ID)
				if err != nil {
					rs = scale
				}
				if name := rs.presetName(&d.Runs[i]); !seenPreset[name] {
					seenPreset[name] = true
					if text, err := configs.Read(name); err == nil {
						x.Configs = append(x.Configs, report.Code{Name: "preset " + name + " (configs/" + name + ".yaml)", Text: string(text)})
					}
				}
				if r := runFor(runs, d.ID, d.Runs[i].Role); r != nil && !seen[r.Name] {
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
func modelsNote(d *Def, runs []*PlannedRun) string {
	var out []string
	for i := range d.Runs {
		r := runFor(runs, d.ID, d.Runs[i].Role)
		if r == nil {
			continue
		}
		scale, _, _ := strings.Cut(r.Name, "/")
		g := r.Cfg.GPT()
		s := fmt.Sprintf("%s: %s, width %d, %d steps", scale, plural(g.Layers, "layer"), g.Width, r.Cfg.Train.Steps)
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
func leadParagraph(xs []report.Experiment, outs map[string]*Outcome) string {
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
		case Count(o.Checks).FailedPre != nil:
			status = "not testable (a precondition fails: " + strings.TrimPrefix(Count(o.Checks).FailedPre.Name, "(precondition) ") + ")"
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
	}
	return strings.TrimSpace(b.String())
}

// verdictLine is the terminal's line on an analysed experiment; it counts
// checks as the report does.
func verdictLine(o *Outcome, took time.Duration) string {
	why := strings.TrimSuffix(Count(o.Checks).String(), ".")
	return fmt.Sprintf("[%s] %s: %s%s (in %s)", o.Def.ID, o.Verdict, strings.ToLower(why[:1]), why[1:], train.FormatDuration(took))
}

// scaleNote is the verdict's paragraph on the scale shown: the runs' sizes,
// then what is known about the claim at this scale (Def.ScaleNotes).
func scaleNote(d *Def, scale *Scale, runs []*PlannedRun) string {
	var sizes []string
	seen := map[string]bool{}
	for i := range d.Runs {
		r := runFor(runs, d.ID, d.Runs[i].Role)
		if r == nil || seen[r.Name] {
			continue
		}
		seen[r.Name] = true
		g := r.Cfg.GPT()
		sizes = append(sizes, fmt.Sprintf("%s: d = %d, %d points, %s, width %d, %d steps",
			path.Base(r.Name), g.Dim, g.Points, plural(g.Layers, "layer"), g.Width, r.Cfg.Train.Steps))
	}
	s := fmt.Sprintf("About the scale: this report is at the %s scale (%s; %d prompts per evaluation setting).",
		scale.Name, strings.Join(sizes, "; "), scale.Prompts)
	rs, err := scale.runScale(d.ID)
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
		for _, p := range configs.Scales {
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
func checkTable(cs []Check) report.Table {
	t := report.Table{Caption: "Checks", Header: []string{"check", "holds", "numbers"}}
	for _, c := range cs {
		mark, detail := "no", c.Detail
		if c.Pass {
			mark = "yes"
		}
		if c.Untestable != "" {
			mark, detail = "not testable", c.Detail+"; not testable: "+c.Untestable
		}
		t.Rows = append(t.Rows, []string{c.Name, mark, detail})
	}
	return t
}

// precisionNote says at which precision the runs of a reproduction train.
func precisionNote(p string) string {
	if p == gpt.PrecisionBF16 {
		return "bf16 (-precision bf16: the blocks' matrix products with bf16 operands and float32 sums; numerics " + gpt.NumericsID(gpt.BF16) + ")"
	}
	return "the presets' own (fp32 unless a preset sets train.precision)"
}

// sectionFile is where an experiment's report section is kept (OUT/ID/),
// so that a later invocation with -only can show it without running it.
const sectionFile = "section.json"

// storedSection is a report section kept by an earlier invocation.
type storedSection struct {
	Section   report.Experiment `json:"section"`
	Date      string            `json:"date"`
	Commit    string            `json:"commit"`
	Preset    string            `json:"preset"`
	EvalSeed  uint64            `json:"eval_seed"`
	Precision string            `json:"precision"`
}

// keepSections writes the section of every experiment run now to
// OUT/ID/section.json, and puts into rep, in place of each experiment not
// selected in this invocation, the section an earlier invocation of the
// same preset, evaluation seed and precision kept, marked with its date and
// commit: -only never loses earlier results.
func keepSections(opts Options, rep report.Report, selected []*Def, logf func(string, ...any)) error {
	ran := map[string]bool{}
	for _, d := range selected {
		ran[d.ID] = true
	}
	_, commit := version()
	now := time.Now().UTC().Format("2006-01-02 15:04 UTC")
	for i := range rep.Experiments {
		x := &rep.Experiments[i]
		path := filepath.Join(opts.OutDir, x.ID, sectionFile)
		if ran[x.ID] {
			if x.Verdict == report.NotRun { // failed: nothing to keep
				continue
			}
			if err := writeJSON(path, storedSection{Section: *x, Date: now, Commit: commit, Preset: opts.Preset,
				EvalSeed: opts.EvalSeed, Precision: opts.Precision}); err != nil {
				return err
			}
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var st storedSection
		if json.Unmarshal(b, &st) != nil || st.Section.ID != x.ID || st.Preset != opts.Preset ||
			st.EvalSeed != opts.EvalSeed || st.Precision != opts.Precision {
			continue
		}
		first, rest, _ := strings.Cut(st.Section.VerdictNote, "\n\n")
		st.Section.VerdictNote = first + fmt.Sprintf("\n\nKept from an earlier invocation (%s, commit %s): not rerun in this one (-only).\n\n",
			st.Date, st.Commit) + rest
		*x = st.Section
		logf("[reproduce] %s: not run now; the report shows its section from %s", x.ID, st.Date)
	}
	return nil
}
