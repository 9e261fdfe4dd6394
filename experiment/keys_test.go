package experiment

import (
	"strings"
	"testing"

	"icl/baseline"
	"icl/plot"
	"icl/runeval"
	"icl/task"
)

// The key, legend label and figure role of every baseline follow from what
// the baseline is. The expected labels and roles are those its identifier
// (baseline.Predictor.Name) implies, written out here; the keys tell the
// curves of a class apart, and the exact Bayes predictor has one key whatever
// the class, so that a sweep over classes draws one Bayes line.
func TestBaselineCurve(t *testing.T) {
	const d = 4
	want := func(name string) (string, plot.Role) {
		switch {
		case name == "least_squares":
			return "least squares", plot.RoleBaseline
		case name == "lasso_best_in_hindsight":
			return "lasso (best alpha in hindsight)", plot.RoleBaseline
		case name == "knn_k=3":
			return "3-nearest neighbours", plot.RoleBaseline
		case strings.HasPrefix(name, "bayes_mc_m="):
			return "Bayes (Monte Carlo)", plot.RoleReference
		case strings.HasPrefix(name, "bayes_"):
			return "Bayes-optimal", plot.RoleReference
		}
		return name, plot.RoleBaseline
	}
	dense := task.Spec{Class: task.ClassDenseLinear}
	sparse := task.Spec{Class: task.ClassSparseLinear, K: 1}
	for _, tc := range []struct {
		spec    task.Spec
		bayes   string // the key of the class's Bayes predictor
		bayesFn string // its name
	}{
		{dense, keyBayes, "bayes_dense"},
		{sparse, keyBayes, "bayes_sparse_k=1"},
		{task.Spec{Class: task.ClassMixture, Of: []task.Spec{dense, sparse}}, keyBayes, "bayes_mixture"},
		{task.Spec{Class: task.ClassPool, M: 3, Base: &dense}, keyBayes, "bayes_pool_m=3"},
		{task.Spec{Class: task.ClassSinusoid}, keyBayesMC, "bayes_mc_m=20000"},
	} {
		c, err := tc.spec.Build(d)
		if err != nil {
			t.Fatal(err)
		}
		all, err := baseline.ForClass(c, baseline.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		for _, p := range all {
			key, label, role := runeval.BaselineCurve(p)
			wl, wr := want(p.Name())
			if label != wl || role != wr {
				t.Errorf("%s: %s: label %q, role %v; want %q, %v", tc.spec.Class, p.Name(), label, role, wl, wr)
			}
			if other, ok := seen[key]; ok {
				t.Errorf("%s: %s and %s share key %q", tc.spec.Class, other, p.Name(), key)
			}
			seen[key] = p.Name()
			if strings.Contains(key, label) && label != p.Name() {
				t.Errorf("%s: key %q holds the legend label %q", p.Name(), key, label)
			}
		}
		if seen[tc.bayes] != tc.bayesFn {
			t.Errorf("%s: key %q is %q, want %q", tc.spec.Class, tc.bayes, seen[tc.bayes], tc.bayesFn)
		}
		for _, k := range []string{keyLeastSquares, keyLassoBest, keyKNN} {
			if seen[k] == "" {
				t.Errorf("%s: no baseline has key %q", tc.spec.Class, k)
			}
		}
	}
}
