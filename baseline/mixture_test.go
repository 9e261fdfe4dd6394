package baseline

import (
	"math"
	"slices"
	"testing"

	"icl/rng"
	"icl/task"
)

// TestMixturePosterior draws prompts from each component of a mixture of dense
// and sparse linear classes (noisy, d = 8) and checks that the class posterior
// sums to 1, starts at the prior weights, and puts > 0.99 on the true class by
// the last position in at least 90% of prompts of each class; the mixture log
// evidence is the weighted log-sum-exp of the components'.
func TestMixturePosterior(t *testing.T) {
	d, n := 8, 25
	m := noisyDenseSparse(d, 2, 0.3)
	e, ok := Exact(m, DefaultJitter)
	if !ok {
		t.Fatal("Exact: no exact predictor for a mixture of linear classes")
	}
	bm := e.(*BayesMixture)
	b := makeBatch(m, 60, n, 17)
	k := 2
	pred, post := make([]float64, b.B*n), make([]float64, b.B*n*k)
	RunPosterior(pred, post, bm, b, 2)
	hits, counts := make([]int, k), make([]int, k)
	for q := 0; q < b.B; q++ {
		for i := 0; i < n; i++ {
			s := 0.0
			for c := 0; c < k; c++ {
				s += post[(q*n+i)*k+c]
			}
			if math.Abs(s-1) > 1e-12 {
				t.Fatalf("prompt %d i=%d: posterior sums to %g", q, i, s)
			}
		}
		for c := 0; c < k; c++ {
			if math.Abs(post[q*n*k+c]-m.Weights[c]) > 1e-12 {
				t.Fatalf("prompt %d: posterior at i=0 is %v, want the weights", q, post[q*n*k:q*n*k+k])
			}
		}
		cls := b.Class[q]
		counts[cls]++
		if post[(q*n+n-1)*k+cls] > 0.99 {
			hits[cls]++
		}
	}
	for c := 0; c < k; c++ {
		if counts[c] == 0 || float64(hits[c]) < 0.9*float64(counts[c]) {
			t.Errorf("class %d: posterior > 0.99 on the true class in %d of %d prompts", c, hits[c], counts[c])
		}
	}
	// Evidence and prediction composition on one prompt.
	xs, ys := b.Prompt(0)
	mp, mev := make([]float64, n), make([]float64, n)
	bm.PredictEvidence(mp, mev, xs, ys, n, d)
	cp, cev := [2][]float64{make([]float64, n), make([]float64, n)}, [2][]float64{make([]float64, n), make([]float64, n)}
	for c := 0; c < k; c++ {
		bm.Components[c].PredictEvidence(cp[c], cev[c], xs, ys, n, d)
	}
	for i := 0; i < n; i++ {
		l0, l1 := math.Log(0.3)+cev[0][i], math.Log(0.7)+cev[1][i]
		lz := logSumExp([]float64{l0, l1})
		want := math.Exp(l0-lz)*cp[0][i] + math.Exp(l1-lz)*cp[1][i]
		if relErr(mev[i], lz, 1) > 1e-12 || relErr(mp[i], want, 1e-3) > 1e-12 {
			t.Errorf("i=%d: mixture (%g, %g), recomputed (%g, %g)", i, mp[i], mev[i], want, lz)
		}
	}
}

// TestMixtureSingleComponent: a one-component mixture is its component.
func TestMixtureSingleComponent(t *testing.T) {
	d, n := 5, 12
	c := &task.SparseLinear{D: d, K: 2, Std: 1}
	e, _ := Exact(c, DefaultJitter)
	m, _ := Exact(&task.Mixture{Components: []task.Class{c}, Weights: []float64{1}}, DefaultJitter)
	b := makeBatch(c, 2, n, 1)
	for q := 0; q < b.B; q++ {
		xs, ys := b.Prompt(q)
		p1, p2 := make([]float64, n), make([]float64, n)
		e.Predict(p1, xs, ys, n, d)
		m.Predict(p2, xs, ys, n, d)
		if !slices.Equal(p1, p2) {
			t.Errorf("prompt %d: mixture %v, component %v", q, p2, p1)
		}
	}
}

