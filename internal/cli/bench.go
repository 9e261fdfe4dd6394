package cli

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"icl/configs"
	"icl/gpt"
	"icl/gpt/kernels"
	"icl/internal/memlimit"
	"icl/rng"
	"icl/train"
)

// benchPreset is one model size that `icl bench` times.
type benchPreset struct {
	name    string
	cfg     gpt.Config
	threads int // goroutines for the engine; 0: one per core
}

// gargSizes are the model sizes of Garg et al.'s configs, timed on every core.
var gargSizes = []benchPreset{
	{"garg-tiny", gpt.Config{Dim: 5, Points: 11, Layers: 3, Width: 64, Heads: 2}, 0},
	{"garg-small", gpt.Config{Dim: 10, Points: 21, Layers: 6, Width: 128, Heads: 4}, 0},
	{"garg-standard", gpt.Config{Dim: 20, Points: 41, Layers: 12, Width: 256, Heads: 8}, 0},
}

// benchPresets lists what bench can time: the model of each scale that `icl
// reproduce` trains (its dense+sparse preset's model and prompt length), on
// one core as reproduce trains it, then Garg et al.'s sizes.
func benchPresets() ([]benchPreset, error) {
	var ps []benchPreset
	for _, s := range configs.Scales {
		if s == "paper" { // Garg et al.'s standard size: garg-standard
			continue
		}
		cfg, err := train.Preset(s + "/dense_sparse")
		if err != nil {
			return nil, err
		}
		ps = append(ps, benchPreset{s, cfg.GPT(), 1})
	}
	return append(ps, gargSizes...), nil
}

const benchDefault = "quick,small,medium,garg-tiny,garg-small,garg-standard"

