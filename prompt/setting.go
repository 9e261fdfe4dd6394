package prompt

import (
	"errors"
	"fmt"
	"icl/config"
	"math"
	"strings"
)

// Input distributions accepted in Setting.Input.
const (
	InputGaussian     = "gaussian"      // x ~ N(0, I_d)
	InputSkewed       = "skewed"        // x ~ N(0, Q diag(lambda) Q^T), lambda_i ∝ i^-SkewPower, sum lambda = d
	InputHalfSubspace = "half_subspace" // x ~ sqrt(d/m) Q_m z, z ~ N(0, I_m), m = floor(d/2)
)

// Query settings accepted in Setting.Query.
const (
	QueryNormal     = "normal"     // the query at position i is x_i itself
	QueryOrthant    = "orthant"    // context points folded into one random orthant per prompt; queries unfolded
	QueryOrthogonal = "orthogonal" // query i orthogonal to context points 0..i-1, with |q_i| = |x_i|
	QueryRepeat     = "repeat"     // query i equals a uniformly chosen earlier context point
)

// Bases accepted in Setting.Basis.
const (
	BasisRandom = "random" // Haar-random orthogonal Q drawn from BasisSeed
	BasisAxis   = "axis"   // Q = I
)

var (
	inputNames = []string{InputGaussian, InputSkewed, InputHalfSubspace}
	queryNames = []string{QueryNormal, QueryOrthant, QueryOrthogonal, QueryRepeat}
	basisNames = []string{BasisRandom, BasisAxis}
)

// Setting is how prompts are drawn: the input distribution, the
// out-of-distribution transforms of Garg et al. (2022). The zero Setting is the
// training distribution x ~ N(0, I).
// Zero fields mean their default.
//
// Per-point order of operations: x = XScale * (draw from Input); coordinates
// >= Sampler.ActiveDims set to 0; then the Query transform; then
// y = YScale * f(x) + e with e ~ N(0, sigma^2), sigma^2 the class's label
// noise variance (task.NoiseStd, of the drawn component for a mixture) plus
// Noise^2.
//
// Batch.Scale is the class's Scale times YScale^2 (a change of label units);
// input changes (XScale, skewed, half_subspace) are not folded into it, so
// normalized errors stay relative to the in-distribution scale. skewed and
// half_subspace keep E|x|^2 = d.
//
// Query settings follow Garg et al.'s evaluation: the prompt's context points
// Xs, Ys stay as drawn (folded into an orthant for "orthant"), and each
// position i gets a separate query point QXs[i] with label QYs[i], to be
// predicted from context points 0..i-1 (see Batch). "orthogonal" defines
// queries only while the context does not span the input space: for
// i < rank (rank = Sampler.ActiveDims, or min(ActiveDims, floor(d/2)) for
// half_subspace); later queries are NaN and Batch.QueryLen = min(N, rank).
type Setting struct {
	Input string `yaml:"input,omitempty"` // gaussian (default) | skewed | half_subspace
	// SkewPower is the decay of the skewed covariance's eigenvalues,
	// lambda_i ∝ i^-SkewPower; 0 means 1 (docs/design.md section 1). Garg et al.'s code
	// draws x = Q diag(1/i) z, i.e. SkewPower 2.
	SkewPower float64 `yaml:"skew_power,omitempty" default:"1"`
	// Basis orients the skewed covariance and the half subspace:
	// random (default; one Q for all prompts, from BasisSeed) | axis.
	Basis     string  `yaml:"basis,omitempty"`
	BasisSeed uint64  `yaml:"basis_seed,omitempty"`
	XScale    float64 `yaml:"x_scale,omitempty" default:"1"` // multiplies every x; 0 means 1
	YScale    float64 `yaml:"y_scale,omitempty" default:"1"` // multiplies every f(x); 0 means 1
	Noise     float64 `yaml:"noise,omitempty"`               // extra label-noise std, >= 0
	Query     string  `yaml:"query,omitempty"`               // normal (default) | orthant | orthogonal | repeat
}

func (s *Setting) input() string      { return orDefault(s.Input, InputGaussian) }
func (s *Setting) query() string      { return orDefault(s.Query, QueryNormal) }
func (s *Setting) basis() string      { return orDefault(s.Basis, BasisRandom) }
func (s *Setting) xScale() float64    { return orOne(s.XScale) }
func (s *Setting) yScale() float64    { return orOne(s.YScale) }
func (s *Setting) skewPower() float64 { return orOne(s.SkewPower) }

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orOne(v float64) float64 {
	if v == 0 {
		return 1
	}
	return v
}

// Validate checks s for input dimension d, with field paths rooted at
// "prompt". It returns every problem, joined; each is a *config.Error.
func (s Setting) Validate(d int) error { return s.ValidatePath("prompt", d) }

// ValidatePath is Validate with field paths rooted at path.
func (s Setting) ValidatePath(path string, d int) error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &config.Error{Path: path + "." + field, Msg: fmt.Sprintf(format, args...)})
	}
	oneOf := func(field, v string, allowed []string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		bad(field, "%q unknown; allowed: %s", v, strings.Join(allowed, ", "))
	}
	oneOf("input", s.input(), inputNames)
	oneOf("query", s.query(), queryNames)
	oneOf("basis", s.basis(), basisNames)
	finiteNonNeg := func(field string, v float64, zero string) {
		if !(v >= 0) || math.IsInf(v, 0) {
			bad(field, "%g must be >= 0 and finite%s", v, zero)
		}
	}
	finiteNonNeg("x_scale", s.XScale, " (0 means 1)")
	finiteNonNeg("y_scale", s.YScale, " (0 means 1)")
	finiteNonNeg("noise", s.Noise, "")
	finiteNonNeg("skew_power", s.SkewPower, " (0 means 1)")
	if s.SkewPower != 0 && s.input() != InputSkewed {
		bad("skew_power", "set, but input is %s; it applies to input skewed only", s.input())
	}
	if (s.Basis != "" || s.BasisSeed != 0) && s.input() == InputGaussian {
		bad("basis", "set, but input is gaussian; basis and basis_seed apply to skewed and half_subspace")
	}
	if s.input() == InputHalfSubspace && d < 2 {
		bad("input", "half_subspace needs d >= 2, have d = %d", d)
	}
	return errors.Join(errs...)
}

// rank is the dimension of the span of the inputs when a coordinates are active.
func (s *Setting) rank(d, a int) int {
	if s.input() == InputHalfSubspace {
		return min(a, d/2)
	}
	return a
}
