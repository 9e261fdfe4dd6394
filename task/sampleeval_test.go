package task

import (
	"math"
	"testing"

	"icl/rng"
)

// SampleEval gives the bits of Sample then Eval, and leaves the stream where
// Sample leaves it.
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
		r1, r2 := rng.New(7, 1), rng.New(7, 1)
		var s Scratch
		got := make([]float64, n)
		for draw := 0; draw < 20; draw++ {
			f := tc.c.Sample(r1)
			es.SampleEval(got, r2, xs, d, &s)
			for i := range n {
				if want := f.Eval(xs[i*d : (i+1)*d]); math.Float64bits(got[i]) != math.Float64bits(want) {
					t.Fatalf("%s draw %d point %d: %v, Sample then Eval %v", tc.name, draw, i, got[i], want)
				}
			}
		}
		if a, b := r1.Uint64(), r2.Uint64(); a != b {
			t.Errorf("%s: the stream moved differently (%x, %x)", tc.name, a, b)
		}
	}
	if _, ok := EvalSamplerOf(&SparseLinear{D: 3, K: 1, Std: 1}); ok {
		t.Error("SparseLinear has no SampleEval, but EvalSamplerOf says it has")
	}
	if _, ok := EvalSamplerOf(&Convex{Alpha: 0.5, G: &Convex{Alpha: 0.5, G: lin, H: sin3}, H: sin3}); ok {
		t.Error("a nested Convex has no SampleEval, but EvalSamplerOf says it has")
	}
}
