package reproduce

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
	"icl/experiment"
	"icl/gpt"
	"icl/gpt/kernels"
	"icl/models"
	"icl/progress"
	"icl/provenance"
	"icl/report"
	"icl/runplan"
	"icl/shipped"
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
	// (tests use tiny runs, experiment.MicroScale). Its Name is the run scale
	// shown in run names.
	Scale *experiment.Scale
	// Precision, when "bf16", trains every run with train.precision bf16
	// (shipped models, trained in float32, then do not match); "" or
	// "fp32" keeps the presets' precision.
	Precision string
}

// Shipped is the folder of shipped models a reproduction uses: opts.Models,
// or the models embedded in icl when it is nil.
func (opts Options) Shipped() fs.FS {
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
	scale, err := resolveScale(opts)
	if err != nil {
		return err
	}
	if opts.OutDir == "" {
		opts.OutDir = filepath.Join("out", opts.Preset)
	}
	w := opts.Progress
	if w == nil {
		w = os.Stderr
	}
	logf := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

	all, selected, err := selectDefs(opts, scale)
	if err != nil {
		return err
	}
	runs, err := runplan.Plan(selected, scale, opts.OutDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return err
	}
	if err := shipped.Use(runs, opts.Shipped(), opts.Retrain, logf); err != nil {
		return err
	}
	runs = runplan.DropIdleTrunks(runs)

	// Training.
	counts := map[string]int{}
	for _, r := range runs {
		counts[r.State]++
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = kernels.Threads()
	}
	jobs = max(1, min(jobs, counts[runplan.StateMissing]+counts[runplan.StateInterrupted]))
	logf("[reproduce] preset %s: %s, %s (%d done, %d to resume, %d to train) in %s",
		opts.Preset, report.Plural(len(selected), "experiment"), report.Plural(len(runs), "run"), counts[runplan.StateDone], counts[runplan.StateInterrupted],
		counts[runplan.StateMissing], opts.OutDir)
	if counts[runplan.StateDone] < len(runs) {
		logf("[reproduce] timing a training step of each model, for the time estimates")
	}
	runplan.TimeSteps(runs, max(1, kernels.Threads()/jobs))
	where := "the models folder built into icl"
	if opts.Models != nil {
		where = "the models folder (-models)"
	}
	if err := shipped.CheckCover(runs, opts.Shipped(), where, opts.Retrain, logf); err != nil {
		return err
	}
	trainStart := time.Now()
	disp := progress.New(w, opts.IsTerminal, opts.Quiet, opts.TermWidth, runs)
	if err := runplan.Train(ctx, runs, jobs, disp); err != nil {
		return err
	}
	trainTook := time.Since(trainStart)

	// Evaluation.
	ec, why := experiment.NewEvalCache(opts.OutDir)
	if ec == nil {
		logf("[reproduce] evaluation cache off: %s", why)
	}
	models := map[string]*experiment.Model{}
	var outcomes []*experiment.Outcome
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
		o, err := runExperiment(d, scale, runs, models, experiment.AnalyzeOptions{Cache: ec, EvalSeed: opts.EvalSeed,
			Log: func(format string, args ...any) { logf("[%s] "+format, append([]any{d.ID}, args...)...) }}, opts.OutDir)
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

// promptsNote is the report's line on the evaluation prompts.
func promptsNote(n int, evalSeed uint64) string {
	if evalSeed == 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d, drawn with -eval-seed %d: not the standard evaluation prompts", n, evalSeed)
}

// runExperiment loads d's models (keeping each loaded once in loaded, by
// run name), analyses d and writes its files under outDir/ID.
func runExperiment(d *experiment.Def, scale *experiment.Scale, runs []*runplan.Run, loaded map[string]*experiment.Model,
	opts experiment.AnalyzeOptions, outDir string) (*experiment.Outcome, error) {
	models := map[string]*experiment.Model{}
	for i := range d.Runs {
		role := d.Runs[i].Role
		run := runplan.For(runs, d.ID, role)
		if run == nil {
			panic("experiment " + d.ID + ": role " + role + " has no planned run")
		}
		m, ok := loaded[run.Name]
		if !ok {
			gm, _, err := gpt.LoadFile(run.ModelPath())
			if err != nil {
				return nil, err
			}
			sum, err := provenance.FileSHA256(run.ModelPath())
			if err != nil {
				return nil, err
			}
			m = &experiment.Model{Run: run.Name, Cfg: run.Cfg, M: gm, SHA256: sum}
			loaded[run.Name] = m
		}
		models[role] = m
	}
	o, err := experiment.Analyze(d, scale, models, opts)
	if err != nil {
		return nil, err
	}
	for _, m := range models {
		m.M.Release() // the next experiment that uses it allocates again; few do
	}
	dir := filepath.Join(outDir, d.ID)
	opts.Log("drawing %s, writing results to %s", report.Plural(len(o.Figures), "figure"), dir)
	return o, o.Write(dir)
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
			x.VerdictNote = experiment.Count(o.Checks).String() + "\n\nEvery check with its numbers is in the table \"Checks\" above.\n\nRule: " +
				strings.TrimSpace(d.Rule) + " " + experiment.RuleVerdict(o.Checks) + "\n\n" + scaleNote(d, scale, runs)
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
				rs, err := scale.RunScale(d.ID)
				if err != nil {
					rs = scale
				}
				if name := rs.PresetName(&d.Runs[i]); !seenPreset[name] {
					seenPreset[name] = true
					if text, err := configs.Read(name); err == nil {
						x.Configs = append(x.Configs, report.Code{Name: "preset " + name + " (configs/" + name + ".yaml)", Text: string(text)})
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
		case experiment.Count(o.Checks).FailedPre != nil:
			status = "not testable (a precondition fails: " + strings.TrimPrefix(experiment.Count(o.Checks).FailedPre.Name, "(precondition) ") + ")"
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
func verdictLine(o *experiment.Outcome, took time.Duration) string {
	why := strings.TrimSuffix(experiment.Count(o.Checks).String(), ".")
	return fmt.Sprintf("[%s] %s: %s%s (in %s)", o.Def.ID, o.Verdict, strings.ToLower(why[:1]), why[1:], train.FormatDuration(took))
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
func checkTable(cs []experiment.Check) report.Table {
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
func keepSections(opts Options, rep report.Report, selected []*experiment.Def, logf func(string, ...any)) error {
	ran := map[string]bool{}
	for _, d := range selected {
		ran[d.ID] = true
	}
	_, commit := provenance.Version()
	now := time.Now().UTC().Format("2006-01-02 15:04 UTC")
	for i := range rep.Experiments {
		x := &rep.Experiments[i]
		path := filepath.Join(opts.OutDir, x.ID, sectionFile)
		if ran[x.ID] {
			if x.Verdict == report.NotRun { // failed: nothing to keep
				continue
			}
			if err := atomicfile.WriteJSON(path, storedSection{Section: *x, Date: now, Commit: commit, Preset: opts.Preset,
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

// selectDefs returns every experiment and those opts selects at scale:
// opts.Only, or else every one that runs at scale.
func selectDefs(opts Options, scale *experiment.Scale) (all, selected []*experiment.Def, err error) {
	if all, err = experiment.Defs(); err != nil {
		return nil, nil, err
	}
	if len(opts.Only) == 0 {
		for _, d := range all {
			if d.RunsAt(scale.Name) {
				selected = append(selected, d)
			}
		}
		return all, selected, nil
	}
	for _, id := range opts.Only {
		d, err := experiment.LoadDef(strings.ToUpper(strings.TrimSpace(id)))
		if err != nil {
			return nil, nil, err
		}
		if !d.RunsAt(scale.Name) {
			return nil, nil, &config.Error{Path: "only", Msg: fmt.Sprintf("experiment %s runs at the %s scale only, not at %s",
				d.ID, strings.Join(d.Scales, ", "), scale.Name)}
		}
		selected = append(selected, d)
	}
	return all, selected, nil
}

// resolveScale returns opts.Scale, validated, or else the scale of
// opts.Preset (configs.DefaultScale when empty), at opts.Precision.
func resolveScale(opts Options) (*experiment.Scale, error) {
	if _, err := gpt.ParsePrecision(opts.Precision); err != nil {
		return nil, &config.Error{Path: "precision", Msg: err.Error()}
	}
	scale := opts.Scale
	if scale != nil {
		if err := scale.Validate(); err != nil {
			return nil, err
		}
	} else {
		preset := opts.Preset
		if preset == "" {
			preset = configs.DefaultScale
		}
		var err error
		if scale, err = experiment.LoadScale(preset); err != nil {
			return nil, err
		}
	}
	scale.Precision = opts.Precision
	return scale, nil
}

// PlanRuns plans the runs of the experiments opts selects, in opts.OutDir,
// as Reproduce would.
func PlanRuns(opts Options) ([]*runplan.Run, error) {
	scale, err := resolveScale(opts)
	if err != nil {
		return nil, err
	}
	_, selected, err := selectDefs(opts, scale)
	if err != nil {
		return nil, err
	}
	return runplan.Plan(selected, scale, opts.OutDir)
}
