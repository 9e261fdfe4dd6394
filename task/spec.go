package task

import (
	"errors"
	"fmt"
	"icl/config"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Class names accepted in Spec.Class.
const (
	ClassDenseLinear          = "dense_linear"
	ClassSparseLinear         = "sparse_linear"
	ClassSinusoid             = "sinusoid"
	ClassConvex               = "convex"
	ClassMixture              = "mixture"
	ClassQuadratic            = "quadratic"
	ClassReLU2NN              = "relu_2nn"
	ClassDecisionTree         = "decision_tree"
	ClassLinearClassification = "linear_classification"
	ClassPool                 = "pool"
)

// ClassNames lists the accepted Spec.Class values.
var ClassNames = []string{ClassDenseLinear, ClassSparseLinear, ClassSinusoid, ClassConvex,
	ClassMixture, ClassQuadratic, ClassReLU2NN, ClassDecisionTree,
	ClassLinearClassification, ClassPool}

// Defaults applied by Spec.Build where a field is zero.
const (
	DefaultOmegaLo = 0.5
	DefaultOmegaHi = 2.0
	DefaultHidden  = 100
	DefaultDepth   = 4
)

// Std is a prior standard deviation in a Spec: a positive number, 0 for the
// default 1, or InvSqrtD for 1/sqrt(d). In YAML it is a number or the string
// "inv_sqrt_d". InvSqrtD is how a convex combination of a linear class and a
// sinusoid gives both parts a comparable size (docs/design.md section 1): with
// std 1/sqrt(d) a linear function has E f^2 = 1, against 1/2 for a unit
// sinusoid.
type Std float64

// InvSqrtD as a Spec's Std means 1/sqrt(d).
const InvSqrtD Std = -1

// Value resolves s for dimension d.
func (s Std) Value(d int) float64 {
	switch {
	case s == InvSqrtD:
		return 1 / math.Sqrt(float64(d))
	case s == 0:
		return 1
	}
	return float64(s)
}

func (s Std) String() string {
	if s == InvSqrtD {
		return "inv_sqrt_d"
	}
	return strconv.FormatFloat(float64(s), 'g', -1, 64)
}

// UnmarshalYAML accepts a number or "inv_sqrt_d".
func (s *Std) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Value == "inv_sqrt_d" {
		*s = InvSqrtD
		return nil
	}
	var f float64
	if err := n.Decode(&f); err != nil {
		return fmt.Errorf("line %d: std: %q is not a number or \"inv_sqrt_d\"", n.Line, n.Value)
	}
	*s = Std(f)
	return nil
}

// MarshalYAML writes InvSqrtD as "inv_sqrt_d".
func (s Std) MarshalYAML() (any, error) {
	if s == InvSqrtD {
		return "inv_sqrt_d", nil
	}
	return float64(s), nil
}

// Spec is a typed, YAML-decodable description of a Class. Which fields apply
// depends on Class; setting a field the class does not use is an error.
//
//	dense_linear           std, noise
//	sparse_linear          k (1..d), std, noise
//	sinusoid               a (default 1), omega_lo, omega_hi (default band [0.5, 2]), noise
//	convex                 alpha (0..1, weight of of[0]; 0 is a valid value), of (exactly 2), noise
//	mixture                of (1 or more), weights (default uniform; >= 0, sum 1), noise
//	quadratic              std, noise
//	relu_2nn               hidden (default 100), noise
//	decision_tree          depth (default 4, at most 20), noise
//	linear_classification  noise
//	pool                   base (a Spec), m (>= 1), seed, noise
//
// noise (>= 0) wraps the class in Noisy; it is allowed on the root class and
// on a root mixture's components (where the prompt sampler reads it), and
// refused deeper. Zero means "default" for std, a, omega_lo, omega_hi, hidden
// and depth. Build returns *DenseLinear, *SparseLinear, ..., *Pool, wrapped in
// *Noisy when noise > 0.
type Spec struct {
	Class   string    `yaml:"class"`
	K       int       `yaml:"k,omitempty"`
	Std     Std       `yaml:"std,omitempty" default:"1"`
	Noise   float64   `yaml:"noise,omitempty"`
	A       float64   `yaml:"a,omitempty" default:"1"`
	OmegaLo float64   `yaml:"omega_lo,omitempty" default:"0.5"`
	OmegaHi float64   `yaml:"omega_hi,omitempty" default:"2"`
	Alpha   float64   `yaml:"alpha,omitempty"`
	Of      []Spec    `yaml:"of,omitempty"`
	Weights []float64 `yaml:"weights,omitempty"`
	Hidden  int       `yaml:"hidden,omitempty" default:"100"`
	Depth   int       `yaml:"depth,omitempty" default:"4"`
	M       int       `yaml:"m,omitempty"`
	Seed    uint64    `yaml:"seed,omitempty"`
	Base    *Spec     `yaml:"base,omitempty"`
}

