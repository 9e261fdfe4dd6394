package probe

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Set is N rows of P features with one target each.
type Set struct {
	X    []float64 // (N, P) features, row-major
	Y    []float64 // (N) targets: 0 or 1 for a logistic probe, any real for a linear one
	N, P int
}

// InputError reports data or options a probe cannot use.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return "probe: " + e.Msg }

func inputErrorf(format string, a ...any) error {
	return &InputError{fmt.Sprintf(format, a...)}
}

// NotConvergedError reports a logistic fit that reached its iteration cap
// with the largest entry of the gradient above the tolerance.
// With Separable, lambda is 0 and a Newton step found a hyperplane that
// separates the classes, so the objective has no minimum (its infimum is
// approached as |w| grows without bound).
type NotConvergedError struct {
	Lambda    float64
	Iter      int     // Newton steps taken
	Grad      float64 // the largest |gradient entry| at the end
	Tol       float64
	Separable bool
}

func (e *NotConvergedError) Error() string {
	if e.Separable {
		return fmt.Sprintf("probe: logistic fit at lambda 0 has no minimum: after %d Newton steps the classes are linearly separated (use lambda > 0)", e.Iter)
	}
	return fmt.Sprintf("probe: logistic fit at lambda %g not converged after %d Newton steps: max |gradient| %.3g > tol %.3g",
		e.Lambda, e.Iter, e.Grad, e.Tol)
}

// SingularError reports a penalised system that is not positive definite:
// lambda = 0 with collinear or constant features, or more features than rows.
type SingularError struct{ Lambda float64 }

func (e *SingularError) Error() string {
	return fmt.Sprintf("probe: the penalised system at lambda %g is singular (collinear or constant features, or more features than rows: use lambda > 0)", e.Lambda)
}

// validate checks s's shape and values; labels requires every target 0 or 1.
func (s Set) validate(what string, labels bool) error {
	if s.N < 1 || s.P < 1 {
		return inputErrorf("%s: N = %d rows, P = %d features: both must be >= 1", what, s.N, s.P)
	}
	if len(s.X) != s.N*s.P {
		return inputErrorf("%s: len(X) = %d, want N*P = %d*%d = %d", what, len(s.X), s.N, s.P, s.N*s.P)
	}
	if len(s.Y) != s.N {
		return inputErrorf("%s: len(Y) = %d, want N = %d", what, len(s.Y), s.N)
	}
	for k, v := range s.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return inputErrorf("%s: X[%d, %d] = %g is not finite", what, k/s.P, k%s.P, v)
		}
	}
	for i, v := range s.Y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return inputErrorf("%s: Y[%d] = %g is not finite", what, i, v)
		}
		if labels && v != 0 && v != 1 {
			return inputErrorf("%s: label Y[%d] = %g; a logistic probe's labels are 0 or 1", what, i, v)
		}
	}
	return nil
}

// Model is a fitted probe: a linear predictor eta = B + W.z of the
// standardised row z_j = (x_j - Mean[j]) / Std[j].
type Model struct {
	Logistic  bool      // a logistic probe: Predict gives P(y = 1 | x)
	Lambda    float64   // the penalty it was fitted with
	Mean, Std []float64 // (P) the fitting set's feature means and standard deviations (1 for a constant feature)
	W         []float64 // (P) the weights of the standardised features
	B         float64   // the intercept
	Iter      int       // Newton steps of a logistic fit; 0 for ridge
}

// Predict writes into dst (n) the prediction for each row of x (n, P): the
// linear predictor for a ridge probe, P(y = 1 | x) for a logistic one.
func (m *Model) Predict(dst, x []float64) {
	P := len(m.W)
	if len(x) != len(dst)*P {
		panic(fmt.Sprintf("probe: Predict: len(x) = %d, want len(dst)*P = %d*%d", len(x), len(dst), P))
	}
	for i := range dst {
		eta := m.eta(x[i*P : (i+1)*P])
		if m.Logistic {
			eta = sigmoid(eta)
		}
		dst[i] = eta
	}
}

