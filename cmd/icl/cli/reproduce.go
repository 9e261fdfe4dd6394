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
	"icl/gpt"
	"icl/internal/dirlock"
	"icl/models"
	"icl/presets"
	"icl/reproduce"
	"icl/shipped"
	"icl/train"
)

// reproduceCommand is `icl reproduce`.
var reproduceCommand = &command{
	name:  "reproduce",
	short: "reproduce the paper's experiments: train, evaluate, draw, report.html",
	usage: slurmUsage("[-preset quick|small|medium|long|paper] [-only E1,E3] [-out DIR] [-jobs N] [-eval-seed N] [-precision bf16] [-q] [-retrain] [-verify RUN | -pack DIR]"),
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
(the same bits for any thread count). A run whose evaluations stay at the zero
predictor's loss (five in a row at the curriculum's last stage, a streak no run
has been seen to leave) stops there with a checkpoint and is reported with what
to do, while the other runs go on. On a terminal, training shows one live
block: a line per running run (step, loss, steps/s, its ETA) and the ETA of all
training, each estimated from the runs' own measured step times; elsewhere,
plain lines.

Experiments:
{{experiments}}
Shipped models: a run whose resolved config equals that of a model shipped
with icl (the models folder, embedded in the binary) is not trained: the
shipped model is used once every file's SHA-256 verifies. A shipped model that
differs or does not verify is named and not used. -retrain ignores them;
-models DIR reads them from a folder instead of the binary. -verify RUN trains
the shipped run RUN again from scratch and says whether it comes out the same
bits; -pack DIR writes the runs a reproduction trained into DIR (e.g. models)
in the shipped layout.

Presets: quick (every experiment trained from scratch in minutes on 2 cores, at
a scale too small to show every finding), small (4 layers, width 64: its runs
ship with icl; trained here, hours on 2 cores), medium (the dense+sparse runs
of E1, E3 and MS at 6 layers, width 128, the other experiments taking small's
runs; its runs ship with icl; trained here, 4 to 6 hours of one core a medium
run), long (the default: small's model for E1's three runs and a second
mixture seed, trained 400k steps at a constant learning rate with bf16
products, and their cooldown branches at 50k, 100k, 200k and 400k: E1, E3, MS
and E8 read the 400k branches, E1B all of them, the other experiments take
small's runs; the branches ship with icl, so it evaluates in minutes; trained
here, about 4 to 5 hours of one AVX512-BF16 core a trunk and its branches),
paper (d = 20, 12 layers, width 256, 8 heads: weeks on a CPU).

-only E1,E3 runs those experiments alone; the report keeps the other
experiments' sections from earlier invocations into the same -out (same preset,
-eval-seed and -precision), marked with their date and commit.

-precision bf16 trains every run with bf16 matrix products (docs/design.md,
"Precision and numerics ids"); the output goes to out/PRESET-bf16.

Examples:

icl reproduce                       # long preset (shipped models) into out/long
icl reproduce -preset quick         # train and evaluate the quick preset from scratch
icl reproduce -preset small -only E1,E3
icl reproduce -preset small -jobs 1  # one run at a time on all cores
icl reproduce -preset small -only E3 -eval-seed 1 -out /tmp/held-out
                                    # score the same runs on other prompts
icl reproduce -preset small -retrain # train every run here
icl reproduce -preset small -verify dense_sparse
                                    # retrain a shipped run, compare the bits
icl reproduce -preset small -pack models
                                    # ship the runs of out/small