func init() {
	register(&command{
		name:  "bench",
		short: "time training steps and the GEMM on this machine",
		usage: "[-presets " + benchDefault + "] [-threads N] [-batch 64] [-time 3s]",
		long: `
Bench times one training step (forward, backward, AdamW update) of the GPT-2 ICL
model, batch 64, and the GEMM on the model's matrix shapes. The presets:

	quick, small, medium   the model each scale of 'icl reproduce' trains (its
	                       dense+sparse preset: layers, width, heads, d and
	                       points), on one core, as reproduce trains it
	garg-tiny              3 layers, width  64, 2 heads, d =  5, 11 points
	garg-small             6 layers, width 128, 4 heads, d = 10, 21 points
	garg-standard         12 layers, width 256, 8 heads, d = 20, 41 points
	                       (Garg et al.'s model sizes; the paper scale's is
	                       garg-standard), on every core

It prints per preset the engine's goroutines, ms per step (wall time) split into
forward, backward and update, the process's CPU ms per step (on a machine shared
with other jobs, the work done), and the step's GFLOP/s (matrix products as
executed, forward + backward); then where the forward and backward time goes, by
kind of layer: the matrix products (with their bias and residual passes),
attention, LayerNorm, GELU and the rest (read-in, read-out, loss), next to the
AdamW update; then per GEMM shape the GFLOP/s of Gemm in the three forms the
layers use: NT (out = in W^T, forward), NN (d_in = d_out W) and TN (dW = d_out^T
in). Set ICL_GEMM=go|avx2|avx512|ref to time another kernel.
`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			names := fs.String("presets", benchDefault, "comma-separated presets to time")
			threads := fs.Int("threads", 0, "engine goroutines for every preset (0: the preset's own)")
			batch := fs.Int("batch", 64, "prompts per step")
			dur := fs.Duration("time", 3*time.Second, "minimum time spent timing each preset")
			noGemm := fs.Bool("nogemm", false, "skip the GEMM shape table")
			return func(ctx context.Context, e *env) error {
				if *batch < 1 {
					return usageErrorf("-batch %d must be >= 1", *batch)
				}
				if *threads < 0 {
					return usageErrorf("-threads %d must be >= 0", *threads)
				}
				all, err := benchPresets()
				if err != nil {
					return err
				}
				var sel []benchPreset
				for _, n := range strings.Split(*names, ",") {
					i := slices.IndexFunc(all, func(p benchPreset) bool { return p.name == strings.TrimSpace(n) })
					if i < 0 {
						var allowed []string
						for _, p := range all {
							allowed = append(allowed, p.name)
						}
						return usageErrorf("-presets: unknown preset %q; allowed: %s", n, strings.Join(allowed, ", "))
					}
					p := all[i]
					if *threads > 0 {
						p.threads = *threads
					}
					if p.threads == 0 {
						p.threads = runtime.GOMAXPROCS(0)
					}
					sel = append(sel, p)
				}
				for _, p := range sel {
					c := p.cfg
					if err := memlimit.Check("timing", memlimit.Part{What: "preset " + p.name + "'s training step",
						Bytes:    4 * (4*c.Size() + c.ActivationSize(*batch, c.Points) + 2*float64(*batch)*float64(c.Points)*float64(c.Dim+1)),
						Settings: fmt.Sprintf("-batch = %d", *batch)}); err != nil {
						return err
					}
				}
				fmt.Fprintf(e.stdout, "icl bench: %d cores (GOMAXPROCS %d), %s/%s, GEMM kernel %s, batch %d\n\n",
					runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, kernels.Kernel(), *batch)
				times := make([]train.StepTime, len(sel))
				tw := newTable(e.stdout)
				fmt.Fprintln(tw, "preset\tthreads\tparams\tms/step\tforward\tbackward\tupdate\tcpu-ms/step\tGFLOP/step\tGFLOP/s\t")
				for i, p := range sel {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					r, err := timeOn(p, *batch, *dur)
					if err != nil {
						return err
					}
					times[i] = r
					flops := p.cfg.FLOPs(*batch, p.cfg.Points)
					fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t\n", p.name, p.threads, p.cfg.NumParams(),
						r.Total()*1e3, r.Forward*1e3, r.Backward*1e3, r.Update*1e3, r.CPU*1e3, flops/1e9, flops/r.Total()/1e9)
				}
				tw.Flush()
				fmt.Fprintf(e.stdout, "\nWhere a step's time goes: ms per step (%% of the step's wall time)\n")
				tw = newTable(e.stdout)
				fmt.Fprintln(tw, "preset\tmatmul\tattention\tlayernorm\tGELU\tother\tAdamW\t")
				for i, p := range sel {
					r := times[i]
					l := r.Layers
					cell := func(s float64) string { return fmt.Sprintf("%.2f (%.0f%%)", s*1e3, 100*s/r.Total()) }
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", p.name, cell(l.Matmul.Seconds()), cell(l.Attention.Seconds()),
						cell(l.LayerNorm.Seconds()), cell(l.GELU.Seconds()), cell(l.Other.Seconds()), cell(r.Update))
				}
				tw.Flush()
				if *noGemm {
					return nil
				}
				fmt.Fprintf(e.stdout, "\nGEMM GFLOP/s on the model's shapes (M = batch x tokens; op(A) M x K, op(B) K x N), on the preset's threads\n")
				tw = newTable(e.stdout)
				fmt.Fprintln(tw, "preset\tM\tK\tN\tNT\tNN\tTN\t")
				for _, p := range sel {
					c := p.cfg.Width
					m := *batch * 2 * p.cfg.Points
					restore := onThreads(p.threads)
					for _, kn := range [][2]int{{c, 3 * c}, {c, c}, {c, 4 * c}, {4 * c, c}} {
						if ctx.Err() != nil {
							restore()
							return ctx.Err()
						}
						fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t\n", p.name, m, kn[0], kn[1],
							gemmRate(false, true, m, kn[1], kn[0]), gemmRate(false, false, m, kn[1], kn[0]),
							gemmRate(true, false, kn[1], kn[0], m))
					}
					restore()
				}
				return tw.Flush()
			}
		},
	})
}

// onThreads sets the engine's goroutines and GOMAXPROCS to n and returns a
// function that restores both.
func onThreads(n int) func() {
	oldP := runtime.GOMAXPROCS(n)
	oldT := kernels.SetThreads(n)
	return func() {
		kernels.SetThreads(oldT)
		runtime.GOMAXPROCS(oldP)
	}
}

// timeOn times preset p's training step on its threads.
func timeOn(p benchPreset, batch int, dur time.Duration) (train.StepTime, error) {
	defer onThreads(p.threads)()
	return train.TimeStep(p.cfg, batch, 2, dur)
}

// gemmRate returns Gemm's GFLOP/s for C(m,n) (+)= op(A)(m,k) op(B)(k,n).
func gemmRate(transA, transB bool, m, n, k int) float64 {
	r := rng.New(3)
	a := make([]float32, m*k)
	b := make([]float32, k*n)
	c := make([]float32, m*n)
	for i := range a {
		a[i] = float32(r.NormFloat64())
	}
	for i := range b {
		b[i] = float32(r.NormFloat64())
	}
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	kernels.Gemm(transA, transB, m, n, k, a, lda, b, ldb, 0, c, n)
	reps := 0
	start := time.Now()
	for reps < 3 || time.Since(start) < 300*time.Millisecond {
		kernels.Gemm(transA, transB, m, n, k, a, lda, b, ldb, 1, c, n)
		reps++
	}
	return 2 * float64(m) * float64(n) * float64(k) * float64(reps) / time.Since(start).Seconds() / 1e9
}