// usedFields lists, per class, the fields besides class and noise it reads.
var usedFields = map[string][]string{
	ClassDenseLinear:          {"std"},
	ClassSparseLinear:         {"k", "std"},
	ClassSinusoid:             {"a", "omega_lo", "omega_hi"},
	ClassConvex:               {"alpha", "of"},
	ClassMixture:              {"of", "weights"},
	ClassQuadratic:            {"std"},
	ClassReLU2NN:              {"hidden"},
	ClassDecisionTree:         {"depth"},
	ClassLinearClassification: {},
	ClassPool:                 {"base", "m", "seed"},
}

// setFields lists the non-zero optional fields of s, in declaration order.
func (s *Spec) setFields() []string {
	var out []string
	add := func(name string, set bool) {
		if set {
			out = append(out, name)
		}
	}
	add("k", s.K != 0)
	add("std", s.Std != 0)
	add("a", s.A != 0)
	add("omega_lo", s.OmegaLo != 0)
	add("omega_hi", s.OmegaHi != 0)
	add("alpha", s.Alpha != 0)
	add("of", s.Of != nil)
	add("weights", s.Weights != nil)
	add("hidden", s.Hidden != 0)
	add("depth", s.Depth != 0)
	add("m", s.M != 0)
	add("seed", s.Seed != 0)
	add("base", s.Base != nil)
	return out
}

// Validate checks s for input dimension d, with field paths rooted at "task".
// It returns every problem found, joined with errors.Join; each is a
// *config.Error.
func (s Spec) Validate(d int) error { return s.ValidatePath("task", d) }

// ValidatePath is Validate with field paths rooted at path, for a Spec embedded
// in a larger configuration.
func (s Spec) ValidatePath(path string, d int) error {
	var errs []error
	s.validate(path, d, true, true, &errs)
	return errors.Join(errs...)
}

// validate checks s at path. noiseOK says whether label noise may be set here:
// the prompt sampler adds the noise of the root class and, when the root is a
// mixture, of the drawn component (task.NoiseStd); noise deeper inside (in a
// convex part, a pool's base, a nested mixture's component) would be ignored,
// so it is refused.
func (s *Spec) validate(path string, d int, root, noiseOK bool, errs *[]error) {
	bad := func(field, format string, args ...any) {
		p := path
		if field != "" {
			p += "." + field
		}
		*errs = append(*errs, &config.Error{Path: p, Msg: fmt.Sprintf(format, args...)})
	}
	if d < 1 {
		bad("", "dimension d = %d; must be >= 1", d)
		return
	}
	used, ok := usedFields[s.Class]
	if !ok {
		if s.Class == "" {
			bad("class", "missing; allowed: %s", strings.Join(ClassNames, ", "))
		} else {
			bad("class", "%q unknown; allowed: %s", s.Class, strings.Join(ClassNames, ", "))
		}
		return
	}
	for _, f := range s.setFields() {
		found := false
		for _, u := range used {
			found = found || u == f
		}
		if !found {
			bad(f, "set, but class %s does not use it; its fields: %s", s.Class,
				strings.Join(append([]string{"class", "noise"}, used...), ", "))
		}
	}
	if s.Noise < 0 || math.IsNaN(s.Noise) || math.IsInf(s.Noise, 0) {
		bad("noise", "%g must be >= 0 and finite", s.Noise)
	} else if s.Noise > 0 && !noiseOK {
		bad("noise", "%g set inside a %s; noise is allowed only on the root class and on a root mixture's components", s.Noise, "convex, pool or nested mixture")
	}
	if s.Std != 0 && s.Std != InvSqrtD && !(s.Std > 0 && !math.IsInf(float64(s.Std), 0)) {
		bad("std", "%v must be > 0, or inv_sqrt_d (0 means 1)", s.Std)
	}
	switch s.Class {
	case ClassSparseLinear:
		if s.K < 1 || s.K > d {
			if s.K > d {
				bad("k", "%d > d = %d; allowed 1..%d", s.K, d, d)
			} else {
				bad("k", "%d; allowed 1..%d", s.K, d)
			}
		}
	case ClassSinusoid:
		if s.A < 0 || math.IsNaN(s.A) || math.IsInf(s.A, 0) {
			bad("a", "%g must be > 0 (0 means 1)", s.A)
		}
		lo, hi := s.omegas()
		if !(lo >= 0) || math.IsInf(lo, 0) {
			bad("omega_lo", "%g must be >= 0 and finite", s.OmegaLo)
		}
		if !(hi >= lo) || math.IsInf(hi, 0) {
			bad("omega_hi", "%g must be finite and >= omega_lo = %g (0 means %g)", s.OmegaHi, lo, DefaultOmegaHi)
		}
	case ClassConvex:
		if !(s.Alpha >= 0 && s.Alpha <= 1) {
			bad("alpha", "%g; allowed 0..1", s.Alpha)
		}
		if len(s.Of) != 2 {
			bad("of", "has %d classes; convex needs exactly 2", len(s.Of))
		}
		for i := range s.Of {
			s.Of[i].validate(fmt.Sprintf("%s.of[%d]", path, i), d, false, false, errs)
		}
	case ClassMixture:
		if len(s.Of) == 0 {
			bad("of", "empty; mixture needs at least 1 class")
		}
		for i := range s.Of {
			s.Of[i].validate(fmt.Sprintf("%s.of[%d]", path, i), d, false, root, errs)
		}
		if s.Weights != nil {
			if len(s.Weights) != len(s.Of) {
				bad("weights", "has %d entries for %d classes in of; need one per class", len(s.Weights), len(s.Of))
			}
			sum, neg := 0.0, false
			for i, w := range s.Weights {
				if !(w >= 0) || math.IsInf(w, 0) {
					bad(fmt.Sprintf("weights[%d]", i), "%g must be >= 0 and finite", w)
					neg = true
				}
				sum += w
			}
			if !neg && math.Abs(sum-1) > 1e-6 {
				bad("weights", "sum to %g, must sum to 1", sum)
			}
		}
	case ClassReLU2NN:
		if s.Hidden < 0 {
			bad("hidden", "%d must be >= 1 (0 means %d)", s.Hidden, DefaultHidden)
		}
	case ClassDecisionTree:
		if s.Depth < 0 || s.Depth > 20 {
			bad("depth", "%d; allowed 1..20 (0 means %d)", s.Depth, DefaultDepth)
		}
	case ClassPool:
		if s.M < 1 {
			bad("m", "%d; must be >= 1", s.M)
		}
		if s.Base == nil {
			bad("base", "missing; pool needs the class its functions are drawn from")
		} else {
			s.Base.validate(path+".base", d, false, false, errs)
		}
	}
}

