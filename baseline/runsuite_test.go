package baseline

import (
	"slices"
	"testing"

	"icl/task"
)

// TestRunSuiteMatchesRun: RunSuite's shared computations give exactly (bit for
// bit) what Run gives for each predictor alone, and RunPosterior's posterior,
// for 1 and 3 workers: suites with an exact mixture (plus its components as
// separate predictors, as 'icl baselines' runs them), a Monte Carlo mixture,
// and lassos whose alphas LassoBest lists in another order, with one alpha
// that only LassoBest uses.
func TestRunSuiteMatchesRun(t *testing.T) {
	d := 5
	dense := &task.DenseLinear{D: d, Std: 1}
	sparse := &task.SparseLinear{D: d, K: 2, Std: 1}
	sin := &task.Sinusoid{D: d, A: 1, OmegaLo: 0.5, OmegaHi: 2}
	opts := DefaultOptions()
	opts.MCSamples = 300
	for _, tc := range []struct {
		c     task.Class
		extra []Predictor
	}{
		{&task.Mixture{Components: []task.Class{dense, sparse}, Weights: []float64{0.3, 0.7}},
			[]Predictor{BayesDense{Tau: 1, Sigma: 1e-5}, BayesSparse{K: 2, Tau: 1, Sigma: 1e-5}, BayesSparse{K: 2, Tau: 1, Sigma: 0.5},
				Lasso{Alpha: 0.01}, LassoBest{Alphas: []float64{0.1, 0.05, 0.001}}}},
		{&task.Mixture{Components: []task.Class{dense, sin}, Weights: []float64{0.5, 0.5}}, nil},
	} {
		b := makeBatch(tc.c, 6, 11, 9)
		ps, err := ForClass(tc.c, opts)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, tc.extra...)
		pp := ps[len(ps)-1-len(tc.extra)].(Posterior)
		want := make([][]float64, len(ps))
		for j, p := range ps {
			want[j] = make([]float64, b.B*b.N)
			Run(want[j], p, b, 1)
		}
		wantPost, scratch := make([]float64, b.B*b.N*pp.NumClasses()), make([]float64, b.B*b.N)
		RunPosterior(scratch, wantPost, pp, b, 1)
		for _, workers := range []int{1, 3} {
			got := make([][]float64, len(ps))
			for j := range got {
				got[j] = make([]float64, b.B*b.N)
			}
			post := make([]float64, len(wantPost))
			RunSuite(got, post, ps, b, workers)
			for j, p := range ps {
				if !slices.Equal(got[j], want[j]) {
					t.Errorf("%s, %d workers: %s differs from Run", tc.c.Name(), workers, p.Name())
				}
			}
			if !slices.Equal(post, wantPost) {
				t.Errorf("%s, %d workers: posterior differs from RunPosterior", tc.c.Name(), workers)
			}
		}
	}
	// The plan shares what it should: both components of the exact mixture, not
	// the BayesSparse with another sigma.
	m, _ := Exact(&task.Mixture{Components: []task.Class{dense, sparse}, Weights: []float64{0.5, 0.5}}, DefaultJitter)
	dx, _ := Exact(dense, DefaultJitter)
	sx, _ := Exact(sparse, DefaultJitter)
	pl := planSuite([]Predictor{dx, m, Lasso{Alpha: 0.1}, sx, BayesSparse{K: 2, Tau: 1, Sigma: 0.5}, LassoBest{Alphas: []float64{0.2, 0.1}}})
	if want := []int{suiteShared, suiteMixture, suiteLasso, suiteShared, suitePlain, suiteLassoBest}; !slices.Equal(pl.kind, want) {
		t.Errorf("plan kinds %v, want %v", pl.kind, want)
	}
	if !slices.Equal(pl.alphas, []float64{0.1, 0.2}) {
		t.Errorf("plan alphas %v, want [0.1 0.2]", pl.alphas)
	}
}
