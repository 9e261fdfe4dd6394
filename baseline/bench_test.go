package baseline

import (
	"testing"
	"time"

	"icl/internal/cputime"
	"icl/prompt"
	"icl/rng"
	"icl/task"
)

// Benchmarks: 1280 prompts of 41 points in d = 20, all cores (GOMAXPROCS).
const benchB, benchN, benchD = 1280, 41, 20

func benchRun(b *testing.B, p Predictor, bt *prompt.Batch) {
	dst := make([]float64, bt.B*bt.N)
	b.ResetTimer()
	c0 := cputime.Process()
	for b.Loop() {
		Run(dst, p, bt, 0)
	}
	reportCPU(b, c0)
}

// reportCPU reports the process's CPU seconds per op since c0 (all goroutines):
// on a loaded machine a steadier measure of work than wall time.
func reportCPU(b *testing.B, c0 time.Duration) {
	b.ReportMetric((cputime.Process()-c0).Seconds()/float64(b.N), "cpu-s/op")
}

func BenchmarkBaselines(b *testing.B) {
	dense := &task.DenseLinear{D: benchD, Std: 1}
	sparse := &task.SparseLinear{D: benchD, K: 2, Std: 1}
	db := makeBatch(dense, benchB, benchN, 1)
	sb := makeBatch(sparse, benchB, benchN, 1)
	ex, _ := Exact(dense, DefaultJitter)
	sx, _ := Exact(sparse, DefaultJitter)
	mx, _ := Exact(&task.Mixture{Components: []task.Class{dense, sparse}, Weights: []float64{0.5, 0.5}}, DefaultJitter)
	cases := []struct {
		p  Predictor
		bt *prompt.Batch
	}{
		{Zero{}, db}, {Averaging{}, db}, {KNN{K: 3}, db}, {LeastSquares{}, db},
		{Ridge{Lambda: 0.1}, db},
		{Lasso{Alpha: 0.001}, db}, {Lasso{Alpha: 0.01}, db}, {Lasso{Alpha: 0.1}, db},
		{Lasso{Alpha: 0.01}, sb},
		{ex, db}, {sx, sb}, {mx, sb},
	}
	for _, c := range cases {
		name := c.p.Name()
		if c.bt == sb {
			name += "/sparse_data"
		}
		b.Run(name, func(b *testing.B) { benchRun(b, c.p, c.bt) })
	}
}

// BenchmarkSuite runs ForClass's whole default suite for sparse linear (k = 2):
// exact Bayes over 190 supports and lasso at 3 alphas plus best in hindsight.
func BenchmarkSuite(b *testing.B) {
	c := &task.SparseLinear{D: benchD, K: 2, Std: 1}
	bt := makeBatch(c, benchB, benchN, 1)
	ps, err := ForClass(c, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, bt.B*bt.N)
	b.ResetTimer()
	c0 := cputime.Process()
	for b.Loop() {
		for _, p := range ps {
			Run(dst, p, bt, 0)
		}
	}
	reportCPU(b, c0)
}

// BenchmarkRunSuite is 'icl baselines' on the default prompts: ForClass's suite
// for the mixture 0.5 dense + 0.5 sparse (k = 2) plus each component's own
// Bayes predictor and the class posterior, through RunSuite (shared lasso paths
// and mixture components), against the same predictors one Run each.
func BenchmarkRunSuite(b *testing.B) {
	dense := &task.DenseLinear{D: benchD, Std: 1}
	sparse := &task.SparseLinear{D: benchD, K: 2, Std: 1}
	c := &task.Mixture{Components: []task.Class{dense, sparse}, Weights: []float64{0.5, 0.5}}
	bt := makeBatch(c, benchB, benchN, 1)
	ps, err := ForClass(c, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range []task.Class{dense, sparse} {
		e, _ := Exact(k, DefaultJitter)
		ps = append(ps, e)
	}
	dst := make([][]float64, len(ps))
	for j := range dst {
		dst[j] = make([]float64, bt.B*bt.N)
	}
	post := make([]float64, bt.B*bt.N*2)
	b.Run("shared", func(b *testing.B) {
		c0 := cputime.Process()
		for b.Loop() {
			RunSuite(dst, post, ps, bt, 0)
		}
		reportCPU(b, c0)
	})
	b.Run("one_by_one", func(b *testing.B) {
		c0 := cputime.Process()
		for b.Loop() {
			for j, p := range ps {
				Run(dst[j], p, bt, 0)
			}
		}
		reportCPU(b, c0)
	})
}

// BenchmarkMonteCarlo times the Monte Carlo Bayes predictor on one prompt
// (d = 1, 17 points, 5000 draws) of the evaluation's costliest classes: a
// sinusoid (E6) and a convex combination of a line and a sinusoid (E5).
func BenchmarkMonteCarlo(b *testing.B) {
	sin := &task.Sinusoid{D: 1, OmegaLo: 0.5, OmegaHi: 2, A: 1}
	for _, c := range []struct {
		name string
		c    task.Class
	}{
		{"sinusoid", sin},
		{"convex", &task.Convex{Alpha: 0.5, G: &task.DenseLinear{D: 1, Std: 1}, H: sin}},
	} {
		b.Run(c.name, func(b *testing.B) {
			r := rng.New(5)
			n := 17
			f := c.c.Sample(r)
			xs, ys := make([]float64, n), make([]float64, n)
			for i := range xs {
				xs[i] = r.NormFloat64()
				ys[i] = f.Eval(xs[i : i+1])
			}
			p := &MonteCarlo{Class: c.c, M: 5000, Seed: 1}
			dst := make([]float64, n)
			for b.Loop() {
				p.PosteriorIndex(dst, nil, xs, ys, n, 1, 0)
			}
		})
	}
}
