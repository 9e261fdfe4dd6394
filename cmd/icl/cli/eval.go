package cli

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"icl/eval"
	"icl/internal/memlimit"
	"icl/runeval"
	"icl/train"
)

// evalCommand is `icl eval`.
var evalCommand = &command{
	name:  "eval",
	short: "evaluate a trained model and baselines in and out of distribution",
	usage: "-run DIR | -weights FILE [-o DIR] [-prompts 1280] [-no-ood]",
	long: `
Eval draws fresh prompts for every evaluation setting of a trained model — its
pretraining distribution, each mixture component, and the out-of-distribution
settings (skewed covariance, half subspace, x scaled by 2, y scaled by 2, label
noise 0.1, context in one orthant, query orthogonal to the context, query equal to
a context point) — and scores the model and the relevant baselines (least
squares, lasso, the Bayes-optimal predictor, ...) on the same prompts.

For each setting and predictor it writes the ICL curve: the mean normalized
squared error at each number of in-context examples i, with a 90% bootstrap
interval over prompts, to results.json and results.csv (columns setting,
predictor, position, mean, lo, hi), and one figure per setting (.svg and .png).
Output goes to DIR/eval for -run DIR, or to -o.

-weights also takes one of a run's checkpoints (DIR/ckpt-00036000.safetensors),
to evaluate a run partway through training or after it was interrupted; the
output then goes to DIR/ckpt-00036000-eval unless -o says otherwise.

Examples:

icl eval -run runs/dense
icl eval -weights model.safetensors -o eval-out -prompts 640
icl eval -weights runs/dense/ckpt-00036000.safetensors -no-ood
`,
	setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
		run := fs.String("run", "", "run `directory` (from icl train)")
		weights := fs.String("weights", "", "model `file`: model.safetensors or a checkpoint ckpt-*.safetensors written by icl train")
		out := fs.String("o", "", "output `directory` (default RUN/eval, or next to -weights)")
		prompts := fs.Int("prompts", eval.DefaultPrompts, "prompts per setting")
		boots := fs.Int("boots", eval.DefaultBoots, "bootstrap resamples for the 90% intervals")
		seed := fs.Uint64("seed", 1, "seed of the evaluation prompts")
		mc := fs.Int("mc", 5000, "samples of the Monte Carlo Bayes predictor")
		baselines := fs.String("baselines", "", "comma-separated baseline name prefixes (default: "+strings.Join(runeval.DefaultRunBaselines, ",")+")")
		noOOD := fs.Bool("no-ood", false, "only in-distribution settings")
		quiet := fs.Bool("q", false, "no progress lines")
		return func(ctx context.Context, e *env) error {
			if (*run == "") == (*weights == "") {
				return usageErrorf("give exactly one of -run DIR or -weights FILE")
			}
			if *prompts < 1 {
				return usageErrorf("-prompts %d must be >= 1", *prompts)
			}
			if *boots < 1 {
				return usageErrorf("-boots %d must be >= 1", *boots)
			}
			if *mc < 1 {
				return usageErrorf("-mc %d must be >= 1", *mc)
			}
			opts := runeval.RunOptions{Prompts: *prompts, Boots: *boots, Seed: *seed, MCSamples: *mc,
				NoOOD: *noOOD, OutDir: *out}
			if !*quiet {
				opts.Progress = e.stderr
			}
			if *baselines != "" {
				for i, pre := range strings.Split(*baselines, ",") {
					if pre = strings.TrimSpace(pre); pre == "" {
						return usageErrorf("-baselines %q: item %d is empty; want baseline name prefixes separated by commas, e.g. %s",
							*baselines, i+1, strings.Join(runeval.DefaultRunBaselines, ","))
					}
					opts.Baselines = append(opts.Baselines, pre)
				}
			}
			var res *eval.Results
			var err error
			if *run != "" {
				if _, serr := os.Stat(filepath.Join(*run, train.ConfigFile)); serr != nil {
					return fmt.Errorf("%s is not a run directory (no %s): give a directory made by 'icl train'", *run, train.ConfigFile)
				}
				cfg, cerr := train.LoadConfig(filepath.Join(*run, train.ConfigFile))
				if cerr != nil {
					return cerr
				}
				if err := checkEvalMemory(cfg, *prompts, *boots, *mc); err != nil {
					return err
				}
				if err := runeval.CheckBaselinePrefixes(cfg, opts); err != nil {
					return usageErrorf("-baselines: %v", err)
				}
				res, err = runeval.EvaluateRun(*run, opts)
				if opts.OutDir == "" {
					opts.OutDir = filepath.Join(*run, "eval")
				}
			} else {
				m, cfg, lerr := runeval.LoadWeights(*weights)
				if lerr != nil {
					return lerr
				}
				if err := checkEvalMemory(cfg, *prompts, *boots, *mc); err != nil {
					return err
				}
				if err := runeval.CheckBaselinePrefixes(cfg, opts); err != nil {
					return usageErrorf("-baselines: %v", err)
				}
				if opts.OutDir == "" {
					opts.OutDir = strings.TrimSuffix(*weights, filepath.Ext(*weights)) + "-eval"
				}
				res, err = runeval.EvaluateModel(m, cfg, opts)
			}
			if err != nil {
				return err
			}
			printEvalSummary(e, res)
			fmt.Fprintf(e.stdout, "\nwrote %s/results.json, results.csv and figures\n", opts.OutDir)
			return nil
		}
	},
}

