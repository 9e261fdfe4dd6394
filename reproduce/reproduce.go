package reproduce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"icl/config"
	"icl/evalcache"
	"icl/experiment"
	"icl/gpt"
	"icl/gpt/kernels"
	"icl/models"
	"icl/presets"
	"icl/progress"
	"icl/provenance"
	"icl/report"
	"icl/runplan"
	"icl/shipped"
	"icl/train"
	"icl/verdict"
)

// Options configures Reproduce.
type Options struct {
	Preset string   // a scale of presets.Scales; empty means presets.DefaultScale
	Only   []string // experiment ids (experiment.IDs); empty means every one that runs at the scale
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

// Defaults fills opts' unset Preset (presets.DefaultScale), OutDir
// (out/PRESET) and Progress (os.Stderr), and returns the function that
// writes a progress line to Progress.
func (opts *Options) Defaults() (logf func(format string, args ...any)) {
	if opts.Preset == "" {
		opts.Preset = presets.DefaultScale
	}
	if opts.OutDir == "" {
		opts.OutDir = filepath.Join("out", opts.Preset)
	}
	if opts.Progress == nil {
		opts.Progress = os.Stderr
	}
	w := opts.Progress
	return func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
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
	logf := opts.Defaults()
	scale, err := resolveScale(opts)
	if err != nil {
		return err
	}

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
	disp := progress.New(opts.Progress, opts.IsTerminal, opts.Quiet, opts.TermWidth, runs)
	if err := runplan.Train(ctx, runs, jobs, disp); err != nil {
		return err
	}
	trainTook := time.Since(trainStart)

	// Evaluation.
	ec, why := evalcache.New(opts.OutDir)
	if ec == nil {
		logf("[reproduce] evaluation cache off: %s", why)
	}
	models := map[string]*experiment.Model{}
	var outcomes []*experiment.Outcome
	var errs []error
	failed := map[string]error{}
	evalStart := time.Now()
	eta := predictEvaluation(selected, scale, runs, models, experiment.AnalyzeOptions{Cache: ec, EvalSeed: opts.EvalSeed}, logf)
	for j, d := range selected {
		if err := ctx.Err(); err != nil {
			return err
		}
		left := ""
		if j > 0 {
			left = ", evaluation left ~" + eta.left(j, time.Since(evalStart))
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

// loadModels loads d's models by role from their runs, each once (loaded
// keeps them by run name).
func loadModels(d *experiment.Def, runs []*runplan.Run, loaded map[string]*experiment.Model) (map[string]*experiment.Model, error) {
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
	return models, nil
}

// runExperiment loads d's models, analyses d and writes its files under
// outDir/ID.
func runExperiment(d *experiment.Def, scale *experiment.Scale, runs []*runplan.Run, loaded map[string]*experiment.Model,
	opts experiment.AnalyzeOptions, outDir string) (*experiment.Outcome, error) {
	models, err := loadModels(d, runs, loaded)
	if err != nil {
		return nil, err
	}
	o, err := experiment.Analyze(d, scale, models, opts)
	if err != nil {
		return nil, err
	}
	for _, m := range models {
		m.M.Release() // its activations go to the next model that runs
	}
	dir := filepath.Join(outDir, d.ID)
	opts.Log("drawing %s, writing results to %s", report.Plural(len(o.Figures), "figure"), dir)
	return o, writeOutcome(o, dir)
}

// evalETA is the evaluation's predicted time, experiment by experiment.
type evalETA struct {
	cost []time.Duration // per selected experiment; -1: not predicted
}

// predictEvaluation predicts each selected experiment's evaluation time from
// its settings' costs measured on a few prompts each
// (experiment.EstimateCost), and says the total.
func predictEvaluation(selected []*experiment.Def, scale *experiment.Scale, runs []*runplan.Run, loaded map[string]*experiment.Model,
	opts experiment.AnalyzeOptions, logf func(string, ...any)) *evalETA {
	t0 := time.Now()
	eta := &evalETA{cost: make([]time.Duration, len(selected))}
	var total time.Duration
	for j, d := range selected {
		models, err := loadModels(d, runs, loaded)
		if err == nil {
			eta.cost[j], err = experiment.EstimateCost(d, scale, models, opts)
		}
		if err != nil {
			eta.cost[j] = -1 // Analyze will say what is wrong
			continue
		}
		total += eta.cost[j]
	}
	for _, m := range loaded {
		m.M.Release()
	}
	var each []string
	for j, d := range selected {
		if eta.cost[j] >= 0 {
			each = append(each, d.ID+" "+train.FormatDuration(eta.cost[j]))
		}
	}
	logf("[reproduce] evaluation predicted to take ~%s (%s; each setting timed on %d prompts, in %s)", train.FormatDuration(total),
		strings.Join(each, ", "), experiment.ProbePrompts, train.FormatDuration(time.Since(t0)))
	return eta
}

// left is the predicted time of experiments j.. after the first j took
// took: their predicted costs scaled by how much slower (or faster) than
// predicted the first j went.
func (eta *evalETA) left(j int, took time.Duration) string {
	var done, rest time.Duration
	for k, c := range eta.cost {
		if c < 0 {
			continue
		}
		if k < j {
			done += c
		} else {
			rest += c
		}
	}
	ratio := 1.0
	if done > time.Second {
		ratio = min(max(float64(took)/float64(done), 0.25), 4)
	}
	return train.FormatDuration(time.Duration(float64(rest) * ratio))
}

// verdictLine is the terminal's line on an analysed experiment; it counts
// checks as the report does.
func verdictLine(o *experiment.Outcome, took time.Duration) string {
	why := strings.TrimSuffix(verdict.Count(o.Checks).String(), ".")
	return fmt.Sprintf("[%s] %s: %s%s (in %s)", o.Def.ID, o.Verdict, strings.ToLower(why[:1]), why[1:], train.FormatDuration(took))
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
// opts.Preset (presets.DefaultScale when empty), at opts.Precision.
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
			preset = presets.DefaultScale
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