// eta is the linear predictor of one row (P).
func (m *Model) eta(row []float64) float64 {
	eta := m.B
	for j, v := range row {
		eta += m.W[j] * (v - m.Mean[j]) / m.Std[j]
	}
	return eta
}

// Coef returns the weights (P) and the intercept in the features' own units:
// eta = b + w.x.
func (m *Model) Coef() (w []float64, b float64) {
	w = make([]float64, len(m.W))
	b = m.B
	for j := range w {
		w[j] = m.W[j] / m.Std[j]
		b -= w[j] * m.Mean[j]
	}
	return w, b
}

// Score returns m's score on s: the accuracy of a logistic probe (the
// fraction of rows whose label is 1 exactly where eta > 0), the R^2 of a
// ridge one (1 - SSE/SST, SST about the mean of s.Y). An R^2 of targets that
// are all equal is an *InputError.
func (m *Model) Score(s Set) (float64, error) {
	if err := s.validate("scored set", m.Logistic); err != nil {
		return 0, err
	}
	if s.P != len(m.W) {
		return 0, inputErrorf("scored set has P = %d features; the probe was fitted on %d", s.P, len(m.W))
	}
	if m.Logistic {
		right := 0
		for i := range s.N {
			if (m.eta(s.X[i*s.P:(i+1)*s.P]) > 0) == (s.Y[i] == 1) {
				right++
			}
		}
		return float64(right) / float64(s.N), nil
	}
	pred := make([]float64, s.N)
	m.Predict(pred, s.X)
	r2 := R2(s.Y, pred)
	if math.IsNaN(r2) {
		return 0, inputErrorf("scored set: all %d targets equal %g, so R^2 (SST = 0) is undefined", s.N, s.Y[0])
	}
	return r2, nil
}

// R2 returns 1 - SSE/SST of predictions pred of y, with SST the sum of
// squares of y about its own mean; NaN when SST = 0.
func R2(y, pred []float64) float64 {
	if len(y) != len(pred) {
		panic(fmt.Sprintf("probe: R2: len(y) = %d, len(pred) = %d", len(y), len(pred)))
	}
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	sse, sst := 0.0, 0.0
	for i, v := range y {
		sse += (v - pred[i]) * (v - pred[i])
		sst += (v - mean) * (v - mean)
	}
	if sst == 0 {
		return math.NaN()
	}
	return 1 - sse/sst
}

// design is a fitting set standardised: a (n, P+1) with a column of ones
// (the intercept) first, then the standardised features.
type design struct {
	a         *mat.Dense // (n, P+1)
	y         []float64  // (n)
	mean, std []float64  // (P)
	n, p      int
}

// standardise builds the design of s (validated).
func standardise(s Set) *design {
	n, p := s.N, s.P
	d := &design{y: s.Y, mean: make([]float64, p), std: make([]float64, p), n: n, p: p}
	for i := range n {
		for j, v := range s.X[i*p : (i+1)*p] {
			d.mean[j] += v
		}
	}
	for j := range d.mean {
		d.mean[j] /= float64(n)
	}
	for i := range n {
		for j, v := range s.X[i*p : (i+1)*p] {
			d.std[j] += (v - d.mean[j]) * (v - d.mean[j])
		}
	}
	for j := range d.std {
		d.std[j] = math.Sqrt(d.std[j] / float64(n))
		if d.std[j] == 0 {
			d.std[j] = 1
		}
	}
	a := make([]float64, n*(p+1))
	for i := range n {
		r := a[i*(p+1) : (i+1)*(p+1)]
		r[0] = 1
		for j, v := range s.X[i*p : (i+1)*p] {
			r[j+1] = (v - d.mean[j]) / d.std[j]
		}
	}
	d.a = mat.NewDense(n, p+1, a)
	return d
}

// model wraps coefficients theta = (b, w) of d as a Model.
func (d *design) model(theta []float64, lambda float64, logistic bool, iter int) *Model {
	return &Model{Logistic: logistic, Lambda: lambda, Mean: d.mean, Std: d.std,
		W: append([]float64(nil), theta[1:]...), B: theta[0], Iter: iter}
}

