package cli

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"time"

	"icl/gpt"
	"icl/gpt/kernels"
	"icl/internal/memlimit"
	"icl/rng"
	"icl/train"
)

// benchPreset is one model size that `icl bench` times.
type benchPreset struct {
	name string
	cfg  gpt.Config
}

var benchPresets = []benchPreset{
	{"tiny", gpt.Config{Dim: 5, Points: 11, Layers: 3, Width: 64, Heads: 2}},
	{"small", gpt.Config{Dim: 10, Points: 21, Layers: 6, Width: 128, Heads: 4}},
	{"standard", gpt.Config{Dim: 20, Points: 41, Layers: 12, Width: 256, Heads: 8}},
}

func init() {
	register(&command{
		name:  "bench",
		short: "time training steps and the GEMM on this machine",
		usage: "[-presets tiny,small,standard] [-batch 64] [-time 3s]",
		long: `
Bench times one training step (forward, backward, AdamW update) of the GPT-2 ICL
model at three sizes, batch 64, and the GEMM on the model's matrix shapes:

	tiny      3 layers, width  64, 2 heads, d =  5, 11 points (22 tokens)
	small     6 layers, width 128, 4 heads, d = 10, 21 points (42 tokens)
	standard 12 layers, width 256, 8 heads, d = 20, 41 points (82 tokens)

It prints ms per step split into forward, backward and update, the step's
GFLOP/s (matrix products as executed, forward + backward), and per GEMM shape
the GFLOP/s of Gemm in the three forms the layers use: NT (out = in W^T,
forward), NN (d_in = d_out W) and TN (dW = d_out^T in). The kernel in use and
the number of cores are printed first. Set ICL_GEMM=go|avx2|avx512|ref to time
another kernel.
`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			names := fs.String("presets", "tiny,small,standard", "comma-separated presets to time")
			batch := fs.Int("batch", 64, "prompts per step")
			dur := fs.Duration("time", 3*time.Second, "minimum time spent timing each preset")
			noGemm := fs.Bool("nogemm", false, "skip the GEMM shape table")
			return func(ctx context.Context, e *env) error {
				if *batch < 1 {
					return usageErrorf("-batch %d must be >= 1", *batch)
				}
				var sel []benchPreset
				for _, n := range strings.Split(*names, ",") {
					found := false
					for _, p := range benchPresets {
						if p.name == strings.TrimSpace(n) {
							sel, found = append(sel, p), true
						}
					}
					if !found {
						return usageErrorf("-presets: unknown preset %q; allowed: tiny, small, standard", n)
					}
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
				tw := newTable(e.stdout)
				fmt.Fprintln(tw, "preset\tparams\tms/step\tforward\tbackward\tupdate\tGFLOP/step\tGFLOP/s\t")
				for _, p := range sel {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					r, err := train.TimeStep(p.cfg, *batch, 2, *dur)
					if err != nil {
						return err
					}
					flops := p.cfg.FLOPs(*batch, p.cfg.Points)
					fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t\n", p.name, p.cfg.NumParams(),
						r.Total()*1e3, r.Forward*1e3, r.Backward*1e3, r.Update*1e3, flops/1e9, flops/r.Total()/1e9)
				}
				tw.Flush()
				if *noGemm {
					return nil
				}
				fmt.Fprintf(e.stdout, "\nGEMM GFLOP/s on the model's shapes (M = batch x tokens; op(A) M x K, op(B) K x N)\n")
				tw = newTable(e.stdout)
				fmt.Fprintln(tw, "preset\tM\tK\tN\tNT\tNN\tTN\t")
				for _, p := range sel {
					c := p.cfg.Width
					m := *batch * 2 * p.cfg.Points
					for _, kn := range [][2]int{{c, 3 * c}, {c, c}, {c, 4 * c}, {4 * c, c}} {
						if ctx.Err() != nil {
							return ctx.Err()
						}
						fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t\n", p.name, m, kn[0], kn[1],
							gemmRate(false, true, m, kn[1], kn[0]), gemmRate(false, false, m, kn[1], kn[0]),
							gemmRate(true, false, kn[1], kn[0], m))
					}
				}
				return tw.Flush()
			}
		},
	})
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
