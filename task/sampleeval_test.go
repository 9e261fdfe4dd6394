package task

import (
	"math"
	"testing"

	"icl/rng"
)

// SampleEval gives the bits of Sample then Eval, and leaves the stream where
// Sample leaves it, whether it draws one function a call or many.
func TestSampleEvalMatchesSample(t *testing.T) {
	sin := &Sinusoid{D: 1, A: 1, OmegaLo: 0.5, OmegaHi: 2}
	sin3 := &Sinusoid{D: 3, A: 2, OmegaLo: 0.1, OmegaHi: 6}
	lin := &DenseLinear{D: 3, Std: 1}
	lin1 := &DenseLinear{D: 1, Std: 0.5}
	for _, tc := range []struct {
		name string
		c    Class
	}{
		{"sinusoid d=1", sin}, {"sinusoid d=3", sin3}, {"dense d=3", lin},
		{"convex d=1", &Convex{Alpha: 0.3, G: lin1, H: sin}},
		{"convex d=3", &Convex{Alpha: 0.7, G: lin, H: sin3}},
	} {
		es, ok := EvalSamplerOf(tc.c)
		if !ok {
			t.Fatalf("%s: no EvalSampler", tc.name)
		}
		d, n := tc.c.Dim(), 9
		xr := rng.New(1)
		xs := make([]float64, n*d)
		for i := range xs {
			xs[i] = 3 * xr.NormFloat64()
		}
		// 20 draws, one call per draw, in calls of 7, 7 and 6, and in one call.
		for _, calls := range [][]int{{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {7, 7, 6}, {20}} {
			r1, r2 := rng.New(7, 1), rng.New(7, 1)
			var s Scratch
			draw := 0
			for _, m := range calls {
				got := make([]float64, m*n)
				es.SampleEval(got, m, r2, xs, d, &s)
				for k := 0; k < m; k++ {
					f := tc.c.Sample(r1)
					for i := range n {
						if want := f.Eval(xs[i*d : (i+1)*d]); math.Float64bits(got[k*n+i]) != math.Float64bits(want) {
							t.Fatalf("%s, calls %v: draw %d point %d: %v, Sample then Eval %v", tc.name, calls, draw, i, got[k*n+i], want)
						}
					}
					draw++
				}
			}
			if a, b := r1.Uint64(), r2.Uint64(); a != b {
				t.Errorf("%s, calls %v: the stream moved differently (%x, %x)", tc.name, calls, a, b)
			}
		}
	}
	if _, ok := EvalSamplerOf(&SparseLinear{D: 3, K: 1, Std: 1}); ok {
		t.Error("SparseLinear has no SampleEval, but EvalSamplerOf says it has")
	}
	if _, ok := EvalSamplerOf(&Convex{Alpha: 0.5, G: &Convex{Alpha: 0.5, G: lin, H: sin3}, H: sin3}); ok {
		t.Error("a nested Convex has no SampleEval, but EvalSamplerOf says it has")
	}
}
