package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"icl/train"
)

// trainCommand is `icl train`.
var trainCommand = &command{
	name:  "train",
	short: "pretrain a transformer on a task mixture (resumable)",
	usage: "(-config FILE.yaml | -preset NAME) -out DIR | -resume DIR",
	long: `
Train pretrains a GPT-2 ICL model on prompts drawn from a task mixture and
writes a run directory:

config.yaml        the resolved config (defaults filled in)
metrics.jsonl      one JSON line per log step (loss, lr, curriculum, steps/s,
                   wall time) and per evaluation (per-position loss)
ckpt-*.safetensors the last two checkpoints (weights, Adam moments, step)
model.safetensors  the final weights (see 'icl predict')
done               written when the run completed

The run is a pure function of its config: the batch of step s is drawn from a
stream derived from (seed, s), so a run stopped anywhere (Ctrl-C saves a
checkpoint; even SIGKILL loses at most the steps since the last checkpoint) and
continued with -resume ends with the same weights, bit for bit. Stopped by
SIGINT or SIGTERM, train saves its checkpoint and exits 130 or 143. One process
at a time writes a run directory: a second one is refused, naming the first's
process id (the lock is an flock on DIR itself, which the system drops when the
process ends, however it ends; DIR/.lock names the holder while it runs).

-resume also continues a checkpoint under an edited config.yaml that differs
from the checkpoint's only in name, train.steps, keep_checkpoints_every and
train.schedule's decay_steps and cooldown_steps, provided the learning rate of every step before
the checkpoint is unchanged (a constant schedule, or a cosine whose horizon,
decay_steps or else steps, stays put; a cooldown that starts at or after the
checkpoint): this extends a run, ends it at one of its checkpoints, or cools it
down from one (cooldown_steps: the last N steps fall linearly to min_lr), with
the weights of a run configured so from the start. Anything else that differs
is refused and named.

Evaluations report the normalized loss (squared error over the class's scale),
where predicting 0 scores about 1. A model that has not yet learned in context
sits there; small ones can stay there for good. Train warns when five
evaluations in a row at the curriculum's last stage are at 0.9 or above: runs
with such a streak have not been seen to leave it; another seed may learn where
this one did not.

Built-in presets (-preset, or -list to print them): <scale>/<mixture> with scale
quick (minutes on 2 cores), small (hours) or paper (d = 20, 12 layers, width 256,
8 heads), e.g. quick/dense_linear. 'icl train -preset quick/dense_linear -print'
prints a preset's YAML to start a config of your own from.

Examples:

icl train -preset quick/dense_linear -out runs/dense
icl train -resume runs/dense
icl train -config my.yaml -out runs/my -v
`,
	setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
		cfgPath := fs.String(train.FlagConfig, "", "training config `file` (YAML)")
		preset := fs.String("preset", "", "built-in preset `name`, e.g. quick/dense_linear")
		out := fs.String(train.FlagOut, "", "run `directory` to create")
		resume := fs.String(train.FlagResume, "", "continue the run in `directory`")
		list := fs.Bool("list", false, "list the built-in presets and exit")
		print := fs.Bool("print", false, "print the resolved config and exit")
		quiet := fs.Bool("q", false, "quiet: only errors and the final summary")
		verbose := fs.Bool("v", false, "verbose: also per-position losses at evaluations")
		stopZero := fs.Bool(train.FlagStopAtZero, false, "stop with a checkpoint (exit status 1) once the evaluations have stayed\nat the zero predictor's loss for five evaluations at the curriculum's last stage\n(what icl reproduce does; without it the run only warns)")
		return func(ctx context.Context, e *env) error {
			if len(e.args) > 0 {
				return usageErrorf("unexpected arguments %q", e.args)
			}
			if *list {
				for _, n := range train.PresetNames() {
					fmt.Fprintln(e.stdout, n)
				}
				return nil
			}
			opts := train.Options{Quiet: *quiet, Verbose: *verbose, Progress: e.stderr,
				IsTerminal: train.StderrIsTerminal(), StopAtZero: *stopZero}
			var res *train.Result
			var err error
			switch {
			case *resume != "":
				if *cfgPath != "" || *preset != "" || *out != "" {
					return usageErrorf("-resume takes no -config, -preset or -out: the run directory holds its config")
				}
				res, err = train.Resume(ctx, *resume, opts)
			case (*cfgPath == "") == (*preset == ""):
				return usageErrorf("give exactly one of -config FILE or -preset NAME (presets: %s), or -resume DIR",
					strings.Join(train.PresetNames(), ", "))
			default:
				var cfg *train.Config
				if *preset != "" {
					cfg, err = train.Preset(*preset)
				} else {
					cfg, err = train.LoadConfig(*cfgPath)
				}
				if err != nil {
					return err
				}
				if *print {
					y, err := cfg.YAML()
					if err != nil {
						return err
					}
					_, err = e.stdout.Write(y)
					return err
				}
				if *out == "" {
					return usageErrorf("-out DIR is required")
				}
				res, err = train.Run(ctx, cfg, *out, opts)
			}
			if err != nil { // an *train.InterruptedError already says how to resume
				return err
			}
			if res.AlreadyDone {
				fmt.Fprintf(e.stdout, "%s: already complete (%d steps)\n", res.Dir, res.Steps)
				return nil
			}
			fmt.Fprintf(e.stdout, "%s: %d steps in %.1fs", res.Dir, res.Steps, res.WallS)
			if res.Eval != nil {
				fmt.Fprintf(e.stdout, "; final eval loss %.4f (normalized %.4f)", res.Eval.Loss, res.Eval.NormLoss)
			}
			fmt.Fprintf(e.stdout, "\nweights: %s/model.safetensors\n", res.Dir)
			return nil
		}
	},
}
