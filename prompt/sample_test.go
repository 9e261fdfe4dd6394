package prompt

import (
	"math"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"icl/config"
	"icl/task"
)

// known returns a class whose only function is known: a pool of one function
// drawn from base.
func known(base task.Class) (*task.Pool, task.Func) {
	p := &task.Pool{Base: base, M: 1, Seed: 42}
	return p, p.Funcs()[0]
}

func sameBits(t *testing.T, what string, a, b []float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: lengths %d and %d", what, len(a), len(b))
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Fatalf("%s: element %d differs: %v vs %v", what, i, a[i], b[i])
		}
	}
}

func sameBatch(t *testing.T, what string, a, b *Batch) {
	t.Helper()
	sameBits(t, what+" Xs", a.Xs, b.Xs)
	sameBits(t, what+" Ys", a.Ys, b.Ys)
	sameBits(t, what+" QXs", a.QXs, b.QXs)
	sameBits(t, what+" QYs", a.QYs, b.QYs)
	sameBits(t, what+" Scale", a.Scale, b.Scale)
	if len(a.Class) != len(b.Class) {
		t.Fatalf("%s: Class lengths differ", what)
	}
	for i := range a.Class {
		if a.Class[i] != b.Class[i] {
			t.Fatalf("%s: Class[%d] differs", what, i)
		}
	}
}

func TestDeterminism(t *testing.T) {
	const d = 5
	mix := &task.Mixture{Components: []task.Class{
		&task.Noisy{Class: &task.DenseLinear{D: d, Std: 1}, Sigma: 0.3},
		&task.SparseLinear{D: d, K: 2, Std: 1},
		&task.Sinusoid{D: d, A: 1, OmegaLo: 0.5, OmegaHi: 2},
	}, Weights: []float64{0.3, 0.3, 0.4}}
	for _, q := range queryNames {
		st := Setting{Input: InputSkewed, Query: q, Noise: 0.1}
		ref := (&Sampler{Class: mix, Setting: st, Workers: 1}).Batch(33, 9, 7, 100, 3)
		for _, w := range []int{2, 8, 64} {
			got := (&Sampler{Class: mix, Setting: st, Workers: w}).Batch(33, 9, 7, 100, 3)
			sameBatch(t, q+" workers", ref, got)
		}
		for _, procs := range []int{1, 4} {
			old := runtime.GOMAXPROCS(procs)
			got := (&Sampler{Class: mix, Setting: st}).Batch(33, 9, 7, 100, 3)
			runtime.GOMAXPROCS(old)
			sameBatch(t, q+" GOMAXPROCS", ref, got)
		}
		// Prompt p depends on p, not on B: a smaller batch is a prefix.
		small := (&Sampler{Class: mix, Setting: st, Workers: 3}).Batch(4, 9, 7, 100, 3)
		sameBits(t, q+" prefix Xs", small.Xs, ref.Xs[:len(small.Xs)])
		sameBits(t, q+" prefix Ys", small.Ys, ref.Ys[:len(small.Ys)])
		// Other labels, other prompts.
		other := (&Sampler{Class: mix, Setting: st}).Batch(33, 9, 7, 100, 4)
		if other.Xs[0] == ref.Xs[0] {
			t.Errorf("%s: labels (100, 3) and (100, 4) give the same first input", q)
		}
	}
	// Settings that differ only in the query share functions and context
	// inputs (orthant folds the context, so compare absolute values).
	base := (&Sampler{Class: mix}).Batch(10, 6, 1)
	for _, q := range []string{QueryRepeat, QueryOrthogonal, QueryOrthant} {
		b := (&Sampler{Class: mix, Setting: Setting{Query: q}}).Batch(10, 6, 1)
		for i := range base.Xs {
			if math.Abs(base.Xs[i]) != math.Abs(b.Xs[i]) {
				t.Fatalf("query %s changes context input %d", q, i)
			}
		}
		sameBits(t, q+" Scale", base.Scale, b.Scale)
		if q != QueryOrthant {
			sameBits(t, q+" Ys", base.Ys, b.Ys)
		}
	}
}

// covEig returns the eigenvalues (ascending) of the second-moment matrix of
// the rows of xs (n, d), and the mean squared norm.
func covEig(xs []float64, d int) ([]float64, float64) {
	n := len(xs) / d
	c := mat.NewSymDense(d, nil)
	sq := 0.0
	for i := 0; i < n; i++ {
		x := xs[i*d : (i+1)*d]
		for a := 0; a < d; a++ {
			sq += x[a] * x[a]
			for b := a; b < d; b++ {
				c.SetSym(a, b, c.At(a, b)+x[a]*x[b]/float64(n))
			}
		}
	}
	var e mat.EigenSym
	if !e.Factorize(c, false) {
		panic("eigen failed")
	}
	return e.Values(nil), sq / float64(n)
}

