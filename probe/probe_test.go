package probe

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"icl/rng"
)

// stream returns the test's random stream number i.
func stream(i uint64) *rand.Rand { return rng.New(i, rng.Name("probe test")) }

// gaussianSet returns n rows of p features, feature j drawn N(offset[j],
// scale[j]^2) (offset and scale nil: N(0, 1)), with Y zero.
func gaussianSet(r *rand.Rand, n, p int, offset, scale []float64) Set {
	s := Set{X: make([]float64, n*p), Y: make([]float64, n), N: n, P: p}
	for i := range s.X {
		v := r.NormFloat64()
		if scale != nil {
			v = offset[i%p] + scale[i%p]*v
		}
		s.X[i] = v
	}
	return s
}

// popStd returns the population standard deviation of each column of s.
func popStd(s Set) []float64 {
	sd := make([]float64, s.P)
	for j := range s.P {
		m := 0.0
		for i := range s.N {
			m += s.X[i*s.P+j]
		}
		m /= float64(s.N)
		for i := range s.N {
			sd[j] += (s.X[i*s.P+j] - m) * (s.X[i*s.P+j] - m)
		}
		sd[j] = math.Sqrt(sd[j] / float64(s.N))
	}
	return sd
}

// objective is the penalised logistic objective of raw coefficients (w, b)
// written from the package doc alone: the penalty on the standardised
// weights s_j w_j.
func objective(s Set, sd, w []float64, b, lambda float64) float64 {
	f := 0.0
	for i := range s.N {
		eta := b
		for j := range s.P {
			eta += w[j] * s.X[i*s.P+j]
		}
		f += math.Log1p(math.Exp(-math.Abs(eta))) + max(eta, 0) - s.Y[i]*eta
	}
	pen := 0.0
	for j := range w {
		pen += sd[j] * sd[j] * w[j] * w[j]
	}
	return f/float64(s.N) + lambda/2*pen
}

// gradient is objective's analytic gradient: (d/dw (P), d/db).
func gradient(s Set, sd, w []float64, b, lambda float64) ([]float64, float64) {
	gw := make([]float64, s.P)
	gb := 0.0
	for i := range s.N {
		eta := b
		for j := range s.P {
			eta += w[j] * s.X[i*s.P+j]
		}
		r := 1/(1+math.Exp(-eta)) - s.Y[i]
		gb += r
		for j := range s.P {
			gw[j] += r * s.X[i*s.P+j]
		}
	}
	for j := range gw {
		gw[j] = gw[j]/float64(s.N) + lambda*sd[j]*sd[j]*w[j]
	}
	return gw, gb / float64(s.N)
}

// noisyLabels sets s.Y to Bernoulli(sigmoid(x.u + c)) draws.
func noisyLabels(r *rand.Rand, s Set, u []float64, c float64) {
	for i := range s.N {
		eta := c
		for j := range s.P {
			eta += u[j] * s.X[i*s.P+j]
		}
		s.Y[i] = 0
		if r.Float64() < 1/(1+math.Exp(-eta)) {
			s.Y[i] = 1
		}
	}
}