` + slurmHelp,
	expand: func(long string) string { return strings.Replace(long, "{{experiments}}\n", experimentList(), 1) },
	setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
		preset := fs.String("preset", presets.DefaultScale, "scale: "+strings.Join(presets.Scales, ", "))
		only := fs.String("only", "", "comma-separated experiment ids (default: all)")
		out := fs.String("out", "", "output `directory` (default out/PRESET)")
		quiet := fs.Bool("q", false, "when not on a terminal, no periodic progress lines of the runs (their start and end are still printed)")
		precision := fs.String("precision", "", "train every run at train.precision `P`: bf16 (bf16 products, float32\nsums) or fp32; default the presets' own (fp32). Output goes to out/PRESET-bf16\nunless -out is given")
		evalSeed := fs.Uint64("eval-seed", 0, "draw the evaluation prompts from other streams (`N` > 0), to compare\ncandidate runs on prompts the standard report does not use")
		slurm := addSlurmFlags(fs)
		jobs := fs.Int("jobs", 0, "train up to `N` runs at once, sharing the cores out between them;\n0: one per core, 1: one after another on all cores (same bits either way)")
		retrain := fs.Bool("retrain", false, "train every run here, ignoring shipped models")
		modelsDir := fs.String("models", "", "read shipped models from `DIR` instead of those built into icl")
		verify := fs.String("verify", "", "train the shipped run `RUN` (e.g. dense_sparse) again from scratch into\nOUT/verify and say whether its config and weights are the same bits; nothing else is done")
		pack := fs.String("pack", "", "write the runs trained in OUT into the models folder `DIR` (e.g. models),\nin the shipped layout; nothing else is done")
		return func(ctx context.Context, e *env) error {
			if len(e.args) > 0 {
				return usageErrorf("unexpected arguments %q", e.args)
			}
			if !slices.Contains(presets.Scales, *preset) {
				return usageErrorf("-preset %q: allowed: %s", *preset, strings.Join(presets.Scales, ", "))
			}
			if *jobs < 0 {
				return usageErrorf("-jobs %d: must be 0 (one per core) or more", *jobs)
			}
			prec, err := gpt.ParsePrecision(*precision)
			if err != nil {
				return usageErrorf("-precision %v", err)
			}
			if prec == gpt.FP32 {
				*precision = ""
			}
			opts := reproduce.Options{Preset: *preset, OutDir: *out, Progress: e.stderr, Quiet: *quiet, Jobs: *jobs, EvalSeed: *evalSeed, Precision: *precision,
				IsTerminal: train.StderrIsTerminal()}
			if opts.IsTerminal {
				opts.TermWidth, _, _ = term.GetSize(int(os.Stderr.Fd()))
			}
			if *only != "" {
				for _, id := range strings.Split(*only, ",") {
					if id = strings.ToUpper(strings.TrimSpace(id)); id == "" {
						continue
					}
					if !slices.Contains(experiment.IDs(), id) {
						return usageErrorf("-only: no experiment %s; allowed: %s", id, strings.Join(experiment.IDs(), ", "))
					}
					opts.Only = append(opts.Only, id)
				}
			}
			if opts.OutDir == "" {
				opts.OutDir = filepath.Join("out", *preset)
				if prec == gpt.BF16 {
					opts.OutDir += "-" + gpt.PrecisionBF16
				}
			}
			// Flags are checked before anything is written.
			if err := slurm.check(fs); err != nil {
				return err
			}
			if *modelsDir != "" {
				if st, err := os.Stat(*modelsDir); err != nil || !st.IsDir() {
					return usageErrorf("-models %q: not a directory", *modelsDir)
				}
				opts.Models = os.DirFS(*modelsDir)
			}
			if *pack != "" {
				if st, err := os.Stat(opts.OutDir); err != nil || !st.IsDir() {
					return fmt.Errorf("-pack %s: nothing was trained in %s to pack: no such directory (train with 'icl reproduce -preset %s' first, or give its -out)",
						*pack, opts.OutDir, *preset)
				}
			}
			if *verify != "" && *pack != "" {
				return usageErrorf("-verify and -pack: give one at a time")
			}
			// One reproduction at a time writes an output directory.
			if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
				return err
			}
			lock, err := dirlock.Acquire(opts.OutDir)
			if err != nil {
				return err
			}
			defer lock.Release()
			opts.Retrain = *retrain
			if *slurm.on {
				return slurm.run(ctx, e, opts)
			}
			if *pack != "" {
				return shipped.Pack(shipped.PackOptions{Preset: *preset, OutDir: opts.OutDir, ModelsDir: *pack, Progress: e.stderr})
			}
			if *verify != "" {
				return verifyShipped(ctx, e, opts, *verify)
			}
			start := time.Now()
			err = reproduce.Reproduce(ctx, opts)
			report := filepath.Join(opts.OutDir, "report.html")
			if err != nil {
				return fmt.Errorf("%w\n(what finished is kept; run the same command again to continue)", err)
			}
			fmt.Fprintf(e.stdout, "reproduced the %s preset in %s: open %s\n", *preset,
				time.Since(start).Round(time.Second), report)
			return nil
		}
	},
}

// verifyShipped retrains one shipped run and says whether it is identical.
func verifyShipped(ctx context.Context, e *env, opts reproduce.Options, run string) error {
	if opts.Models == nil {
		opts.Models = models.FS()
	}
	start := time.Now()
	res, err := shipped.Verify(ctx, shipped.VerifyOptions{Preset: opts.Preset, Run: run, OutDir: opts.OutDir,
		Models: opts.Models, Train: train.Options{Quiet: opts.Quiet, Progress: e.stderr, IsTerminal: opts.IsTerminal}})
	if err != nil {
		return err
	}
	used := "no run of the preset has this config, so icl reproduce does not use it"
	if res.UsedFor != "" {
		used = "icl reproduce -preset " + opts.Preset + " uses it for run " + res.UsedFor
	}
	fmt.Fprintf(e.stdout, "shipped run %s (model SHA-256 %s): %s\n", res.Shipped.Path, res.Shipped.ModelSHA256(), used)
	fmt.Fprintf(e.stdout, "retrained from scratch in %s (%s in this invocation; training time %s, shipped run's %s)\n",
		res.Dir, time.Since(start).Round(time.Second), time.Duration(res.TrainS*1e9).Round(time.Second),
		time.Duration(res.ShippedS*1e9).Round(time.Second))
	if res.Comparison == shipped.CompareStatistical {
		fmt.Fprintf(e.stdout, "numerics: retrained under %s, shipped under %s: the bits cannot match, so both were evaluated on the same prompts\n",
			res.Numerics, res.ShippedNumerics)
		if !res.Agrees {
			return fmt.Errorf("does not agree with the shipped run (%d of its %d errors outside the shipped model's 90%% intervals):\n\t%s",
				len(res.Diffs), res.Compared, strings.Join(res.Diffs, "\n\t"))
		}
		fmt.Fprintf(e.stdout, "agrees statistically: each of the retrained model's %d errors lies in the shipped model's 90%% interval\n", res.Compared)
		return nil
	}
	fmt.Fprintf(e.stdout, "numerics: %s, as the shipped run's: compared bit for bit\n", res.Numerics)
	if !res.Identical {
		return fmt.Errorf("not identical to the shipped run:\n\t%s", strings.Join(res.Diffs, "\n\t"))
	}
	fmt.Fprintf(e.stdout, "identical: the same config and the same bits in every tensor\n")
	return nil
}

// experimentList is the help's list of the registered experiments, one
// line each (experiment.Summary), wrapped.
func experimentList() string {
	var b strings.Builder
	for _, id := range experiment.IDs() {
		line := fmt.Sprintf("\t%-4s", id)
		col := 12
		for _, w := range strings.Fields(experiment.Summary(id)) {
			if col+len(w) > 80 {
				line += "\n\t    "
				col = 12
			}
			line += " " + w
			col += len(w) + 1
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}