// TestInputMoments checks each input distribution's second moments against
// their definition, with an eigendecomposition of the sample second-moment
// matrix (independent of the sampler's basis construction). Tolerances: n =
// 60000 points; an eigenvalue's sampling error is about lambda sqrt(2/n) and,
// by Weyl's inequality, at most the operator-norm error of the estimate,
// about lambda_max sqrt(d/n) ~ 0.01 lambda_max here; we allow 0.05 lambda_max.
func TestInputMoments(t *testing.T) {
	const d, b, n = 6, 3000, 20
	lin := &task.DenseLinear{D: d, Std: 1}
	harm := 0.0
	harm2 := 0.0
	for i := 1; i <= d; i++ {
		harm += 1 / float64(i)
		harm2 += 1 / float64(i*i)
	}
	skew := make([]float64, d)
	skew2 := make([]float64, d)
	for i := range skew {
		skew[d-1-i] = d / (float64(i+1) * harm) // ascending
		skew2[d-1-i] = d / (float64((i+1)*(i+1)) * harm2)
	}
	cases := []struct {
		name string
		st   Setting
		eig  []float64 // ascending
		sq   float64   // E|x|^2
	}{
		{"gaussian", Setting{}, []float64{1, 1, 1, 1, 1, 1}, d},
		{"skewed random", Setting{Input: InputSkewed, BasisSeed: 5}, skew, d},
		{"skewed axis", Setting{Input: InputSkewed, Basis: BasisAxis}, skew, d},
		{"skewed power 2", Setting{Input: InputSkewed, SkewPower: 2}, skew2, d},
		{"half subspace", Setting{Input: InputHalfSubspace}, []float64{0, 0, 0, 2, 2, 2}, d},
		{"x scale 3", Setting{XScale: 3}, []float64{9, 9, 9, 9, 9, 9}, 9 * d},
	}
	for _, tc := range cases {
		bt := (&Sampler{Class: lin, Setting: tc.st}).Batch(b, n, 1)
		eig, sq := covEig(bt.Xs, d)
		tol := 0.05 * tc.eig[d-1]
		maxErr := 0.0
		for i := range eig {
			maxErr = math.Max(maxErr, math.Abs(eig[i]-tc.eig[i]))
		}
		t.Logf("%s: max eigenvalue error %.4f (tol %.3f), E|x|^2 = %.4f", tc.name, maxErr, tol, sq)
		for i := range eig {
			if math.Abs(eig[i]-tc.eig[i]) > tol {
				t.Errorf("%s: eigenvalues %.3f, want %.3f (tol %.3f)", tc.name, eig, tc.eig, tol)
				break
			}
		}
		// E|x|^2: the sum of the eigenvalues; |x|^2 has variance 2 sum lambda^2.
		v := 0.0
		for _, l := range tc.eig {
			v += 2 * l * l
		}
		if se := math.Sqrt(v / (b * n)); math.Abs(sq-tc.sq) > 5*se {
			t.Errorf("%s: E|x|^2 = %.4f, want %g +- %.3f", tc.name, sq, tc.sq, 5*se)
		}
		if tc.name == "half subspace" && eig[d/2-1] > 1e-9 {
			t.Errorf("half subspace: inputs span more than d/2 dimensions: %g", eig)
		}
	}
	// The random basis is not axis-aligned; the axis one is.
	for _, tc := range []struct {
		st      Setting
		aligned bool
	}{{Setting{Input: InputSkewed, BasisSeed: 5}, false}, {Setting{Input: InputSkewed, Basis: BasisAxis}, true}} {
		bt := (&Sampler{Class: lin, Setting: tc.st}).Batch(b, n, 1)
		off := 0.0
		for i := 0; i < b*n; i++ {
			x := bt.Xs[i*d : (i+1)*d]
			off += x[0] * x[1] / float64(b*n)
		}
		if aligned := math.Abs(off) < 0.05; aligned != tc.aligned {
			t.Errorf("basis %q: E x0 x1 = %.3f", tc.st.Basis, off)
		}
	}
}