// solvePenalised solves (h + diag(0, lambda, ..., lambda)) x = g, h (P+1,
// P+1) symmetric, into x; h is overwritten.
func solvePenalised(x []float64, h *mat.SymDense, g []float64, lambda float64) error {
	for j := 1; j < len(g); j++ {
		h.SetSym(j, j, h.At(j, j)+lambda)
	}
	var ch mat.Cholesky
	if !ch.Factorize(h) {
		return &SingularError{Lambda: lambda}
	}
	if err := ch.SolveVecTo(mat.NewVecDense(len(x), x), mat.NewVecDense(len(g), g)); err != nil {
		return &SingularError{Lambda: lambda}
	}
	return nil
}

// gram returns a^T a / n (P+1, P+1) and a^T y / n (P+1).
func (d *design) gram() (*mat.SymDense, []float64) {
	h := mat.NewSymDense(d.p+1, nil)
	h.SymOuterK(1/float64(d.n), d.a.T())
	c := make([]float64, d.p+1)
	mat.NewVecDense(d.p+1, c).MulVec(d.a.T(), mat.NewVecDense(d.n, d.y))
	for j := range c {
		c[j] /= float64(d.n)
	}
	return h, c
}

// FitRidge fits a ridge probe to s at penalty lambda >= 0.
func FitRidge(s Set, lambda float64) (*Model, error) {
	if err := s.validate("fitting set", false); err != nil {
		return nil, err
	}
	if err := checkLambda(lambda); err != nil {
		return nil, err
	}
	d := standardise(s)
	h, c := d.gram()
	return d.ridge(h, c, lambda)
}

// ridge solves d's ridge problem at lambda from its gram (h, c), which it
// leaves unchanged.
func (d *design) ridge(h *mat.SymDense, c []float64, lambda float64) (*Model, error) {
	hl := mat.NewSymDense(d.p+1, nil)
	hl.CopySym(h)
	theta := make([]float64, d.p+1)
	if err := solvePenalised(theta, hl, c, lambda); err != nil {
		return nil, err
	}
	return d.model(theta, lambda, false, 0), nil
}

// FitLogistic fits a logistic probe to s (labels 0 and 1, both present) at
// penalty lambda >= 0, by Newton's method from zero with o's Tol and MaxIter
// (zero values: the defaults; its other fields are not used).
func FitLogistic(s Set, lambda float64, o Options) (*Model, error) {
	if err := s.validate("fitting set", true); err != nil {
		return nil, err
	}
	if err := checkLambda(lambda); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	ones := 0
	for _, y := range s.Y {
		ones += int(y)
	}
	if ones == 0 || ones == s.N {
		return nil, inputErrorf("fitting set: all %d labels are %g; a logistic probe needs both classes", s.N, s.Y[0])
	}
	d := standardise(s)
	theta := make([]float64, s.P+1)
	iter, err := d.newton(theta, lambda, o.Tol, o.MaxIter)
	if err != nil {
		return nil, err
	}
	return d.model(theta, lambda, true, iter), nil
}

func checkLambda(lambda float64) error {
	if !(lambda >= 0) || math.IsInf(lambda, 1) {
		return inputErrorf("lambda = %g; it must be finite and >= 0", lambda)
	}
	return nil
}

// sigmoid is 1/(1 + exp(-t)) without overflow.
func sigmoid(t float64) float64 {
	if t >= 0 {
		return 1 / (1 + math.Exp(-t))
	}
	e := math.Exp(t)
	return e / (1 + e)
}

// softplus is log(1 + exp(t)) without overflow.
func softplus(t float64) float64 {
	return max(t, 0) + math.Log1p(math.Exp(-math.Abs(t)))
}

