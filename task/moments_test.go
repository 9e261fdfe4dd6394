package task

import (
	"math"
	"math/rand/v2"
	"testing"

	"icl/rng"
)

// meanSq estimates E f(x)^2 over n independent (f, x) pairs, f ~ c and
// x ~ N(0, I), one x per f so that the n terms are i.i.d.; it returns the
// sample mean and its standard error.
func meanSq(c Class, n int, r *rand.Rand) (mean, se float64) {
	x := make([]float64, c.Dim())
	var s, s2 float64
	for i := 0; i < n; i++ {
		f := c.Sample(r)
		for j := range x {
			x[j] = r.NormFloat64()
		}
		v := f.Eval(x)
		v *= v
		s += v
		s2 += v * v
	}
	mean = s / float64(n)
	vr := (s2 - float64(n)*mean*mean) / float64(n-1)
	return mean, math.Sqrt(vr / float64(n))
}

// TestScaleMatchesMoments checks every class's Scale against a Monte Carlo
// estimate of E f(x)^2. Tolerance: 5 standard errors of the estimate; the test
// also requires that tolerance to be under 5% of Scale, so that it can tell
// e.g. 3d from 2d for the quadratic class.
func TestScaleMatchesMoments(t *testing.T) {
	const d = 5
	dense := &DenseLinear{D: d, Std: 1}
	sine := &Sinusoid{D: d, A: 1, OmegaLo: 0.5, OmegaHi: 2}
	cases := []struct {
		name string
		c    Class
		n    int
	}{
		{"dense", dense, 40000},
		{"dense std 0.3 d 20", &DenseLinear{D: 20, Std: 0.3}, 40000},
		{"sparse 2 of 5", &SparseLinear{D: d, K: 2, Std: 1}, 100000},
		{"sparse 1 of 20 std 2", &SparseLinear{D: 20, K: 1, Std: 2}, 200000},
		{"sinusoid d 1 a 2", &Sinusoid{D: 1, A: 2, OmegaLo: 0.1, OmegaHi: 5}, 40000},
		{"sinusoid d 5", sine, 40000},
		{"convex linear/sqrt(d) + sine", &Convex{Alpha: 0.3,
			G: &DenseLinear{D: d, Std: 1 / math.Sqrt(d)}, H: sine}, 40000},
		{"convex sparse + quadratic", &Convex{Alpha: 0.6,
			G: &SparseLinear{D: d, K: 3, Std: 1}, H: &Quadratic{D: d, Std: 1}}, 80000},
		{"mixture", &Mixture{Components: []Class{dense, &SparseLinear{D: d, K: 1, Std: 1}, sine},
			Weights: []float64{0.5, 0.3, 0.2}}, 100000},
		{"noisy dense", &Noisy{Class: dense, Sigma: 3}, 40000},
		{"quadratic", &Quadratic{D: d, Std: 1}, 200000},
		{"quadratic d 20 std 0.5", &Quadratic{D: 20, Std: 0.5}, 40000},
		{"relu 2nn", &ReLU2NN{D: d, Hidden: 100}, 40000},
		{"relu 2nn hidden 3", &ReLU2NN{D: 8, Hidden: 3}, 200000},
		{"decision tree", &DecisionTree{D: d, Depth: 4}, 40000},
		{"decision tree depth 1 d 1", &DecisionTree{D: 1, Depth: 1}, 40000},
		{"linear classification", &LinearClassification{D: d}, 1000},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mean, se := meanSq(tc.c, tc.n, rng.New(11, uint64(i)))
			want := tc.c.Scale()
			tol := 5 * se
			if tol > 0.05*want {
				t.Fatalf("test too weak: 5 SE = %.4g > 5%% of scale %.4g; raise n", tol, want)
			}
			if tc.name == "linear classification" {
				tol = 1e-12 // f^2 = 1 exactly
			}
			if math.Abs(mean-want) > tol {
				t.Errorf("E f^2 = %.5g +- %.2g, Scale() = %.5g", mean, se, want)
			}
		})
	}
}

func TestSparseSupport(t *testing.T) {
	const d, k, n = 5, 2, 20000
	c := &SparseLinear{D: d, K: k, Std: 1}
	r := rng.New(3)
	count := map[int]int{} // support bitmask -> draws
	for i := 0; i < n; i++ {
		w := c.Sample(r).(*Linear).W
		mask, nz := 0, 0
		for j, v := range w {
			if v != 0 {
				mask |= 1 << j
				nz++
			}
		}
		if nz != k {
			t.Fatalf("draw %d has %d nonzeros, want %d: %v", i, nz, k, w)
		}
		count[mask]++
	}
	// All C(5,2) = 10 supports, each with probability 1/10: Pearson chi-square
	// with 9 degrees of freedom; P(chi2_9 > 30) ~ 4e-4.
	if len(count) != 10 {
		t.Fatalf("saw %d distinct supports, want 10", len(count))
	}
	chi2 := 0.0
	e := float64(n) / 10
	for _, o := range count {
		chi2 += (float64(o) - e) * (float64(o) - e) / e
	}
	if chi2 > 30 {
		t.Errorf("supports not uniform: chi2 = %.1f > 30 (9 dof); counts %v", chi2, count)
	}
}