func TestOrthant(t *testing.T) {
	const d, b, n = 5, 4000, 12
	bt := (&Sampler{Class: &task.DenseLinear{D: d, Std: 1}, Setting: Setting{Query: QueryOrthant}}).Batch(b, n, 3)
	plus := make([]int, d)
	queriesInOneOrthant := 0
	for p := 0; p < b; p++ {
		xs, _ := bt.Prompt(p)
		qs := bt.QXs[p*n*d : (p+1)*n*d]
		same := true
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				if math.Signbit(xs[i*d+j]) != math.Signbit(xs[j]) {
					t.Fatalf("prompt %d: context point %d not in the orthant of point 0", p, i)
				}
				if math.Abs(xs[i*d+j]) != math.Abs(qs[i*d+j]) {
					t.Fatalf("prompt %d: query %d is not the unfolded context point", p, i)
				}
				same = same && math.Signbit(qs[i*d+j]) == math.Signbit(qs[j])
			}
		}
		if same {
			queriesInOneOrthant++
		}
		for j := 0; j < d; j++ {
			if xs[j] > 0 {
				plus[j]++
			}
		}
	}
	if queriesInOneOrthant > 0 {
		t.Errorf("%d prompts have all queries in one orthant (chance 2^-55 each)", queriesInOneOrthant)
	}
	for j, c := range plus { // Binomial(b, 1/2): 5 sd = 5 sqrt(b)/2
		if math.Abs(float64(c)-b/2) > 2.5*math.Sqrt(b) {
			t.Errorf("coordinate %d positive in %d of %d orthants", j, c, b)
		}
	}
}

func TestOrthogonalQuery(t *testing.T) {
	const d, b, n = 5, 50, 9
	cls, f := known(&task.DenseLinear{D: d, Std: 1})
	for _, tc := range []struct {
		name   string
		s      Sampler
		qlen   int
		active int
	}{
		{"full", Sampler{Class: cls, Setting: Setting{Query: QueryOrthogonal}}, d, d},
		{"active 3", Sampler{Class: cls, Setting: Setting{Query: QueryOrthogonal}, ActiveDims: 3}, 3, 3},
		{"half subspace", Sampler{Class: cls, Setting: Setting{Query: QueryOrthogonal, Input: InputHalfSubspace}}, 2, d},
	} {
		bt := tc.s.Batch(b, n, 9)
		if bt.QueryLen != tc.qlen {
			t.Fatalf("%s: QueryLen = %d, want %d", tc.name, bt.QueryLen, tc.qlen)
		}
		for p := 0; p < b; p++ {
			xs, _ := bt.Prompt(p)
			for i := 0; i < n; i++ {
				q, y := bt.Query(p, i)
				if i >= bt.QueryLen {
					if !math.IsNaN(y) || !math.IsNaN(q[0]) {
						t.Fatalf("%s: query %d beyond QueryLen is not NaN", tc.name, i)
					}
					continue
				}
				x := xs[i*d : (i+1)*d]
				if math.Abs(norm(q)-norm(x)) > 1e-12*norm(x) {
					t.Fatalf("%s: |q_%d| = %g, |x_%d| = %g", tc.name, i, norm(q), i, norm(x))
				}
				for j := 0; j < i; j++ {
					xj := xs[j*d : (j+1)*d]
					dot := 0.0
					for k := range q {
						dot += q[k] * xj[k]
					}
					if math.Abs(dot) > 1e-10*norm(q)*norm(xj) {
						t.Fatalf("%s: prompt %d: q_%d . x_%d = %g", tc.name, p, i, j, dot)
					}
				}
				for k := tc.active; k < d; k++ {
					if q[k] != 0 {
						t.Fatalf("%s: query has inactive coordinate %d = %g", tc.name, k, q[k])
					}
				}
				if y != f.Eval(q) {
					t.Fatalf("%s: query label %g, f(q) = %g", tc.name, y, f.Eval(q))
				}
			}
		}
	}
}

