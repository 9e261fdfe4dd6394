package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"time"

	"icl/baseline"
	"icl/eval"
	"icl/internal/memlimit"
	"icl/npz"
	"icl/prompt"
	"icl/task"
)

// baselinesCommand is `icl baselines`.
var baselinesCommand = &command{
	name:  "baselines",
	short: "run classical and Bayes-optimal baselines on prompts; print their ICL curves",
	usage: "[-prompts prompts.npz] [-o baselines.npz] [-config FILE.yaml] [-lasso 0.001,0.01,0.1]",
	long: `
Baselines predicts, for every prompt and every position i, y_i from the first i
points (0 at i = 0) with each baseline, writes one (B, N) float64 array per
baseline to -o, named by baseline and parameter (zero, averaging, knn_k=3,
least_squares, ridge_lambda=0.1, lasso_alpha=0.01, lasso_best_in_hindsight,
bayes_dense, bayes_sparse_k=2, bayes_mixture, bayes_mc_m=20000, ...), and prints
each baseline's normalized ICL curve: the mean over prompts of (prediction - y)^2
divided by the prompt's class scale (so the zero predictor scores about 1).

The Bayes-optimal baselines need the prior: it is read from the prompts file's
config_yaml (written by 'icl sample'), or from -config (a prompt config as
'icl sample' takes). Without a prior only the prior-free baselines run. With a
mixture prior the output also holds posterior (B, N, K): p(class | first i points)
from the exact Bayes mixture, and each component's own Bayes predictor runs too.

Conventions (for checking against numpy/scikit-learn): least squares is
numpy.linalg.lstsq's minimum-norm solution (rcond = eps * max(i, d)); ridge
minimizes |y - Xw|^2 + lambda |w|^2; lasso minimizes (1/(2n)) |y - Xw|^2 +
alpha |w|_1 with no intercept (scikit-learn's objective), by coordinate descent
to a duality gap <= 1e-12 y.y with every KKT condition within 1e-9 n alpha.

Without -prompts it first samples the default mixture (see 'icl sample -h').
`,
	setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
		in := fs.String("prompts", "", "prompts `file` (.npz with xs, ys; default: sample the default mixture)")
		out := fs.String("o", "baselines.npz", "output `file` (.npz)")
		cfgPath := fs.String("config", "", "prompt config `file` giving the prior (overrides the file's own)")
		lasso := fs.String("lasso", "0.001,0.01,0.1", "comma-separated lasso `alphas`")
		ridge := fs.String("ridge", "0.1,1", "comma-separated ridge `lambdas`")
		mc := fs.Int("mc", 20000, "samples of the Monte Carlo Bayes predictor (classes without an exact one)")
		all := fs.Bool("all", false, "print every position (default: a selection)")
		return func(ctx context.Context, e *env) error {
			opts := baseline.DefaultOptions()
			var err error
			if opts.LassoAlphas, err = parseFloats("lasso", *lasso); err != nil {
				return err
			}
			if opts.RidgeLambdas, err = parseFloats("ridge", *ridge); err != nil {
				return err
			}
			opts.MCSamples = *mc
			if err := opts.Validate(); err != nil {
				return usageErrorf("%v", err)
			}
			var b *prompt.Batch
			var cfg prompt.Config
			var havePrior bool
			if *in == "" {
				cfg = prompt.DefaultConfig()
				if b, _, err = cfg.Draw(); err != nil {
					return err
				}
				havePrior = true
				fmt.Fprintf(e.stderr, "no -prompts given: sampled the default mixture (%d prompts, seed %d)\n", b.B, cfg.Seed)
			} else {
				if b, cfg, havePrior, err = prompt.ReadNPZ(*in); err != nil {
					return err
				}
				if err := checkPromptValues(*in, b, false); err != nil {
					return err
				}
			}
			if b.Scale == nil {
				b.Scale = make([]float64, b.B)
				for i := range b.Scale {
					b.Scale[i] = 1
				}
				fmt.Fprintf(e.stderr, "%s has no %q array: errors are not normalized\n", *in, "scale")
			}
			if *cfgPath != "" {
				if cfg, err = prompt.LoadConfig(*cfgPath); err != nil {
					return err
				}
				if cfg.Dim != b.D {
					return fmt.Errorf("%s: dim %d does not match the prompts' D = %d", *cfgPath, cfg.Dim, b.D)
				}
				havePrior = true
			}
			var class task.Class
			if havePrior {
				if class, err = cfg.Task.Build(b.D); err != nil {
					return err
				}
			} else {
				fmt.Fprintln(e.stderr, "the prompts carry no prior (config_yaml) and no -config was given: Bayes baselines skipped")
			}
			// About a dozen baselines besides the lasso and ridge ones, each a
			// (B, N) float64 array, kept until written, and the posterior.
			nPred := 12 + len(opts.LassoAlphas) + len(opts.RidgeLambdas)
			if err := memlimit.Check("running the baselines", memlimit.Part{What: "their predictions",
				Bytes:    8 * float64(nPred) * float64(b.B) * float64(b.N) * 2,
				Settings: fmt.Sprintf("the prompts' B = %d and N = %d, -lasso and -ridge (%d predictors)", b.B, b.N, nPred)},
				mcPart(opts.MCSamples, b.N)); err != nil {
				return err
			}
			preds, names, post, err := runBaselines(ctx, e.stderr, b, class, opts)
			if err != nil {
				return err
			}
			arrs := make([]npz.Array, 0, len(names)+1)
			for i, n := range names {
				arrs = append(arrs, npz.NewFloat64(n, []int{b.B, b.N}, preds[i]))
			}
			if post != nil {
				arrs = append(arrs, npz.NewFloat64("posterior", []int{b.B, b.N, len(post) / (b.B * b.N)}, post))
			}
			if err := npz.WriteNPZ(*out, arrs...); err != nil {
				return err
			}
			curves := make([][]float64, len(names))
			for i := range names {
				curves[i] = eval.ICLCurve(names[i], eval.NormalizedErrors(preds[i], b), b.B, b.N, eval.DefaultLevel, 0, nil).Mean
			}
			printCurves(e.stdout, names, curves, b, *all)
			fmt.Fprintf(e.stdout, "\nwrote %s: %d baselines", *out, len(names))
			if post != nil {
				fmt.Fprintf(e.stdout, " and the class posterior")
			}
			fmt.Fprintln(e.stdout)
			return nil
		}
	},
}

