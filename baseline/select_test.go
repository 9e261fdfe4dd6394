package baseline

import (
	"slices"
	"testing"

	"icl/task"
)

// TestSelect: the prior-free suite for a nil class, the name filter in the
// suite's order, unique names, and the mixture components' exact Bayes
// predictors only with Options.Components (through Noisy).
func TestSelect(t *testing.T) {
	d := 4
	dense := &task.DenseLinear{D: d, Std: 1}
	sparse := &task.SparseLinear{D: d, K: 2, Std: 1}
	sin := &task.Sinusoid{D: d, A: 1, OmegaLo: 1, OmegaHi: 2}
	mix := &task.Mixture{Components: []task.Class{dense, sparse}, Weights: []float64{0.5, 0.5}}
	names := func(c task.Class, opts Options, prefixes []string) []string {
		t.Helper()
		ps, err := Select(c, opts, prefixes)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.Name())
		}
		return out
	}
	opts := DefaultOptions()
	opts.RidgeLambdas = []float64{0.1, 0.1} // a repeated name is dropped
	opts.LassoAlphas = []float64{0.01}
	free := []string{"zero", "averaging", "knn_k=3", "least_squares", "ridge_lambda=0.1", "lasso_alpha=0.01"}
	if got := names(nil, opts, nil); !slices.Equal(got, free) {
		t.Errorf("nil class: %v, want %v", got, free)
	}
	if got, want := names(mix, opts, nil), append(slices.Clone(free), "bayes_mixture"); !slices.Equal(got, want) {
		t.Errorf("mixture: %v, want %v", got, want)
	}
	opts.Components = true
	withComps := append(slices.Clone(free), "bayes_mixture", "bayes_dense", "bayes_sparse_k=2")
	for _, c := range []task.Class{mix, &task.Noisy{Class: mix, Sigma: 0.1}} {
		if got := names(c, opts, nil); !slices.Equal(got, withComps) {
			t.Errorf("%s with components: %v, want %v", c.Name(), got, withComps)
		}
	}
	// A component without an exact predictor adds nothing; the mixture gets Monte Carlo.
	mc := &task.Mixture{Components: []task.Class{sin, dense}, Weights: []float64{0.5, 0.5}}
	if got, want := names(mc, opts, nil), append(slices.Clone(free), "bayes_mc_m=20000", "bayes_dense"); !slices.Equal(got, want) {
		t.Errorf("Monte Carlo mixture with components: %v, want %v", got, want)
	}
	// Components of a class that is not a mixture: none.
	if got, want := names(dense, opts, nil), append(slices.Clone(free), "bayes_dense"); !slices.Equal(got, want) {
		t.Errorf("dense with components: %v, want %v", got, want)
	}
	if got, want := names(mix, opts, []string{"bayes", "zero"}), []string{"zero", "bayes_mixture", "bayes_dense", "bayes_sparse_k=2"}; !slices.Equal(got, want) {
		t.Errorf("prefixes bayes, zero: %v, want %v", got, want)
	}
	if got := names(mix, opts, []string{}); len(got) != 0 {
		t.Errorf("empty prefixes: %v, want none", got)
	}
	bad := opts
	bad.KNN = 0
	if _, err := Select(nil, bad, nil); err == nil {
		t.Error("KNN 0: no error")
	}
}