// At a logistic fit the gradient of the objective in standardised
// coordinates (computed here, and checked against central finite
// differences of the objective) is zero: every entry below 1e-7, whatever
// the features' scales and offsets.
func TestLogisticStationary(t *testing.T) {
	r := stream(1)
	offset := []float64{0, 3, -20, 0.01, 100}
	scale := []float64{1, 1e-3, 50, 1e2, 0.5}
	s := gaussianSet(r, 300, 5, offset, scale)
	u := []float64{1, 800, 0.02, -0.005, 1.5} // on standardised features (1, 0.8, 1, -0.5, 0.75)
	c := 0.3
	for j := range u {
		c -= u[j] * offset[j]
	}
	noisyLabels(r, s, u, c)
	// z: the features standardised here, so that the objective of the
	// package doc is objective(z, ones, ...).
	sd := popStd(s)
	z := Set{X: slices.Clone(s.X), Y: s.Y, N: s.N, P: s.P}
	ones := make([]float64, s.P)
	mean := make([]float64, s.P)
	for j := range s.P {
		ones[j] = 1
		for i := range s.N {
			mean[j] += s.X[i*s.P+j] / float64(s.N)
		}
		for i := range s.N {
			z.X[i*s.P+j] = (s.X[i*s.P+j] - mean[j]) / sd[j]
		}
	}
	for _, lambda := range []float64{0, 1e-3, 0.1, 3} {
		m, err := FitLogistic(s, lambda, Options{})
		if err != nil {
			t.Fatalf("lambda %g: %v", lambda, err)
		}
		// Coef's raw coefficients in the standardised coordinates.
		w, b := m.Coef()
		for j := range w {
			b += w[j] * mean[j]
			w[j] *= sd[j]
		}
		gw, gb := gradient(z, ones, w, b, lambda)
		for j, g := range append(gw, gb) {
			if math.Abs(g) > 1e-7 {
				t.Errorf("lambda %g: gradient entry %d (the last: the intercept's) = %g", lambda, j, g)
			}
		}
		// The analytic gradient is the objective's: central differences,
		// step 1e-4 (the error is O(h^2)), at the fit and away from it.
		away := slices.Clone(w)
		for j := range away {
			away[j] += 0.3
		}
		for _, at := range []struct {
			w []float64
			b float64
		}{{w, b}, {away, b - 0.4}} {
			gw, gb := gradient(z, ones, at.w, at.b, lambda)
			const h = 1e-4
			fd := (objective(z, ones, at.w, at.b+h, lambda) - objective(z, ones, at.w, at.b-h, lambda)) / (2 * h)
			if math.Abs(fd-gb) > 1e-8 {
				t.Errorf("lambda %g: d/db %g, finite difference %g", lambda, gb, fd)
			}
			for j := range at.w {
				wp, wm := slices.Clone(at.w), slices.Clone(at.w)
				wp[j] += h
				wm[j] -= h
				fd := (objective(z, ones, wp, at.b, lambda) - objective(z, ones, wm, at.b, lambda)) / (2 * h)
				if math.Abs(fd-gw[j]) > 1e-8 {
					t.Errorf("lambda %g: d/dw_%d %g, finite difference %g", lambda, j, gw[j], fd)
				}
			}
		}
	}
}

// In one dimension a brute-force search of the (b, w) plane, on a grid
// zoomed in around its best point, finds the fit's coefficients and
// objective, on overlapping classes (where lambda = 0 has a minimum too).
func TestLogistic1DGridSearch(t *testing.T) {
	r := stream(2)
	s := gaussianSet(r, 40, 1, []float64{5}, []float64{3})
	for i := range s.N {
		if s.X[i]+1.5*r.NormFloat64() > 5 {
			s.Y[i] = 1
		}
	}
	sd := popStd(s)
	for _, lambda := range []float64{0, 0.05, 1} {
		m, err := FitLogistic(s, lambda, Options{})
		if err != nil {
			t.Fatal(err)
		}
		w, b := m.Coef()
		// Search b in [-30, 30], w in [-10, 10]; then ever finer grids of
		// 41 x 41 points around the best so far, each half as wide as the
		// last grid's span would allow (4 spacings either way).
		bw, bb := 0.0, 0.0
		best := objective(s, sd, []float64{0}, 0, lambda)
		hb, hw := 30.0, 10.0
		for range 40 {
			cb, cw := bb, bw
			for ib := -20; ib <= 20; ib++ {
				for iw := -20; iw <= 20; iw++ {
					gb, gw := cb+hb*float64(ib)/20, cw+hw*float64(iw)/20
					if f := objective(s, sd, []float64{gw}, gb, lambda); f < best {
						best, bb, bw = f, gb, gw
					}
				}
			}
			hb, hw = hb/5, hw/5
			if hb < 1e-9 {
				break
			}
		}
		fit := objective(s, sd, w, b, lambda)
		if fit > best+1e-12 || math.Abs(w[0]-bw) > 1e-5 || math.Abs(b-bb) > 1e-4 {
			t.Errorf("lambda %g: fit w = %.8g, b = %.8g (objective %.12g); grid search w = %.8g, b = %.8g (%.12g)",
				lambda, w[0], b, fit, bw, bb, best)
		}
	}
}

