package probe

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Defaults of Options' zero values.
const (
	DefaultFolds   = 5
	DefaultTol     = 1e-8 // the largest |gradient entry| at which Newton stops
	DefaultMaxIter = 100  // Newton steps
)

// DefaultLambdas is the lambda grid of Options' zero value: 1e-4 .. 1e2, a
// factor of 10 apart (for standardised features; see the package doc).
var DefaultLambdas = []float64{1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100}

// Options configure Logistic and Linear; the zero value is the defaults.
type Options struct {
	Lambdas []float64  // the grid, each finite and >= 0; nil: DefaultLambdas
	Folds   int        // k >= 2; 0: DefaultFolds
	Rand    *rand.Rand // shuffles the rows before they are dealt to folds; nil: index order
	Tol     float64    // Newton's stopping tolerance; 0: DefaultTol
	MaxIter int        // Newton's step cap; 0: DefaultMaxIter
}

func (o Options) withDefaults() Options {
	if o.Lambdas == nil {
		o.Lambdas = DefaultLambdas
	}
	if o.Folds == 0 {
		o.Folds = DefaultFolds
	}
	if o.Tol == 0 {
		o.Tol = DefaultTol
	}
	if o.MaxIter == 0 {
		o.MaxIter = DefaultMaxIter
	}
	return o
}

func (o Options) validate() error {
	if len(o.Lambdas) == 0 {
		return inputErrorf("an empty lambda grid")
	}
	for _, l := range o.Lambdas {
		if err := checkLambda(l); err != nil {
			return err
		}
	}
	if o.Folds < 2 {
		return inputErrorf("Folds = %d; cross-validation needs k >= 2", o.Folds)
	}
	if !(o.Tol > 0) || o.MaxIter < 1 {
		return inputErrorf("Tol = %g, MaxIter = %d; both must be > 0", o.Tol, o.MaxIter)
	}
	return nil
}

// Result is a probe chosen by cross-validation and scored on held-out rows.
type Result struct {
	Model   *Model    // refit on the whole fitting set at Lambda
	Lambda  float64   // the lambda chosen
	Lambdas []float64 // the grid, ascending
	CV      []float64 // (len(Lambdas)) mean held-out loss per lambda: log loss (Logistic) or squared error (Linear)
	Score   float64   // on the held-out set: accuracy (Logistic) or R^2 (Linear)
}

// Logistic fits a logistic probe of the labels of fit (0 or 1) on its
// features, lambda chosen by cross-validation on fit, and scores its accuracy
// on test.
func Logistic(fit, test Set, o Options) (*Result, error) {
	return run(fit, test, o, true)
}

// Linear fits a ridge probe of the targets of fit on its features, lambda
// chosen by cross-validation on fit, and scores its R^2 on test (SST about
// test's own mean; see the package doc).
func Linear(fit, test Set, o Options) (*Result, error) {
	return run(fit, test, o, false)
}

func run(fit, test Set, o Options, logistic bool) (*Result, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	if err := fit.validate("fitting set", logistic); err != nil {
		return nil, err
	}
	if err := test.validate("held-out set", logistic); err != nil {
		return nil, err
	}
	if test.P != fit.P {
		return nil, inputErrorf("the held-out set has P = %d features, the fitting set %d", test.P, fit.P)
	}
	if fit.N < o.Folds {
		return nil, inputErrorf("the fitting set has %d rows, fewer than the %d folds", fit.N, o.Folds)
	}
	if logistic {
		ones := 0
		for _, y := range fit.Y {
			ones += int(y)
		}
		if min(ones, fit.N-ones) < 2 {
			return nil, inputErrorf("the fitting set has %d rows of class 0 and %d of class 1; each class needs at least 2, so that every fold's training rows hold both", fit.N-ones, ones)
		}
	}
	lambdas := slices.Clone(o.Lambdas)
	slices.Sort(lambdas)
	lambdas = slices.Compact(lambdas)
	cv, err := crossValidate(fit, lambdas, o, logistic)
	if err != nil {
		return nil, err
	}
	best := len(lambdas) - 1 // the larger lambda on a tie
	for i := len(lambdas) - 2; i >= 0; i-- {
		if cv[i] < cv[best] {
			best = i
		}
	}
	r := &Result{Lambda: lambdas[best], Lambdas: lambdas, CV: cv}
	if logistic {
		r.Model, err = FitLogistic(fit, r.Lambda, o)
	} else {
		r.Model, err = FitRidge(fit, r.Lambda)
	}
	if err != nil {
		return nil, fmt.Errorf("refit on the whole fitting set: %w", err)
	}
	if r.Score, err = r.Model.Score(test); err != nil {
		return nil, err
	}
	return r, nil
}