func TestRepeatQuery(t *testing.T) {
	const d, b, n = 3, 4000, 5
	bt := (&Sampler{Class: &task.DenseLinear{D: d, Std: 1}, Setting: Setting{Query: QueryRepeat}}).Batch(b, n, 2)
	counts := make([]float64, n-1) // which earlier point the last query repeats
	for p := 0; p < b; p++ {
		xs, ys := bt.Prompt(p)
		for i := 0; i < n; i++ {
			q, y := bt.Query(p, i)
			match := -1
			for j := 0; j < max(i, 1); j++ {
				if sameVec(q, xs[j*d:(j+1)*d]) {
					match = j
				}
			}
			if match < 0 {
				t.Fatalf("prompt %d: query %d equals no earlier context point", p, i)
			}
			if y != ys[match] { // noiseless: same point, same label
				t.Fatalf("prompt %d: query %d label %g, context label %g", p, i, y, ys[match])
			}
			if i == n-1 {
				counts[match]++
			}
		}
	}
	chi2 := 0.0
	e := float64(b) / float64(n-1)
	for _, c := range counts {
		chi2 += (c - e) * (c - e) / e
	}
	if chi2 > 17 { // 3 dof, P(chi2_3 > 17) ~ 7e-4
		t.Errorf("repeat indices not uniform: chi2 = %.1f, counts %v", chi2, counts)
	}
}