// TestMonteCarloApproachesExact compares the Monte Carlo predictor with the
// exact posterior mean on a noisy dense linear class (d = 2, sigma = 0.5, up to
// 9 context points). Expected Monte Carlo error: the posterior std of w is about
// sigma/sqrt(9) = 0.17 per coordinate against a prior std of 1, so the effective
// sample size is about M * 0.17^2 (600 at M = 20000) and the error about
// 0.3/sqrt(600) = 0.012. The test asks for an rms error under 0.02 at M = 20000
// and for the error to shrink with M (M = 200, another seed, at least 3x worse
// against an expected 10x).
func TestMonteCarloApproachesExact(t *testing.T) {
	d, n := 2, 10
	c := &task.Noisy{Class: &task.DenseLinear{D: d, Std: 1}, Sigma: 0.5}
	b := makeBatch(c, 8, n, 6)
	exact := make([]float64, b.B*n)
	e, _ := Exact(c, DefaultJitter)
	Run(exact, e, b, 2)
	rms := func(m int, seed uint64) (maxErr, rmsErr float64) {
		mc := make([]float64, b.B*n)
		Run(mc, &MonteCarlo{Class: c, M: m, Seed: seed}, b, 2)
		s := 0.0
		for i := range mc {
			e := math.Abs(mc[i] - exact[i])
			maxErr = math.Max(maxErr, e)
			s += e * e
		}
		return maxErr, math.Sqrt(s / float64(len(mc)))
	}
	maxBig, rmsBig := rms(20000, 1)
	_, rmsSmall := rms(200, 2)
	t.Logf("MC vs exact: M=20000 max %.4f rms %.4f; M=200 rms %.4f", maxBig, rmsBig, rmsSmall)
	if rmsBig > 0.02 {
		t.Errorf("M=20000: rms |MC - exact| = %g > 0.02", rmsBig)
	}
	if rmsSmall < 3*rmsBig {
		t.Errorf("M=200 rms %g is not at least 3x the M=20000 rms %g", rmsSmall, rmsBig)
	}
}