// FitRidge solves the normal equations of the penalised least squares in
// the features' own units, here solved by LU on the augmented design:
// (A^T A / n + lambda diag(0, s_j^2)) (b, w) = A^T y / n.
func TestRidgeNormalEquations(t *testing.T) {
	r := stream(3)
	const n, p = 50, 4
	s := gaussianSet(r, n, p, []float64{1, -7, 0, 1e3}, []float64{2, 0.01, 30, 5})
	for i := range n {
		x := s.X[i*p : (i+1)*p]
		s.Y[i] = 3 + 0.5*x[0] - 40*x[1] + 0.02*x[2] + 0.1*x[3] + r.NormFloat64()
	}
	sd := popStd(s)
	a := mat.NewDense(n, p+1, nil)
	for i := range n {
		a.Set(i, 0, 1)
		for j := range p {
			a.Set(i, j+1, s.X[i*p+j])
		}
	}
	for _, lambda := range []float64{0, 0.01, 1, 100} {
		var lhs mat.Dense
		lhs.Mul(a.T(), a)
		lhs.Scale(1/float64(n), &lhs)
		for j := range p {
			lhs.Set(j+1, j+1, lhs.At(j+1, j+1)+lambda*sd[j]*sd[j])
		}
		var rhs, beta mat.VecDense
		rhs.MulVec(a.T(), mat.NewVecDense(n, s.Y))
		rhs.ScaleVec(1/float64(n), &rhs)
		if err := beta.SolveVec(&lhs, &rhs); err != nil {
			t.Fatal(err)
		}
		m, err := FitRidge(s, lambda)
		if err != nil {
			t.Fatal(err)
		}
		w, b := m.Coef()
		if d := math.Abs(b - beta.AtVec(0)); d > 1e-8*(1+math.Abs(b)) {
			t.Errorf("lambda %g: intercept %.12g, normal equations %.12g", lambda, b, beta.AtVec(0))
		}
		for j := range p {
			if d := math.Abs(w[j] - beta.AtVec(j+1)); d > 1e-8*(1+math.Abs(w[j])) {
				t.Errorf("lambda %g: w_%d = %.12g, normal equations %.12g", lambda, j, w[j], beta.AtVec(j+1))
			}
		}
		// Predict is b + w.x.
		pred := make([]float64, n)
		m.Predict(pred, s.X)
		for i := range n {
			want := b
			for j := range p {
				want += w[j] * s.X[i*p+j]
			}
			if math.Abs(pred[i]-want) > 1e-9*(1+math.Abs(want)) {
				t.Fatalf("lambda %g: Predict row %d = %g, b + w.x = %g", lambda, i, pred[i], want)
			}
		}
	}
}

// label sets s.Y to 1 where x.u > 0, with u drawn uniformly on the sphere;
// the features beyond the direction are noise.
func label(r *rand.Rand, s Set) {
	u := make([]float64, s.P)
	for j := range u {
		u[j] = r.NormFloat64()
	}
	for i := range s.N {
		dot := 0.0
		for j := range s.P {
			dot += u[j] * s.X[i*s.P+j]
		}
		s.Y[i] = 0
		if dot > 0 {
			s.Y[i] = 1
		}
	}
}

// halves splits s into its first nFit rows and the rest.
func halves(s Set, nFit int) (fit, test Set) {
	return Set{X: s.X[:nFit*s.P], Y: s.Y[:nFit], N: nFit, P: s.P},
		Set{X: s.X[nFit*s.P:], Y: s.Y[nFit:], N: s.N - nFit, P: s.P}
}

// A stream that encodes the label linearly is probed at about 100%
// held-out accuracy, whatever the features' scale; a label independent of
// the features at 50% within 4 binomial standard deviations.
func TestLogisticSignalAndNoise(t *testing.T) {
	const nFit, nTest, p = 1000, 2000, 16
	for k, c := range []struct {
		scale  float64
		folds  *rand.Rand
		signal bool
	}{
		{1, nil, true}, {1e-3, nil, true}, {1e4, stream(40), true},
		{1, nil, false}, {1, stream(41), false}, {1e3, nil, false},
	} {
		r := stream(uint64(100 + k)) // each case its own data
		s := gaussianSet(r, nFit+nTest, p, nil, nil)
		label(r, s)
		if !c.signal { // labels that know nothing of the features
			for i := range s.Y {
				s.Y[i] = float64(r.IntN(2))
			}
		}
		for i := range s.X {
			s.X[i] *= c.scale
		}
		fit, test := halves(s, nFit)
		res, err := Logistic(fit, test, Options{Rand: c.folds})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.CV) != len(DefaultLambdas) || res.Model.Lambda != res.Lambda {
			t.Fatalf("result %+v", res)
		}
		sdev := math.Sqrt(0.25 / nTest)
		switch {
		case c.signal && res.Score < 0.97:
			t.Errorf("scale %g: linearly encoded label probed at accuracy %.4f, want >= 0.97 (lambda %g, CV %v)", c.scale, res.Score, res.Lambda, res.CV)
		case !c.signal && math.Abs(res.Score-0.5) > 4*sdev:
			t.Errorf("scale %g: noise probed at accuracy %.4f, want 0.5 +- %.4f (lambda %g)", c.scale, res.Score, 4*sdev, res.Lambda)
		}
		t.Logf("signal %v, scale %g: accuracy %.4f at lambda %g", c.signal, c.scale, res.Score, res.Lambda)
	}
}

