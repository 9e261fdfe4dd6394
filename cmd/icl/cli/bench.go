package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"icl/gpt"
	"icl/gpt/kernels"
	"icl/internal/memlimit"
	"icl/presets"
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
	for _, s := range presets.Scales {
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

// benchCommand is `icl bench`.
var benchCommand = &command{
	name:  "bench",
	short: "time training steps and the GEMM on this machine",
	usage: "[-presets " + benchDefault + "] [-precision fp32,bf16] [-threads N] [-batch 64] [-time 3s]",
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
AdamW update; then the blocks' matrix products (the matmul column) against the
peak of the micro-kernel that runs them, timed on one core with its operands in
L1: their GFLOP/s in the step, its share of the peak, and the step's time were
the products to run at the peak with the rest as measured (with both
precisions, that bf16 step as a share of fp32's: about the most that faster
bf16 products can give); then per GEMM shape the GFLOP/s of Gemm in the three
forms the layers use: NT (out = in W^T, forward), NN (d_in = d_out W) and TN
(dW = d_out^T in). Set ICL_GEMM=go|avx2|avx512|ref to time another kernel.

-precision fp32,bf16 times every preset at both precisions of train.precision
(bf16: the blocks' matrix products with bf16 operands and float32 sums) in one
run, with bf16's time per step as a share of fp32's, and GEMM tables for both
with bf16's speed-up per shape (a bf16/fp32 row under each shape's two).
Without AVX512-BF16 the bf16 products run in plain Go (same bits, much slower).
`,
	setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
		names := fs.String("presets", benchDefault, "comma-separated presets to time")
		threads := fs.Int("threads", 0, fmt.Sprintf("engine goroutines for every preset (0: the preset's own; at most %d per core)", benchThreadsPerCore))
		batch := fs.Int("batch", 64, "prompts per step")
		dur := fs.Duration("time", 3*time.Second, "minimum time spent timing each preset (and a tenth of it each GEMM)")
		noGemm := fs.Bool("nogemm", false, "skip the GEMM shape table")
		precs := fs.String("precision", "fp32", "comma-separated precisions to time: fp32, bf16")
		return func(ctx context.Context, e *env) error {
			if *batch < 1 {
				return usageErrorf("-batch %d must be >= 1", *batch)
			}
			if hi := maxBenchThreads(); *threads < 0 || *threads > hi {
				return usageErrorf("-threads %d: allowed: 0 (each preset's own) .. %d, %d per core of this machine's %d: "+
					"more only times the scheduler, and every engine goroutine and runtime P costs memory", *threads, hi, benchThreadsPerCore, runtime.NumCPU())
			}
			if *dur <= 0 {
				return usageErrorf("-time %s: must be positive (the least time spent timing each preset, e.g. 3s)", *dur)
			}
			var ps []gpt.Precision
			for _, n := range strings.Split(*precs, ",") {
				p, err := gpt.ParsePrecision(strings.TrimSpace(n))
				if err != nil || slices.Contains(ps, p) {
					return usageErrorf("-precision %q: want fp32, bf16 or both, comma-separated, each once", *precs)
				}
				ps = append(ps, p)
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
			fmt.Fprintf(e.stdout, "icl bench: %d cores (GOMAXPROCS %d), %s/%s, GEMM kernel %s, bf16 kernel %s, batch %d\n\n",
				runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, kernels.Kernel(), kernels.BF16Kernel(), *batch)
			var rows []benchRow
			tw := newTable(e.stdout)
			fmt.Fprintln(tw, "preset\tprecision\tthreads\tparams\tms/step\tforward\tbackward\tupdate\tcpu-ms/step\tGFLOP/step\tGFLOP/s\t")
			for _, p := range sel {
				for _, prec := range ps {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					r, err := timeOn(p, prec, *batch, *dur)
					if err != nil {
						return err
					}
					rows = append(rows, benchRow{p, prec, r})
					flops := p.cfg.FLOPs(*batch, p.cfg.Points)
					fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t\n", p.name, prec, p.threads, p.cfg.NumParams(),
						r.Total()*1e3, r.Forward*1e3, r.Backward*1e3, r.Update*1e3, r.CPU*1e3, flops/1e9, flops/r.Total()/1e9)
				}
			}
			tw.Flush()
			if len(ps) > 1 {
				fmt.Fprintf(e.stdout, "\nbf16's step as a share of fp32's, measured here in one run (wall time; CPU time)\n")
				tw = newTable(e.stdout)
				fmt.Fprintln(tw, "preset\tbf16/fp32 wall\tbf16/fp32 cpu\t")
				for i := 0; i+1 < len(rows); i += 2 {
					a, b := rows[i], rows[i+1]
					if a.prec != gpt.FP32 {
						a, b = b, a
					}
					cpu := "-"
					if a.t.CPU > 0 {
						cpu = fmt.Sprintf("%.2f", b.t.CPU/a.t.CPU)
					}
					fmt.Fprintf(tw, "%s\t%.2f\t%s\t\n", a.p.name, b.t.Total()/a.t.Total(), cpu)
				}
				tw.Flush()
			}
			fmt.Fprintf(e.stdout, "\nWhere a step's time goes: ms per step (%% of the step's wall time)\n")
			tw = newTable(e.stdout)
			fmt.Fprintln(tw, "preset\tprecision\tmatmul\tattention\tlayernorm\tGELU\tother\tAdamW\t")
			for _, rw := range rows {
				r := rw.t
				l := r.Layers
				cell := func(s float64) string { return fmt.Sprintf("%.2f (%.0f%%)", s*1e3, 100*s/r.Total()) }
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", rw.p.name, rw.prec, cell(l.Matmul.Seconds()), cell(l.Attention.Seconds()),
					cell(l.LayerNorm.Seconds()), cell(l.GELU.Seconds()), cell(l.Other.Seconds()), cell(r.Update))
			}
			tw.Flush()
			if err := productsAtPeak(ctx, e.stdout, rows, *batch); err != nil {
				return err
			}
			if *noGemm {
				return nil
			}
			fmt.Fprintf(e.stdout, "\nGEMM GFLOP/s on the model's shapes (M = batch x tokens; op(A) M x K, op(B) K x N), on the preset's threads\n")
			tw = newTable(e.stdout)
			fmt.Fprintln(tw, "preset\tprecision\tM\tK\tN\tNT\tNN\tTN\t")
			for _, p := range sel {
				c := p.cfg.Width
				m := *batch * 2 * p.cfg.Points
				restore := onThreads(p.threads)
				for _, kn := range [][2]int{{c, 3 * c}, {c, c}, {c, 4 * c}, {4 * c, c}} {
					rate := map[gpt.Precision][3]float64{}
					for _, prec := range ps {
						if ctx.Err() != nil {
							restore()
							return ctx.Err()
						}
						gt := *dur / 10 // each product timed for a tenth of -time (3 runs at least)
						r := [3]float64{gemmRate(prec, false, true, m, kn[1], kn[0], gt), gemmRate(prec, false, false, m, kn[1], kn[0], gt),
							gemmRate(prec, true, false, kn[1], kn[0], m, gt)}
						rate[prec] = r
						fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t\n", p.name, prec, m, kn[0], kn[1], r[0], r[1], r[2])
					}
					if len(ps) > 1 { // bf16's speed-up on the shape, from the two rows above
						f, b := rate[gpt.FP32], rate[gpt.BF16]
						fmt.Fprintf(tw, "%s\tbf16/fp32\t%d\t%d\t%d\t%.2fx\t%.2fx\t%.2fx\t\n", p.name, m, kn[0], kn[1], b[0]/f[0], b[1]/f[1], b[2]/f[2])
					}
				}
				restore()
			}
			return tw.Flush()
		}
	},
}

// benchRow is one preset's step timed at one precision.
type benchRow struct {
	p    benchPreset
	prec gpt.Precision
	t    train.StepTime
}

// peakTime is how long productsAtPeak times each micro-kernel.
const peakTime = 300 * time.Millisecond

// productsAtPeak prints, per row, the blocks' matrix products (the matmul
// kind of the step's profile) against the peak of the micro-kernel that runs
// them (kernels.MicroRate, times the preset's threads): their GFLOP/s in the
// step, its share of the peak, and the step's time were they to run at the
// peak with the rest of the step as measured. With both precisions it adds
// what bf16's step would then be as a share of fp32's measured one: the
// most that faster bf16 products could give.
func productsAtPeak(ctx context.Context, w io.Writer, rows []benchRow, batch int) error {
	peak := map[gpt.Precision]float64{}
	for _, r := range rows {
		if _, ok := peak[r.prec]; ok {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		peak[r.prec] = kernels.MicroRate(r.prec == gpt.BF16, peakTime)
	}
	return printAtPeak(w, rows, peak, batch)
}

// printAtPeak prints productsAtPeak's table for the micro-kernel peaks peak
// (GFLOP/s on one core per precision; 0: none).
func printAtPeak(w io.Writer, rows []benchRow, peak map[gpt.Precision]float64, batch int) error {
	var names []string
	for _, p := range []gpt.Precision{gpt.FP32, gpt.BF16} {
		switch g, ok := peak[p]; {
		case ok && g > 0:
			names = append(names, fmt.Sprintf("%s %.0f", p, g))
		case ok:
			names = append(names, fmt.Sprintf("%s none: the ref kernel has no micro-kernel", p))
		}
	}
	fmt.Fprintf(w, "\nThe blocks' matrix products (matmul above) against the micro-kernel's peak (GFLOP/s on one core, operands in L1: %s)\n", strings.Join(names, ", "))
	tw := newTable(w)
	fmt.Fprintln(tw, "preset\tprecision\tGFLOP/step\tGFLOP/s\tof peak\tms/step at peak\tbf16/fp32 at peak\t")
	fp32 := map[string]float64{} // measured fp32 step per preset
	for _, r := range rows {
		if r.prec == gpt.FP32 {
			fp32[r.p.name] = r.t.Total()
		}
	}
	for _, r := range rows {
		f := r.p.cfg.ProductFLOPs(batch, r.p.cfg.Points)
		mm := r.t.Layers.Matmul.Seconds()
		pk := peak[r.prec] * float64(r.p.threads)
		if pk <= 0 || mm <= 0 {
			fmt.Fprintf(tw, "%s\t%s\t%.2f\t-\t-\t-\t-\t\n", r.p.name, r.prec, f/1e9)
			continue
		}
		ideal := r.t.Total() - mm + f/(pk*1e9)
		share := "-"
		if base, ok := fp32[r.p.name]; ok && r.prec == gpt.BF16 {
			share = fmt.Sprintf("%.2f", ideal/base)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.1f\t%.0f%%\t%.2f\t%s\t\n", r.p.name, r.prec, f/1e9, f/mm/1e9, 100*f/mm/1e9/pk, ideal*1e3, share)
	}
	return tw.Flush()
}

// benchThreadsPerCore bounds bench -threads: a few goroutines per core show how
// the engine behaves oversubscribed; far more time only the scheduler, and
// each costs memory (GOMAXPROCS's Ps, the engine's per-goroutine buffers), so
// that a huge value runs the machine out of memory.
const benchThreadsPerCore = 64

// maxBenchThreads is the largest -threads bench accepts on this machine.
func maxBenchThreads() int { return benchThreadsPerCore * runtime.NumCPU() }

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

// timeOn times preset p's training step at precision prec on its threads.
func timeOn(p benchPreset, prec gpt.Precision, batch int, dur time.Duration) (train.StepTime, error) {
	defer onThreads(p.threads)()
	return train.TimeStep(p.cfg, prec, batch, 2, dur)
}

// gemmRate returns the GFLOP/s of the product at precision prec (Gemm or
// GemmBF16) for C(m,n) (+)= op(A)(m,k) op(B)(k,n), timed over at least
// minTime and 3 runs.
func gemmRate(prec gpt.Precision, transA, transB bool, m, n, k int, minTime time.Duration) float64 {
	gemm := kernels.Gemm
	if prec == gpt.BF16 {
		gemm = kernels.GemmBF16
	}
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
	gemm(transA, transB, m, n, k, a, lda, b, ldb, 0, c, n)
	reps := 0
	start := time.Now()
	for reps < 3 || time.Since(start) < minTime {
		gemm(transA, transB, m, n, k, a, lda, b, ldb, 1, c, n)
		reps++
	}
	return 2 * float64(m) * float64(n) * float64(k) * float64(reps) / time.Since(start).Seconds() / 1e9
}
