package cli

import (
	"context"
	"flag"
	"fmt"

	"icl/internal/memlimit"
	"icl/prompt"
	"icl/task"
)

// sampleCommand is `icl sample`.
var sampleCommand = &command{
	name:  "sample",
	short: "draw prompts from a function class and save them as .npz",
	usage: "[-config FILE.yaml] [-class NAME -k K ...] [-o prompts.npz]",
	long: `
Sample draws B prompts (x_1, y_1, ..., x_N, y_N) and writes them to an .npz file
that numpy reads directly: xs (B, N, D) and ys (B, N) as float64, scale (B) (each
prompt's error normalizer), class (B) for a mixture (the component each prompt was
drawn from), query_xs/query_ys for out-of-distribution query settings, and
config_yaml (uint8 bytes) holding the exact configuration, so that
'icl baselines' knows the prior.

The prompts come from a YAML config (-config) of this form:

task:                      # a function class; the names are listed under -class below
  class: mixture
  weights: [0.5, 0.5]
  of: [{class: dense_linear}, {class: sparse_linear, k: 2}]
dim: 20                    # input dimension d
points: 41                 # points per prompt N
prompts: 1280              # number of prompts B
seed: 1
setting: {input: gaussian, query: normal}   # optional; see below

or, for a single class, from flags (-class, -k, -noise). Flags given explicitly
override the config's values. With neither, it samples the paper's default
mixture: 0.5 dense linear + 0.5 sparse linear (2 of 20), d = 20, N = 41, B = 1280.

Settings: input gaussian|skewed|half_subspace, x_scale, y_scale, noise,
query normal|orthant|orthogonal|repeat.

Prompt p is drawn from a stream derived from (seed, p) alone: the same seed gives
the same bits on any number of cores.

Example:

icl sample -class sparse_linear -k 3 -d 10 -n 21 -b 256 -seed 7 -o sparse.npz
`,
	setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
		cfgPath := fs.String("config", "", "YAML prompt config `file`")
		out := fs.String("o", "prompts.npz", "output .npz `file`")
		class := fs.String("class", "", "single class `name`: "+classList())
		k := fs.Int("k", 0, "non-zeros of sparse_linear")
		noise := fs.Float64("noise", 0, "label-noise standard deviation")
		d := fs.Int("d", 0, "input dimension (default 20)")
		n := fs.Int("n", 0, "points per prompt (default 41)")
		b := fs.Int("b", 0, "number of prompts (default 1280)")
		seed := fs.Uint64("seed", 1, "random seed")
		input := fs.String("input", "", "input distribution: gaussian|skewed|half_subspace")
		query := fs.String("query", "", "query setting: normal|orthant|orthogonal|repeat")
		return func(ctx context.Context, e *env) error {
			cfg := prompt.DefaultConfig()
			if *cfgPath != "" {
				var err error
				if cfg, err = prompt.LoadConfig(*cfgPath); err != nil {
					return err
				}
			}
			set := map[string]bool{}
			fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
			if set["class"] {
				cfg.Task = task.Spec{Class: *class, K: *k}
			} else if set["k"] {
				return usageErrorf("-k needs -class")
			}
			if set["noise"] {
				cfg.Task.Noise = *noise
			}
			if set["d"] {
				cfg.Dim = *d
			}
			if set["n"] {
				cfg.Points = *n
			}
			if set["b"] {
				cfg.Prompts = *b
			}
			if set["seed"] || *cfgPath == "" {
				cfg.Seed = *seed
			}
			if set["input"] {
				cfg.Setting.Input = *input
			}
			if set["query"] {
				cfg.Setting.Query = *query
			}
			if err := checkSampleMemory(cfg); err != nil {
				return err
			}
			batch, cl, err := cfg.Draw()
			if err != nil {
				return err
			}
			if err := prompt.WriteNPZ(*out, batch, cfg); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s: %d prompts of %d points in d = %d from %s (seed %d)\n",
				*out, batch.B, batch.N, batch.D, cl.Name(), cfg.Seed)
			return nil
		}
	},
}

func classList() string {
	s := ""
	for i, c := range task.ClassNames {
		if i > 0 {
			s += "|"
		}
		s += c
	}
	return s
}

// checkSampleMemory refuses a prompt config whose prompts (float64 xs, ys,
// scale and class, and query copies for a query setting) would not fit in
// memory, before they are drawn.
func checkSampleMemory(cfg prompt.Config) error {
	B, N, D := float64(cfg.Prompts), float64(cfg.Points), float64(cfg.Dim)
	copies := 1.0
	if cfg.Setting.Query != "" && cfg.Setting.Query != prompt.QueryNormal {
		copies = 2
	}
	return memlimit.Check("sampling", memlimit.Part{What: "the prompts", Bytes: 8*copies*B*N*(D+1) + 16*B,
		Settings: fmt.Sprintf("prompts (-b) = %d, points (-n) = %d, dim (-d) = %d", cfg.Prompts, cfg.Points, cfg.Dim)})
}