// A linear target with noise, y = x.beta + sigma e with x ~ N(0, I), has
// population R^2 = |beta|^2 / (|beta|^2 + sigma^2): the probe's held-out R^2
// is within 0.04 of it (sampling sd about 0.015 at 4000 rows); features
// without the signal give R^2 about 0.
func TestLinearPopulationR2(t *testing.T) {
	const nFit, nTest, p = 2000, 4000, 8
	r := stream(6)
	s := gaussianSet(r, nFit+nTest, p, nil, nil)
	beta := []float64{0.5, -0.5, 0.5, 0.5, 0, 0, 0, 0} // |beta|^2 = 1
	const sigma = 1.0
	for i := range s.N {
		y := sigma * r.NormFloat64()
		for j := range p {
			y += beta[j] * s.X[i*p+j]
		}
		s.Y[i] = 7 + y
	}
	fit, test := halves(s, nFit)
	res, err := Linear(fit, test, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := 0.5; math.Abs(res.Score-want) > 0.04 {
		t.Errorf("R^2 %.4f, population %.2f (lambda %g)", res.Score, want, res.Lambda)
	}
	// The last four features only: R^2 about 0 (a little below).
	noise := func(s Set) Set {
		o := Set{Y: s.Y, N: s.N, P: 4}
		for i := range s.N {
			o.X = append(o.X, s.X[i*p+4:(i+1)*p]...)
		}
		return o
	}
	res, err = Linear(noise(fit), noise(test), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Score) > 0.01 {
		t.Errorf("R^2 of the noise features %.4f, want about 0", res.Score)
	}
}

// The refit after cross-validation is FitRidge's at the chosen lambda, the
// score R2's, and the CV losses those of fits on the folds, computed here
// by hand.
func TestLinearCrossValidation(t *testing.T) {
	r := stream(7)
	const n, p, k = 60, 3, 4
	s := gaussianSet(r, n, p, nil, nil)
	for i := range n {
		s.Y[i] = s.X[i*p] - 2*s.X[i*p+2] + 2*r.NormFloat64()
	}
	fit, test := halves(s, 40)
	lambdas := []float64{10, 0.01, 1, 0.1}
	res, err := Linear(fit, test, Options{Lambdas: lambdas, Folds: k})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Lambdas, []float64{0.01, 0.1, 1, 10}) {
		t.Fatalf("grid %v", res.Lambdas)
	}
	for i, l := range res.Lambdas {
		sse := 0.0
		for f := range k {
			var tr, ho Set
			tr.P, ho.P = p, p
			for row := range fit.N {
				dst := &tr
				if row%k == f { // folds in index order
					dst = &ho
				}
				dst.X = append(dst.X, fit.X[row*p:(row+1)*p]...)
				dst.Y = append(dst.Y, fit.Y[row])
				dst.N++
			}
			m, err := FitRidge(tr, l)
			if err != nil {
				t.Fatal(err)
			}
			pred := make([]float64, ho.N)
			m.Predict(pred, ho.X)
			for j := range pred {
				sse += (ho.Y[j] - pred[j]) * (ho.Y[j] - pred[j])
			}
		}
		if want := sse / float64(fit.N); math.Abs(res.CV[i]-want) > 1e-12*want {
			t.Errorf("lambda %g: CV %.15g, by hand %.15g", l, res.CV[i], want)
		}
		if res.CV[i] < res.CV[slices.Index(res.Lambdas, res.Lambda)] {
			t.Errorf("lambda %g has CV %g below the chosen lambda %g's", l, res.CV[i], res.Lambda)
		}
	}
	m, err := FitRidge(fit, res.Lambda)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.W, res.Model.W) || m.B != res.Model.B {
		t.Errorf("refit %v %g, FitRidge %v %g", res.Model.W, res.Model.B, m.W, m.B)
	}
	pred := make([]float64, test.N)
	m.Predict(pred, test.X)
	if r2 := R2(test.Y, pred); r2 != res.Score {
		t.Errorf("score %g, R2 %g", res.Score, r2)
	}
}