func sameVec(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMixtureProportions(t *testing.T) {
	const d, b = 4, 6000
	w := []float64{0.2, 0.5, 0.3}
	comps := []task.Class{&task.DenseLinear{D: d, Std: 1}, &task.SparseLinear{D: d, K: 1, Std: 1},
		&task.Quadratic{D: d, Std: 1}}
	for _, c := range []task.Class{
		&task.Mixture{Components: comps, Weights: w},
		&task.Noisy{Class: &task.Mixture{Components: comps, Weights: w}, Sigma: 0.1},
	} {
		bt := (&Sampler{Class: c, Setting: Setting{YScale: 2}}).Batch(b, 1, 5)
		if len(bt.Class) != b {
			t.Fatalf("%s: Class has %d entries, want %d", c.Name(), len(bt.Class), b)
		}
		counts := make([]int, len(w))
		for p, k := range bt.Class {
			counts[k]++
			if want := 4 * comps[k].Scale(); bt.Scale[p] != want {
				t.Fatalf("prompt %d (component %d): Scale %g, want %g", p, k, bt.Scale[p], want)
			}
		}
		for k, cnt := range counts {
			sd := math.Sqrt(b * w[k] * (1 - w[k]))
			if math.Abs(float64(cnt)-b*w[k]) > 5*sd {
				t.Errorf("%s: component %d drawn %d times, want %g +- %.0f", c.Name(), k, cnt, b*w[k], 5*sd)
			}
		}
	}
	bt := (&Sampler{Class: comps[0]}).Batch(3, 2, 1)
	if bt.Class != nil {
		t.Errorf("non-mixture class: Class = %v, want nil", bt.Class)
	}
}

// TestLabels checks y = YScale f(x) + noise with a class whose function is
// known, for label scaling, noise (class, setting and per-component) and the
// curriculum's active dimensions.
func TestLabels(t *testing.T) {
	const d, b, n = 4, 1000, 20
	c1, f1 := known(&task.DenseLinear{D: d, Std: 1})
	c2 := &task.Pool{Base: &task.Quadratic{D: d, Std: 1}, M: 1, Seed: 3}
	f2 := c2.Funcs()[0]
	// residual variance: E (y - ys f(x))^2 per component, and Scale factor.
	cases := []struct {
		name   string
		s      Sampler
		sigma  []float64 // per mixture component (one entry if not a mixture)
		fs     []task.Func
		yscale float64
	}{
		{"plain", Sampler{Class: c1}, []float64{0}, []task.Func{f1}, 1},
		{"y scale", Sampler{Class: c1, Setting: Setting{YScale: 2.5}}, []float64{0}, []task.Func{f1}, 2.5},
		{"noisy class + setting noise", Sampler{Class: &task.Noisy{Class: c1, Sigma: 0.5}, Setting: Setting{Noise: 1.2}},
			[]float64{1.3}, []task.Func{f1}, 1},
		{"active dims 2", Sampler{Class: c2, ActiveDims: 2}, []float64{0}, []task.Func{f2}, 1},
		{"per-component noise", Sampler{Class: &task.Mixture{
			Components: []task.Class{&task.Noisy{Class: c1, Sigma: 0.7}, c2}, Weights: []float64{0.5, 0.5}}},
			[]float64{0.7, 0}, []task.Func{f1, f2}, 1},
	}
	for _, tc := range cases {
		bt := tc.s.Batch(b, n, 8)
		act := tc.s.ActiveDims
		if act == 0 {
			act = d
		}
		ss := make([]float64, len(tc.sigma))
		cnt := make([]float64, len(tc.sigma))
		for p := 0; p < b; p++ {
			k := 0
			if bt.Class != nil {
				k = bt.Class[p]
			}
			for i := 0; i < n; i++ {
				x := bt.X(p, i)
				for j := act; j < d; j++ {
					if x[j] != 0 {
						t.Fatalf("%s: inactive coordinate %d = %g", tc.name, j, x[j])
					}
				}
				r := bt.Ys[p*n+i] - tc.yscale*tc.fs[k].Eval(x)
				ss[k] += r * r
				cnt[k]++
			}
		}
		for k, s := range tc.sigma {
			v := ss[k] / cnt[k]
			if s == 0 {
				if v != 0 {
					t.Errorf("%s: component %d: noiseless labels off by mean square %g", tc.name, k, v)
				}
				continue
			}
			// The mean of m squared N(0, s^2) draws has sd s^2 sqrt(2/m).
			if tol := 5 * s * s * math.Sqrt(2/cnt[k]); math.Abs(v-s*s) > tol {
				t.Errorf("%s: component %d: noise variance %.4f, want %.4f +- %.4f", tc.name, k, v, s*s, tol)
			}
		}
	}
}

func TestSettingValidate(t *testing.T) {
	cases := []struct {
		st   Setting
		d    int
		want []string
	}{
		{Setting{Input: "uniform"}, 4, []string{`prompt.input: "uniform" unknown; allowed: gaussian, skewed, half_subspace`}},
		{Setting{Query: "last"}, 4, []string{`prompt.query: "last" unknown; allowed: normal, orthant, orthogonal, repeat`}},
		{Setting{Input: InputSkewed, Basis: "diagonal"}, 4, []string{`prompt.basis: "diagonal" unknown; allowed: random, axis`}},
		{Setting{Noise: -1, XScale: -2}, 4, []string{"prompt.x_scale: -2 must be >= 0 and finite (0 means 1)",
			"prompt.noise: -1 must be >= 0 and finite"}},
		{Setting{SkewPower: 2}, 4, []string{"prompt.skew_power: set, but input is gaussian; it applies to input skewed only"}},
		{Setting{BasisSeed: 3}, 4, []string{"prompt.basis: set, but input is gaussian; basis and basis_seed apply to skewed and half_subspace"}},
		{Setting{Input: InputHalfSubspace}, 1, []string{"prompt.input: half_subspace needs d >= 2, have d = 1"}},
	}
	for _, tc := range cases {
		err := tc.st.Validate(tc.d)
		if err == nil {
			t.Errorf("%+v: no error", tc.st)
			continue
		}
		if got := strings.Split(err.Error(), "\n"); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%+v:\n got %q\nwant %q", tc.st, got, tc.want)
		}
	}
	s := Sampler{Class: &task.DenseLinear{D: 3, Std: 1}, ActiveDims: 4}
	if err := s.Validate(); err == nil || err.Error() != "prompt.active_dims: 4; allowed 1..3 (0 means 3)" {
		t.Errorf("active dims: %v", err)
	}
	var st Setting
	err := config.Decode(strings.NewReader("input: skewed\nqury: orthogonal\n"), &st)
	if err == nil || !strings.Contains(err.Error(), "line 2: qury: unknown field; allowed: basis, basis_seed, input, noise, query, skew_power, x_scale, y_scale") {
		t.Errorf("strict decode: %v", err)
	}
	if err := config.Decode(strings.NewReader("input: skewed\nquery: orthogonal\nx_scale: 2\n"), &st); err != nil ||
		st != (Setting{Input: InputSkewed, Query: QueryOrthogonal, XScale: 2}) {
		t.Errorf("decode: %+v, %v", st, err)
	}
}

func TestQueryPrompt(t *testing.T) {
	const d, n = 2, 4
	bt := (&Sampler{Class: &task.DenseLinear{D: d, Std: 1}, Setting: Setting{Query: QueryRepeat}}).Batch(2, n, 1)
	xs, ys := make([]float64, n*d), make([]float64, n)
	if !bt.QueryPrompt(xs, ys, 1, 2) {
		t.Fatal("no query at position 2")
	}
	px, py := bt.Prompt(1)
	q, qy := bt.Query(1, 2)
	want := append(append([]float64{}, px[:2*d]...), q...)
	sameBits(t, "xs", xs[:3*d], want)
	sameBits(t, "ys", ys[:3], []float64{py[0], py[1], qy})
	plain := NewBatch(1, n, d)
	if !plain.QueryPrompt(xs, ys, 0, n-1) || plain.QueryPrompt(xs, ys, 0, n) {
		t.Error("plain batch: QueryPrompt range")
	}
}
