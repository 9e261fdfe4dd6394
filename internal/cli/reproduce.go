package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"icl/experiment"
	"icl/train"
)

func init() {
	register(&command{
		name:  "reproduce",
		short: "reproduce the paper's experiments: train, evaluate, draw, report.html",
		usage: "[-preset quick|small|paper] [-only E1,E3] [-out DIR] [-jobs N] [-eval-seed N] [-q]",
		long: `
Reproduce runs the experiments of Yadlowsky, Doshi and Tripuraneni (2023) end to
end: it trains the pretraining runs the chosen experiments need (reusing finished
runs and resuming interrupted ones, so it can be stopped with Ctrl-C and started
again), evaluates the models and baselines, draws the figures and writes one
self-contained page, DIR/report.html, with per experiment the paper's claim, our
figures, the key numbers and whether this run supports the claim: supported,
partly supported, not supported at this scale, or not testable at this scale
(the models did not learn what the claim needs, or do not differ where it
compares them).

Runs train several at a time (-jobs), the longest first; once fewer are left
than jobs, the freed cores go to the runs left, the last run gets every core
(the same bits for any thread count). On a terminal, training shows one live
block: a line per running run (step, loss, steps/s, its ETA) and the ETA of all
training, each estimated from the runs' own measured step times; elsewhere,
plain lines.

Experiments:
	E1  model selection between dense and sparse linear functions
	E2  pretraining mixture weights (rare classes)
	E3  intermediate sparsity k = 1..d
	E4  linear + sinusoid mixture on linear, sine and their combination
	E5  sweep of the convex-combination weight alpha
	E6  frequencies outside the pretraining band
	MS  the transformer's implied class weight against the Bayes class posterior

Presets: quick (the default: every experiment in minutes on 2 cores, at a scale
too small to show every finding), small (hours on 2 cores), paper (d = 20,
12 layers, width 256, 8 heads: days on a CPU).

Examples:

	icl reproduce                       # quick preset into out/quick
	icl reproduce -preset small -only E1,E3
	icl reproduce -preset small -jobs 1  # one run at a time on all cores
	icl reproduce -preset small -only E3 -eval-seed 1 -out /tmp/held-out
	                                    # score the same runs on other prompts
`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			preset := fs.String("preset", "quick", "scale: quick, small or paper")
			only := fs.String("only", "", "comma-separated experiment ids (default: all)")
			out := fs.String("out", "", "output `directory` (default out/PRESET)")
			quiet := fs.Bool("q", false, "when not on a terminal, no periodic progress lines of the runs (their start and end are still printed)")
			evalSeed := fs.Uint64("eval-seed", 0, "draw the evaluation prompts from other streams (`N` > 0), to compare\ncandidate runs on prompts the standard report does not use")
			jobs := fs.Int("jobs", 0, "train up to `N` runs at once, sharing the cores out between them;\n0: one per core, 1: one after another on all cores (same bits either way)")
			return func(ctx context.Context, e *env) error {
				if len(e.args) > 0 {
					return usageErrorf("unexpected arguments %q", e.args)
				}
				switch *preset {
				case "quick", "small", "paper":
				default:
					return usageErrorf("-preset %q: allowed: quick, small, paper", *preset)
				}
				if *jobs < 0 {
					return usageErrorf("-jobs %d: must be 0 (one per core) or more", *jobs)
				}
				opts := experiment.Options{Preset: *preset, OutDir: *out, Progress: e.stderr, Quiet: *quiet, Jobs: *jobs, EvalSeed: *evalSeed,
					IsTerminal: train.StderrIsTerminal()}
				if opts.IsTerminal {
					opts.TermWidth, _, _ = term.GetSize(int(os.Stderr.Fd()))
				}
				if *only != "" {
					for _, id := range strings.Split(*only, ",") {
						if id = strings.ToUpper(strings.TrimSpace(id)); id == "" {
							continue
						}
						if !slices.Contains(experiment.IDs, id) {
							return usageErrorf("-only: no experiment %s; allowed: %s", id, strings.Join(experiment.IDs, ", "))
						}
						opts.Only = append(opts.Only, id)
					}
				}
				if opts.OutDir == "" {
					opts.OutDir = filepath.Join("out", *preset)
				}
				start := time.Now()
				err := experiment.Reproduce(ctx, opts)
				report := filepath.Join(opts.OutDir, "report.html")
				if err != nil {
					return fmt.Errorf("%w\n(what finished is kept; run the same command again to continue)", err)
				}
				fmt.Fprintf(e.stdout, "reproduced the %s preset in %s: open %s\n", *preset,
					time.Since(start).Round(time.Second), report)
				return nil
			}
		},
	})
}