// Families is the number of task families of s, the length of the family
// indicator a prompt can show (docs/design.md section 2): a mixture's
// families are its components (of), in order, and a prompt's family is the
// index of the component it was drawn from; every other class has no
// families (0).
func (s Spec) Families() int {
	if s.Class == ClassMixture {
		return len(s.Of)
	}
	return 0
}

func (s *Spec) omegas() (lo, hi float64) {
	lo, hi = s.OmegaLo, s.OmegaHi
	if lo == 0 {
		lo = DefaultOmegaLo
	}
	if hi == 0 {
		hi = DefaultOmegaHi
	}
	return lo, hi
}

// Build validates s for dimension d and makes its Class.
func (s Spec) Build(d int) (Class, error) {
	if err := s.Validate(d); err != nil {
		return nil, err
	}
	return s.build(d), nil
}

func (s *Spec) build(d int) Class {
	var c Class
	switch s.Class {
	case ClassDenseLinear:
		c = &DenseLinear{D: d, Std: s.Std.Value(d)}
	case ClassSparseLinear:
		c = &SparseLinear{D: d, K: s.K, Std: s.Std.Value(d)}
	case ClassSinusoid:
		a := s.A
		if a == 0 {
			a = 1
		}
		lo, hi := s.omegas()
		c = &Sinusoid{D: d, A: a, OmegaLo: lo, OmegaHi: hi}
	case ClassConvex:
		c = &Convex{Alpha: s.Alpha, G: s.Of[0].build(d), H: s.Of[1].build(d)}
	case ClassMixture:
		m := &Mixture{Components: make([]Class, len(s.Of)), Weights: make([]float64, len(s.Of))}
		for i := range s.Of {
			m.Components[i] = s.Of[i].build(d)
			if s.Weights != nil {
				m.Weights[i] = s.Weights[i]
			} else {
				m.Weights[i] = 1 / float64(len(s.Of))
			}
		}
		c = m
	case ClassQuadratic:
		c = &Quadratic{D: d, Std: s.Std.Value(d)}
	case ClassReLU2NN:
		h := s.Hidden
		if h == 0 {
			h = DefaultHidden
		}
		c = &ReLU2NN{D: d, Hidden: h}
	case ClassDecisionTree:
		depth := s.Depth
		if depth == 0 {
			depth = DefaultDepth
		}
		c = &DecisionTree{D: d, Depth: depth}
	case ClassLinearClassification:
		c = &LinearClassification{D: d}
	case ClassPool:
		c = &Pool{Base: s.Base.build(d), M: s.M, Seed: s.Seed}
	default:
		panic("task: build of unvalidated spec class " + s.Class)
	}
	if s.Noise > 0 {
		c = &Noisy{Class: c, Sigma: s.Noise}
	}
	return c
}
