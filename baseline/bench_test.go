package baseline

import (
	"testing"

	"icl/prompt"
	"icl/task"
)

// Benchmarks: 1280 prompts of 41 points in d = 20, all cores (GOMAXPROCS).
const benchB, benchN, benchD = 1280, 41, 20

func benchRun(b *testing.B, p Predictor, bt *prompt.Batch) {
	dst := make([]float64, bt.B*bt.N)
	b.ResetTimer()
	for b.Loop() {
		Run(dst, p, bt, 0)
	}
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
	for b.Loop() {
		for _, p := range ps {
			Run(dst, p, bt, 0)
		}
	}
}