// parseFloats parses the value of flag -flagName: positive finite numbers
// separated by commas (spaces around them allowed), or nothing for none. Each
// item must be a number and nothing else.
func parseFloats(flagName, s string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var v []float64
	for i, item := range strings.Split(s, ",") {
		f := strings.TrimSpace(item)
		x, err := strconv.ParseFloat(f, 64)
		if err != nil || !(x > 0) || math.IsInf(x, 0) {
			return nil, usageErrorf("-%s %q: item %d, %q, is not a positive number; want positive numbers separated by commas, e.g. 0.001,0.01,0.1",
				flagName, s, i+1, f)
		}
		v = append(v, x)
	}
	return v, nil
}

// runBaselines runs the suite for class (baseline.Select with each mixture
// component's Bayes predictor; the prior-free baselines when class is nil) on
// b and returns each baseline's (B, N) predictions, their names, and the
// mixture posterior (B, N, K) when class is a mixture with an exact Bayes
// predictor.
func runBaselines(ctx context.Context, log io.Writer, b *prompt.Batch, class task.Class, opts baseline.Options) (preds [][]float64, names []string, post []float64, err error) {
	opts.Components = true
	ps, err := baseline.Select(class, opts, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	workers := runtime.GOMAXPROCS(0)
	K := 0
	for _, p := range ps {
		names = append(names, p.Name())
		if pp, ok := p.(baseline.Posterior); ok && K == 0 {
			K = pp.NumClasses()
		}
	}
	preds = make([][]float64, len(ps))
	for i := range preds {
		preds[i] = make([]float64, b.B*b.N)
	}
	if K > 0 {
		post = make([]float64, b.B*b.N*K)
	}
	start := time.Now()
	fmt.Fprintf(log, "running %d baselines on %d prompts of %d points (d = %d)...\n", len(ps), b.B, b.N, b.D)
	if b.QXs == nil {
		// One pass shares work between baselines (lasso paths, mixture components).
		baseline.RunSuite(preds, post, ps, b, workers)
	} else {
		for j, p := range ps {
			if err := ctx.Err(); err != nil {
				return nil, nil, nil, err
			}
			if pp, ok := p.(baseline.Posterior); ok && pp.NumClasses() == K && post != nil {
				preds[j], post = eval.PosteriorQueries(pp, b, workers)
				continue
			}
			preds[j] = eval.PredictQueries(eval.Baseline{P: p}, b)
		}
	}
	fmt.Fprintf(log, "done in %.2fs\n", time.Since(start).Seconds())
	return preds, names, post, nil
}

// printCurves prints one row per baseline, one column per shown position.
func printCurves(w io.Writer, names []string, curves [][]float64, b *prompt.Batch, all bool) {
	var pos []int
	if all || b.N <= 12 {
		for i := 0; i < b.N; i++ {
			pos = append(pos, i)
		}
	} else {
		for _, i := range []int{0, 1, 2, b.D / 4, b.D / 2, b.D - 1, b.D, b.D + 1, 3 * b.D / 2, 2 * b.D, b.N - 1} {
			if i >= 0 && i < b.N && (len(pos) == 0 || i > pos[len(pos)-1]) {
				pos = append(pos, i)
			}
		}
	}
	fmt.Fprintf(w, "normalized squared error by in-context examples i (d = %d, %d prompts)\n", b.D, b.B)
	tw := newTable(w)
	fmt.Fprint(tw, "baseline \\ i\t")
	for _, i := range pos {
		fmt.Fprintf(tw, "%d\t", i)
	}
	fmt.Fprintln(tw)
	for k, n := range names {
		fmt.Fprintf(tw, "%s\t", n)
		for _, i := range pos {
			fmt.Fprintf(tw, "%.3f\t", curves[k][i])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// mcPart is the memory of the Monte Carlo Bayes predictor on prompts of N
// points: per worker (one per core), (mc, N) function values and mc
// log-likelihoods and components.
func mcPart(mc, N int) memlimit.Part {
	return memlimit.Part{What: "the Monte Carlo Bayes predictor's samples",
		Bytes:    8 * float64(mc) * float64(N+2) * float64(runtime.GOMAXPROCS(0)),
		Settings: fmt.Sprintf("-mc = %d, with N = %d, on %d cores", mc, N, runtime.GOMAXPROCS(0))}
}