func TestFuncEval(t *testing.T) {
	x := []float64{1, -2, 0.5}
	tree := &Tree{Depth: 2, Coord: []int{1, 0, 2}, Leaf: []float64{10, 20, 30, 40}}
	// Root tests x[1] = -2 > 0: false -> node 1, tests x[0] = 1 > 0: true -> node 4 = leaf 1.
	relu := &ReLUNet{D: 3, Hidden: 2, U: []float64{1, 1, 1, 0, -1, 0}, A: []float64{3, 5}}
	// u_0.x = -0.5 -> 0; u_1.x = 2 -> 5*2.
	cases := []struct {
		name string
		f    Func
		want float64
	}{
		{"quadratic", &QuadraticFunc{W: []float64{1, 2, -4}}, 1 + 8 - 1},
		{"relu", relu, 10},
		{"tree", tree, 20},
		{"sign +", &SignLinear{W: []float64{1, 1, 1}}, -1},
		{"sign 0", &SignLinear{W: []float64{2, 1, 0}}, 0},
	}
	for _, tc := range cases {
		if got := tc.f.Eval(x); got != tc.want {
			t.Errorf("%s: Eval = %g, want %g", tc.name, got, tc.want)
		}
	}
}

func TestPool(t *testing.T) {
	const d, m = 4, 400
	p := &Pool{Base: &DenseLinear{D: d, Std: 1}, M: m, Seed: 9}
	q := &Pool{Base: &DenseLinear{D: d, Std: 1}, M: m, Seed: 9}
	o := &Pool{Base: &DenseLinear{D: d, Std: 1}, M: m, Seed: 10}
	// Same seed, same functions, drawn from rng.New(Seed, LabelPool) in order.
	ref := rng.New(9, rng.LabelPool)
	for i, f := range p.Funcs() {
		want := (&DenseLinear{D: d, Std: 1}).Sample(ref).(*Linear).W
		for j := range want {
			if f.(*Linear).W[j] != want[j] || q.Funcs()[i].(*Linear).W[j] != want[j] {
				t.Fatalf("pool function %d differs from the reference stream", i)
			}
		}
	}
	if p.Funcs()[0].(*Linear).W[0] == o.Funcs()[0].(*Linear).W[0] {
		t.Errorf("seeds 9 and 10 give the same first function")
	}
	// Sample returns pool members, uniformly (chi-square over 4 members).
	small := &Pool{Base: &DenseLinear{D: d, Std: 1}, M: 4, Seed: 1}
	idx := map[Func]int{}
	for i, f := range small.Funcs() {
		idx[f] = i
	}
	const n = 8000
	counts := make([]float64, 4)
	r := rng.New(2)
	for i := 0; i < n; i++ {
		j, ok := idx[small.Sample(r)]
		if !ok {
			t.Fatal("Sample returned a function outside the pool")
		}
		counts[j]++
	}
	chi2 := 0.0
	for _, c := range counts {
		chi2 += (c - n/4) * (c - n/4) / (n / 4)
	}
	if chi2 > 17 { // P(chi2_3 > 17) ~ 7e-4
		t.Errorf("pool picks not uniform: chi2 = %.1f, counts %v", chi2, counts)
	}
	// Scale is the base's: the pool's exact E f^2 = mean |w|^2 lies within 5
	// standard deviations sqrt(Var|w|^2 / M) = sqrt(2d/M) of d.
	exact := 0.0
	for _, f := range p.Funcs() {
		for _, w := range f.(*Linear).W {
			exact += w * w
		}
	}
	exact /= m
	if math.Abs(exact-p.Scale()) > 5*math.Sqrt(2*d/float64(m)) {
		t.Errorf("pool E f^2 = %.4g, Scale() = %.4g", exact, p.Scale())
	}
	// And Monte Carlo draws from the pool match its exact E f^2.
	mean, se := meanSq(p, 40000, rng.New(4))
	if math.Abs(mean-exact) > 5*se {
		t.Errorf("pool draws: E f^2 = %.4g +- %.2g, exact %.4g", mean, se, exact)
	}
}

func TestNoiseStd(t *testing.T) {
	dense := &DenseLinear{D: 2, Std: 1}
	cases := []struct {
		c    Class
		want float64
	}{
		{dense, 0},
		{&Noisy{Class: dense, Sigma: 0.5}, 0.5},
		{&Noisy{Class: &Noisy{Class: dense, Sigma: 3}, Sigma: 4}, 5},
	}
	for _, tc := range cases {
		if got := NoiseStd(tc.c); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("NoiseStd(%s) = %g, want %g", tc.c.Name(), got, tc.want)
		}
	}
}