// Folds deals rows in turn: in index order without a stream, reproducibly
// with one; stratified, each fold holds each class within one row of the
// others.
func TestFolds(t *testing.T) {
	y := make([]float64, 23)
	for i := range y {
		if i%3 == 0 {
			y[i] = 1
		}
	}
	f := Folds(y, 5, false, nil)
	for i, v := range f {
		if v != i%5 {
			t.Fatalf("unshuffled folds %v", f)
		}
	}
	a, b, c := Folds(y, 5, true, stream(8)), Folds(y, 5, true, stream(8)), Folds(y, 5, true, stream(9))
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Errorf("folds from one seed %v and %v, another %v", a, b, c)
	}
	for _, f := range [][]int{a, c, Folds(y, 5, true, nil)} {
		var count [2][5]int
		for i, v := range f {
			count[int(y[i])][v]++
		}
		for cl := range 2 {
			if slices.Max(count[cl][:])-slices.Min(count[cl][:]) > 1 {
				t.Errorf("class %d per fold: %v", cl, count[cl])
			}
		}
	}
}

func TestErrors(t *testing.T) {
	r := stream(10)
	good := gaussianSet(r, 20, 2, nil, nil)
	label(r, good)
	for i := range 4 { // overlap: not separable
		good.Y[i] = 1 - good.Y[i]
	}
	nan := gaussianSet(r, 20, 2, nil, nil)
	copy(nan.Y, good.Y)
	nan.X[7] = math.NaN()
	oneClass := Set{X: good.X, Y: make([]float64, 20), N: 20, P: 2}
	twos := Set{X: good.X, Y: slices.Clone(good.Y), N: 20, P: 2}
	twos.Y[3] = 2
	short := Set{X: good.X[:39], Y: good.Y, N: 20, P: 2}
	wide := gaussianSet(r, 20, 3, nil, nil)
	label(r, wide)
	var inErr *InputError
	for _, c := range []struct {
		name      string
		fit, test Set
		o         Options
	}{
		{"NaN", nan, good, Options{}},
		{"NaN held out", good, nan, Options{}},
		{"shape", short, good, Options{}},
		{"label 2", twos, good, Options{}},
		{"one class", oneClass, good, Options{}},
		{"P differs", good, wide, Options{}},
		{"more folds than rows", good, good, Options{Folds: 21}},
		{"one fold", good, good, Options{Folds: 1}},
		{"negative lambda", good, good, Options{Lambdas: []float64{-1}}},
		{"NaN lambda", good, good, Options{Lambdas: []float64{math.NaN()}}},
	} {
		if _, err := Logistic(c.fit, c.test, c.o); !errors.As(err, &inErr) {
			t.Errorf("%s: %v, want an *InputError", c.name, err)
		}
	}
	if _, err := FitLogistic(oneClass, 1, Options{}); !errors.As(err, &inErr) {
		t.Errorf("FitLogistic, one class: %v, want an *InputError", err)
	}
	if _, err := FitLogistic(good, 1, Options{MaxIter: -1}); !errors.As(err, &inErr) {
		t.Errorf("FitLogistic, MaxIter -1: %v, want an *InputError", err)
	}
	var nc *NotConvergedError
	if _, err := Logistic(good, good, Options{MaxIter: 1}); !errors.As(err, &nc) || nc.Iter != 1 {
		t.Errorf("MaxIter 1: %v, want a *NotConvergedError", err)
	}
	// lambda = 0 on separable labels has no minimum.
	sep := gaussianSet(r, 30, 2, nil, nil)
	label(r, sep)
	if _, err := FitLogistic(sep, 0, Options{}); !errors.As(err, &nc) {
		t.Errorf("lambda 0, separable: %v, want a *NotConvergedError", err)
	}
	// A repeated column at lambda = 0 is singular; any lambda > 0 solves it.
	dup := Set{Y: good.Y, N: 20, P: 3}
	for i := range 20 {
		dup.X = append(dup.X, good.X[2*i], good.X[2*i+1], good.X[2*i])
	}
	var se *SingularError
	if _, err := FitRidge(dup, 0); !errors.As(err, &se) {
		t.Errorf("ridge, repeated column, lambda 0: %v, want a *SingularError", err)
	}
	if _, err := FitRidge(dup, 1e-6); err != nil {
		t.Errorf("ridge, repeated column, lambda 1e-6: %v", err)
	}
	if _, err := Linear(good, Set{X: good.X, Y: make([]float64, 20), N: 20, P: 2}, Options{}); !errors.As(err, &inErr) {
		t.Errorf("constant held-out targets: %v, want an *InputError", err)
	}
}