// printEvalSummary prints, per setting, each predictor's error at a few
// positions: 1, d/2, d, 2d and the last.
func printEvalSummary(e *env, res *eval.Results) {
	for _, s := range res.Settings {
		var pos []int
		for _, i := range []int{1, s.D / 2, s.D, 2 * s.D, s.N - 1} {
			if i >= 1 && i < s.N && (len(pos) == 0 || i > pos[len(pos)-1]) {
				pos = append(pos, i)
			}
		}
		fmt.Fprintf(e.stdout, "\n%s (%s; %d prompts, d = %d): normalized error at i examples\n", s.Setting, s.Class, s.B, s.D)
		tw := newTable(e.stdout)
		fmt.Fprint(tw, "predictor \\ i\t")
		for _, i := range pos {
			fmt.Fprintf(tw, "%d\t", i)
		}
		fmt.Fprintln(tw)
		noQuery := false
		for _, c := range s.Curves {
			fmt.Fprintf(tw, "%s\t", c.Name)
			for _, i := range pos {
				m, _, _ := c.At(i)
				if math.IsNaN(m) {
					noQuery = true
					fmt.Fprint(tw, "-\t")
					continue
				}
				fmt.Fprintf(tw, "%.3f\t", m)
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		if noQuery {
			fmt.Fprintf(e.stdout, "-: no query at that position. A query orthogonal to every context point exists only while\n"+
				"the context spans less than the inputs do (fewer than d = %d points, or the rank of a subspace), so\n"+
				"this setting is scored only up to there (results files: NaN).\n", s.D)
		}
	}
}

// checkEvalMemory refuses -prompts or -boots that would not fit in memory
// for a model trained with cfg: a setting's prompts (float64 x, y and query
// copies), the predictions and errors of the model and about a dozen
// baselines on them, and lasso's predictions at each of its alphas (one
// setting at a time: only its curves are kept), doubled for the garbage
// collector's headroom (GOGC=100 lets the heap reach twice what is live);
// the model with its activations for a chunk of prompts on each core; a curve's bootstrap
// means, (boots, N) float64; and the Monte Carlo Bayes predictor's samples.
func checkEvalMemory(cfg *train.Config, prompts, boots, mc int) error {
	B, N, D := float64(prompts), float64(cfg.Data.Points), float64(cfg.Data.Dim)
	g := cfg.GPT()
	return memlimit.Check("evaluation",
		memlimit.Part{What: "a setting's prompts, predictions and errors", Bytes: 2 * 8 * B * N * (2*(D+1) + 2*12 + 8),
			Settings: fmt.Sprintf("-prompts = %d, with the model's data.points = %d and data.dim = %d", prompts, cfg.Data.Points, cfg.Data.Dim)},
		memlimit.Part{What: "the model and its activations", Bytes: 4 * (2*g.Size() + g.ActivationSize(eval.DefaultChunk(g)*runtime.GOMAXPROCS(0), g.Points)),
			Settings: fmt.Sprintf("model.layers = %d, model.width = %d, a chunk of prompts on each of %d cores", g.Layers, g.Width, runtime.GOMAXPROCS(0))},
		memlimit.Part{What: "a curve's bootstrap means", Bytes: 8 * float64(boots) * (N + 1),
			Settings: fmt.Sprintf("-boots = %d, with the model's data.points = %d", boots, cfg.Data.Points)},
		mcPart(mc, cfg.Data.Points))
}