// TestRunDeterministic checks that Run gives the same bits for 1 and 3 workers,
// and that MonteCarlo labels its stream with the prompt index.
func TestRunDeterministic(t *testing.T) {
	c := &task.Sinusoid{D: 1, A: 1, OmegaLo: 0.5, OmegaHi: 2}
	b := makeBatch(c, 7, 9, 4)
	ps, err := ForClass(c, Options{KNN: 3, RidgeLambdas: []float64{0.1}, LassoAlphas: []float64{0.01, 0.1},
		Jitter: DefaultJitter, MCSamples: 500, MCSeed: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		a, z := make([]float64, b.B*b.N), make([]float64, b.B*b.N)
		Run(a, p, b, 1)
		Run(z, p, b, 3)
		if !slices.Equal(a, z) {
			t.Errorf("%s: 1 and 3 workers differ", p.Name())
		}
	}
	mc := ps[len(ps)-1].(*MonteCarlo)
	all := make([]float64, b.B*b.N)
	Run(all, mc, b, 2)
	xs, ys := b.Prompt(3)
	one := make([]float64, b.N)
	mc.PredictIndex(one, xs, ys, b.N, b.D, 3)
	if !slices.Equal(one, all[3*b.N:4*b.N]) {
		t.Error("MonteCarlo: Run's prompt 3 differs from PredictIndex(..., 3)")
	}
}

func TestForClassSuites(t *testing.T) {
	d := 4
	dense := &task.DenseLinear{D: d, Std: 1}
	sparse := &task.SparseLinear{D: d, K: 2, Std: 1}
	sin := &task.Sinusoid{D: d, A: 1, OmegaLo: 1, OmegaHi: 2}
	common := []string{"zero", "averaging", "knn_k=3", "least_squares", "ridge_lambda=0.1", "ridge_lambda=1",
		"lasso_alpha=0.001", "lasso_alpha=0.01", "lasso_alpha=0.1", "lasso_best_in_hindsight"}
	cases := []struct {
		c    task.Class
		last string
	}{
		{dense, "bayes_dense"},
		{&task.Noisy{Class: dense, Sigma: 0.5}, "bayes_dense"},
		{sparse, "bayes_sparse_k=2"},
		{&task.Mixture{Components: []task.Class{dense, sparse}, Weights: []float64{0.5, 0.5}}, "bayes_mixture"},
		{sin, "bayes_mc_m=20000"},
		{&task.Convex{Alpha: 0.5, G: dense, H: sin}, "bayes_mc_m=20000"},
		{&task.Mixture{Components: []task.Class{dense, sin}, Weights: []float64{0.5, 0.5}}, "bayes_mc_m=20000"},
	}
	for _, tc := range cases {
		ps, err := ForClass(tc.c, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range ps {
			names = append(names, p.Name())
		}
		if want := append(slices.Clone(common), tc.last); !slices.Equal(names, want) {
			t.Errorf("%s: suite %v, want %v", tc.c.Name(), names, want)
		}
	}
	bad := DefaultOptions()
	bad.LassoAlphas = []float64{0.1, -1}
	if _, err := ForClass(dense, bad); err == nil {
		t.Error("negative lasso alpha: no error")
	}
}

// TestNoisyExactUsesSigma: the noisy dense predictor's sigma is the class's.
func TestNoisyExactUsesSigma(t *testing.T) {
	e, _ := Exact(&task.Noisy{Class: &task.DenseLinear{D: 3, Std: 2}, Sigma: 0.5}, DefaultJitter)
	if bd := e.(BayesDense); bd.Tau != 2 || bd.Sigma != 0.5 {
		t.Errorf("got %+v, want Tau 2 Sigma 0.5", bd)
	}
	e, _ = Exact(&task.Noisy{Class: &task.Noisy{Class: &task.DenseLinear{D: 3, Std: 2}, Sigma: 0.3}, Sigma: 0.4}, DefaultJitter)
	if bd := e.(BayesDense); math.Abs(bd.Sigma-0.5) > 1e-15 {
		t.Errorf("nested noise 0.3 and 0.4: sigma %g, want 0.5", bd.Sigma)
	}
	e, _ = Exact(&task.DenseLinear{D: 3, Std: 2}, 1e-10)
	if bd := e.(BayesDense); bd.Sigma != 2e-5 {
		t.Errorf("noiseless: sigma %g, want sqrt(1e-10)*2", bd.Sigma)
	}
}

// TestMonteCarloPosteriorMatchesExact: on a mixture of noisy dense (sigma 0.5)
// and sparse (k = 1, sigma 0.8) linear classes in d = 2, the Monte Carlo class posterior and
// prediction approach the exact mixture's. With an effective sample size of
// several hundred (see TestMonteCarloApproachesExact) the expected errors are
// about 0.5/sqrt(600) = 0.02 for a probability and 0.012 for a prediction; the
// bounds are rms 0.03 and 0.02.
func TestMonteCarloPosteriorMatchesExact(t *testing.T) {
	d, n := 2, 10
	m := &task.Mixture{
		Components: []task.Class{
			&task.Noisy{Class: &task.DenseLinear{D: d, Std: 1}, Sigma: 0.5},
			&task.Noisy{Class: &task.SparseLinear{D: d, K: 1, Std: 1}, Sigma: 0.8},
		},
		Weights: []float64{0.4, 0.6},
	}
	b := makeBatch(m, 8, n, 13)
	e, _ := Exact(m, DefaultJitter)
	ep, epost := make([]float64, b.B*n), make([]float64, b.B*n*2)
	RunPosterior(ep, epost, e.(*BayesMixture), b, 2)
	// Sigma <= 0: each draw takes its component's noise, 0.5 or 0.8.
	mc := &MonteCarlo{Class: m, M: 20000, Seed: 3}
	mp, mpost := make([]float64, b.B*n), make([]float64, b.B*n*2)
	RunPosterior(mp, mpost, mc, b, 2)
	rms := func(a, z []float64) float64 {
		s := 0.0
		for i := range a {
			s += sq(a[i] - z[i])
		}
		return math.Sqrt(s / float64(len(a)))
	}
	rp, rpost := rms(mp, ep), rms(mpost, epost)
	t.Logf("MC vs exact mixture: prediction rms %.4f, posterior rms %.4f", rp, rpost)
	if rp > 0.02 || rpost > 0.03 {
		t.Errorf("prediction rms %g (bound 0.02), posterior rms %g (bound 0.03)", rp, rpost)
	}
	pred := make([]float64, b.B*n)
	Run(pred, mc, b, 2)
	if !slices.Equal(pred, mp) {
		t.Error("MonteCarlo: Run and RunPosterior predictions differ")
	}
}

// TestBayesPool: on a noiseless pool the posterior mean at i = 0 is the pool
// mean of f(x_0), and after a few points it is the drawn function's value
// (other members are ruled out); in a mixture with the dense class the class
// posterior goes to the pool for prompts drawn from it.
func TestBayesPool(t *testing.T) {
	d, n := 3, 8
	pool := &task.Pool{Base: &task.DenseLinear{D: d, Std: 1}, M: 5, Seed: 9}
	e, ok := Exact(pool, DefaultJitter)
	if !ok {
		t.Fatal("no exact predictor for a pool")
	}
	b := makeBatch(pool, 6, n, 2)
	for q := 0; q < b.B; q++ {
		xs, ys := b.Prompt(q)
		pred := make([]float64, n)
		e.Predict(pred, xs, ys, n, d)
		mean := 0.0
		for _, f := range pool.Funcs() {
			mean += f.Eval(xs[:d]) / 5
		}
		if math.Abs(pred[0]-mean) > 1e-12 {
			t.Errorf("prompt %d: i=0 prediction %g, pool mean %g", q, pred[0], mean)
		}
		for i := 2; i < n; i++ {
			if math.Abs(pred[i]-ys[i]) > 1e-9 {
				t.Errorf("prompt %d i=%d: %g, want the drawn function's %g", q, i, pred[i], ys[i])
			}
		}
	}
	m := &task.Mixture{Components: []task.Class{&task.DenseLinear{D: d, Std: 1}, pool}, Weights: []float64{0.5, 0.5}}
	me, _ := Exact(m, DefaultJitter)
	post := make([]float64, b.B*n*2)
	RunPosterior(make([]float64, b.B*n), post, me.(*BayesMixture), b, 2)
	for q := 0; q < b.B; q++ {
		if p := post[(q*n+n-1)*2+1]; p < 0.999 {
			t.Errorf("prompt %d: posterior on the pool %g at the last position", q, p)
		}
	}
}

// TestScaleWeighted checks ScaleWeighted's prior reweighting against the
// minimizer computed the other way, from the unweighted mixture's class
// posterior and each component's own prediction: sum_c p(c|D) m_c / s_c over
// sum_c p(c|D) / s_c. It also checks that the weighting changes the
// predictions, so the comparison is not between two copies of one predictor.
func TestScaleWeighted(t *testing.T) {
	d, n := 8, 17
	m := noisyDenseSparse(d, 1, 0.5)
	e, _ := Exact(m, DefaultJitter)
	bm := e.(*BayesMixture)
	scales := []float64{8, 1}
	sw := bm.ScaleWeighted(scales)
	if want := []float64{1.0 / 9, 8.0 / 9}; math.Abs(sw.Weights[0]-want[0]) > 1e-15 || math.Abs(sw.Weights[1]-want[1]) > 1e-15 {
		t.Fatalf("weights %v, want %v", sw.Weights, want)
	}
	b := makeBatch(m, 40, n, 5)
	got := make([]float64, b.B*n)
	Run(got, sw, b, 1)
	plain, post := make([]float64, b.B*n), make([]float64, b.B*n*2)
	RunPosterior(plain, post, bm, b, 1)
	means := [2][]float64{make([]float64, b.B*n), make([]float64, b.B*n)}
	for c := range means {
		Run(means[c], bm.Components[c], b, 1)
	}
	maxDiff, moved := 0.0, 0.0
	for k := range got {
		num, den := 0.0, 0.0
		for c := range 2 {
			num += post[2*k+c] * means[c][k] / scales[c]
			den += post[2*k+c] / scales[c]
		}
		maxDiff = math.Max(maxDiff, math.Abs(got[k]-num/den))
		moved = math.Max(moved, math.Abs(got[k]-plain[k]))
	}
	if maxDiff > 1e-9 {
		t.Errorf("ScaleWeighted differs from the posterior-weighted minimizer by up to %g", maxDiff)
	}
	if moved < 1e-3 {
		t.Errorf("ScaleWeighted's predictions equal the unweighted mixture's (max difference %g)", moved)
	}
}

// noisyDenseSparse is the mixture, weight w on dense, of dense and k-sparse
// linear functions in d dimensions with label noise 0.1.
func noisyDenseSparse(d, k int, w float64) *task.Mixture {
	return &task.Mixture{
		Components: []task.Class{
			&task.Noisy{Class: &task.DenseLinear{D: d, Std: 1}, Sigma: 0.1},
			&task.Noisy{Class: &task.SparseLinear{D: d, K: k, Std: 1}, Sigma: 0.1},
		},
		Weights: []float64{w, 1 - w},
	}
}

// posteriorNaive is MonteCarlo.PosteriorIndex written plainly, with an
// exponential for every draw: the reference the skipping of underflowed
// weights is held to, bit for bit.
func posteriorNaive(p *MonteCarlo, dst, post []float64, xs, ys []float64, n, d, index int) {
	r := rng.New(p.Seed, rng.LabelMC, uint64(index))
	mix, isMix := p.Class.(*task.Mixture)
	k := p.NumClasses()
	comp := make([]int, p.M)
	fx := make([]float64, p.M*n)
	inv2s2, logs := make([]float64, k), make([]float64, k)
	for c := 0; c < k; c++ {
		cl := p.Class
		if isMix {
			cl = mix.Components[c]
		}
		sg := p.LikelihoodSigma(cl)
		inv2s2[c], logs[c] = 1/(2*sg*sg), math.Log(sg)
	}
	for m := 0; m < p.M; m++ {
		var f task.Func
		if isMix {
			comp[m] = mix.Pick(r)
			f = mix.Components[comp[m]].Sample(r)
		} else {
			f = p.Class.Sample(r)
		}
		for i := 0; i < n; i++ {
			fx[m*n+i] = f.Eval(xs[i*d : (i+1)*d])
		}
	}
	ll := make([]float64, p.M)
	for i := 0; i < n; i++ {
		lmax := math.Inf(-1)
		for _, l := range ll {
			lmax = max(lmax, l)
		}
		num, den := 0.0, 0.0
		var pc []float64
		if post != nil {
			pc = post[i*k : (i+1)*k]
			clear(pc)
		}
		for m := 0; m < p.M; m++ {
			w := math.Exp(ll[m] - lmax)
			v := fx[m*n+i]
			num += w * v
			den += w
			if pc != nil {
				pc[comp[m]] += w
			}
			ll[m] -= (ys[i]-v)*(ys[i]-v)*inv2s2[comp[m]] + logs[comp[m]]
		}
		dst[i] = num / den
		for c := range pc {
			pc[c] /= den
		}
	}
}

// MonteCarlo gives the bits of the plain computation on sinusoids, a convex
// combination and a dense+sparse mixture, where many draws' weights
// underflow, at d = 3 and at the sinusoid experiments' d = 1 with a number
// of points that leaves a tail to the vector paths (vecmath), one class
// after another (its working memory is reused).
func TestMonteCarloSkipsUnderflowExactly(t *testing.T) {
	for _, dn := range [][2]int{{3, 12}, {1, 17}} {
		monteCarloExactly(t, dn[0], dn[1])
	}
}

func monteCarloExactly(t *testing.T, d, n int) {
	sin := &task.Sinusoid{D: d, OmegaLo: 0.5, OmegaHi: 2, A: 1}
	dense := &task.DenseLinear{D: d, Std: 1}
	classes := []task.Class{
		&task.Mixture{Weights: []float64{0.5, 0.5}, Components: []task.Class{dense, &task.SparseLinear{D: d, K: 1, Std: 1}}},
		sin,
		&task.Convex{Alpha: 0.3, G: dense, H: sin},
	}
	r := rng.New(9)
	for ci, c := range classes {
		p := &MonteCarlo{Class: c, M: 400, Seed: 3}
		for idx := 0; idx < 5; idx++ {
			f := c.Sample(r)
			xs := make([]float64, n*d)
			ys := make([]float64, n)
			for i := range xs {
				xs[i] = r.NormFloat64()
			}
			for i := 0; i < n; i++ {
				ys[i] = f.Eval(xs[i*d : (i+1)*d])
			}
			got, want := make([]float64, n), make([]float64, n)
			var pg, pw []float64
			if k := p.NumClasses(); k > 1 {
				pg, pw = make([]float64, n*k), make([]float64, n*k)
			}
			p.PosteriorIndex(got, pg, xs, ys, n, d, idx)
			posteriorNaive(p, want, pw, xs, ys, n, d, idx)
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("d %d, class %d prompt %d position %d: %v, plain computation %v", d, ci, idx, i, got[i], want[i])
				}
			}
			for i := range pg {
				if math.Float64bits(pg[i]) != math.Float64bits(pw[i]) {
					t.Fatalf("d %d, class %d prompt %d posterior %d: %v, plain computation %v", d, ci, idx, i, pg[i], pw[i])
				}
			}
		}
	}
}