// crossValidate returns the mean held-out loss of each lambda (ascending)
// over o.Folds folds of fit.
func crossValidate(fit Set, lambdas []float64, o Options, logistic bool) ([]float64, error) {
	fold := Folds(fit.Y, o.Folds, logistic, o.Rand)
	sum := make([]float64, len(lambdas))
	for k := range o.Folds {
		train, held := split(fit, fold, k)
		d := standardise(train)
		wrap := func(l float64, err error) error {
			return fmt.Errorf("cross-validation fold %d of %d (%d training rows), lambda %g: %w", k+1, o.Folds, train.N, l, err)
		}
		if logistic {
			// From the largest lambda down, each fit warm-started from the
			// last: the regularisation path.
			theta := make([]float64, fit.P+1)
			for i := len(lambdas) - 1; i >= 0; i-- {
				iter, err := d.newton(theta, lambdas[i], o.Tol, o.MaxIter)
				if err != nil {
					return nil, wrap(lambdas[i], err)
				}
				m := d.model(theta, lambdas[i], true, iter)
				for r := range held.N {
					eta := m.eta(held.X[r*held.P : (r+1)*held.P])
					sum[i] += softplus(eta) - held.Y[r]*eta
				}
			}
			continue
		}
		h, c := d.gram()
		for i, l := range lambdas {
			m, err := d.ridge(h, c, l)
			if err != nil {
				return nil, wrap(l, err)
			}
			for r := range held.N {
				e := held.Y[r] - m.eta(held.X[r*held.P:(r+1)*held.P])
				sum[i] += e * e
			}
		}
	}
	for i := range sum {
		sum[i] /= float64(fit.N)
		if math.IsNaN(sum[i]) {
			return nil, inputErrorf("cross-validated loss at lambda %g is NaN", lambdas[i])
		}
	}
	return sum, nil
}

// Folds returns the fold (0 .. k-1) of each of the rows whose targets are y:
// the rows are dealt to folds 0, 1, ..., k-1 in turn, in index order or, with
// r, in the order of r's shuffle; with stratify (labels 0 and 1) class 0's
// rows are dealt first, then class 1's, so that each fold holds both classes
// in about their proportions.
func Folds(y []float64, k int, stratify bool, r *rand.Rand) []int {
	if k < 1 {
		panic(fmt.Sprintf("probe: Folds(k = %d)", k))
	}
	order := make([]int, len(y))
	for i := range order {
		order[i] = i
	}
	if r != nil {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	if stratify {
		slices.SortStableFunc(order, func(a, b int) int { return int(y[a]) - int(y[b]) })
	}
	fold := make([]int, len(y))
	for j, i := range order {
		fold[i] = j % k
	}
	return fold
}

// split returns the rows of s outside fold k (training) and in it (held out).
func split(s Set, fold []int, k int) (train, held Set) {
	train.P, held.P = s.P, s.P
	nh := 0
	for _, f := range fold {
		if f == k {
			nh++
		}
	}
	nt := len(fold) - nh
	train.X, train.Y = make([]float64, 0, nt*s.P), make([]float64, 0, nt)
	held.X, held.Y = make([]float64, 0, nh*s.P), make([]float64, 0, nh)
	for i, f := range fold {
		dst := &train
		if f == k {
			dst = &held
		}
		dst.X = append(dst.X, s.X[i*s.P:(i+1)*s.P]...)
		dst.Y = append(dst.Y, s.Y[i])
		dst.N++
	}
	return train, held
}