// logLoss returns the penalised logistic objective of theta (P+1) on d,
// using eta (n) as scratch.
func (d *design) logLoss(eta, theta []float64, lambda float64) float64 {
	mat.NewVecDense(d.n, eta).MulVec(d.a, mat.NewVecDense(d.p+1, theta))
	f := 0.0
	for i, e := range eta {
		f += softplus(e) - d.y[i]*e
	}
	pen := 0.0
	for _, w := range theta[1:] {
		pen += w * w
	}
	return f/float64(d.n) + lambda/2*pen
}

// separates reports whether the linear predictor eta (n) separates d's
// classes strictly: eta > 0 on every row of class 1, eta < 0 on every row of
// class 0.
func (d *design) separates(eta []float64) bool {
	for i, e := range eta {
		if (d.y[i] == 1) != (e > 0) || e == 0 {
			return false
		}
	}
	return true
}

// newton minimizes the penalised logistic objective over theta (P+1), the
// intercept then the weights, from theta's value, and returns the Newton
// steps taken.
func (d *design) newton(theta []float64, lambda, tol float64, maxIter int) (int, error) {
	n, p1 := d.n, d.p+1
	eta := make([]float64, n)
	resid := make([]float64, n)
	g := make([]float64, p1)
	step := make([]float64, p1)
	trial := make([]float64, p1)
	sa := mat.NewDense(n, p1, nil) // rows of a scaled by sqrt(mu (1 - mu))
	h := mat.NewSymDense(p1, nil)
	f := d.logLoss(eta, theta, lambda)
	for iter := 0; ; iter++ {
		// The gradient (1/n) a^T (mu - y) + (0, lambda w), at eta = a theta
		// (logLoss left it in eta).
		for i, e := range eta {
			resid[i] = sigmoid(e) - d.y[i]
		}
		gv := mat.NewVecDense(p1, g)
		gv.MulVec(d.a.T(), mat.NewVecDense(n, resid))
		gmax := 0.0
		for j := range g {
			g[j] /= float64(n)
			if j > 0 {
				g[j] += lambda * theta[j]
			}
			gmax = max(gmax, math.Abs(g[j]))
		}
		if lambda == 0 && d.separates(eta) {
			return iter, &NotConvergedError{Lambda: lambda, Iter: iter, Grad: gmax, Tol: tol, Separable: true}
		}
		if gmax <= tol {
			return iter, nil
		}
		if iter == maxIter {
			return iter, &NotConvergedError{Lambda: lambda, Iter: iter, Grad: gmax, Tol: tol}
		}
		// The Hessian (1/n) a^T diag(mu (1 - mu)) a + diag(0, lambda).
		for i, e := range eta {
			mu := sigmoid(e)
			r := math.Sqrt(mu * (1 - mu))
			src, dst := d.a.RawRowView(i), sa.RawRowView(i)
			for j, v := range src {
				dst[j] = r * v
			}
		}
		hs := h.RawSymmetric()
		sr := sa.RawMatrix()
		gramUpper(hs.Data, hs.Stride, sr.Data, sr.Stride, n, p1, 1/float64(n))
		if err := solvePenalised(step, h, g, lambda); err != nil {
			return iter, err
		}
		// Backtracking (Armijo) along -step, a descent direction.
		slope := 0.0
		for j := range g {
			slope += g[j] * step[j]
		}
		t, ft := 1.0, 0.0
		for range 60 {
			for j := range trial {
				trial[j] = theta[j] - t*step[j]
			}
			ft = d.logLoss(eta, trial, lambda)
			if ft <= f-1e-4*t*slope {
				break
			}
			t /= 2
		}
		if !(ft <= f) { // no decrease at any step: at the objective's rounding floor
			// Where the Newton decrement (slope/2, the decrease a full step
			// predicts) is below the rounding of the objective itself, no
			// float64 step can improve it: converged as far as float64 can
			// tell, though |gradient| may sit just above tol.
			if slope/2 <= 64*epsilon*max(1, math.Abs(f)) {
				return iter, nil
			}
			return iter, &NotConvergedError{Lambda: lambda, Iter: iter, Grad: gmax, Tol: tol}
		}
		copy(theta, trial)
		f = ft
	}
}

// epsilon is the float64 machine epsilon, 2^-52.
const epsilon = 0x1p-52
