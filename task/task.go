package task

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Func is one sampled function.
type Func interface {
	Eval(x []float64) float64
}

// Class is a distribution over functions on R^Dim.
type Class interface {
	// Dim is the input dimension d.
	Dim() int
	// Sample draws one function using only r's randomness.
	Sample(r *rand.Rand) Func
	// Scale is the error normalizer: E f(x)^2 over f ~ class and x ~ N(0, I_d),
	// the expected squared error of the zero predictor. Every class here has
	// E_f f(x) = 0 at each x, so this is also Var f(x).
	Scale() float64
	// Name is a short human-readable description, for tables and legends.
	Name() string
}

// NoiseStd returns the label-noise standard deviation that prompts drawn from c
// carry: Noisy's Sigma, 0 for every other class.
// Nested Noisy wrappers add in quadrature. A Mixture's components may carry
// their own noise: NoiseStd(component) gives it.
func NoiseStd(c Class) float64 {
	v := 0.0
	for {
		n, ok := c.(*Noisy)
		if !ok {
			return math.Sqrt(v)
		}
		v += n.Sigma * n.Sigma
		c = n.Class
	}
}

// Linear is f(x) = w.x.
type Linear struct{ W []float64 }

// Eval returns w.x.
func (f *Linear) Eval(x []float64) float64 {
	s := 0.0
	for i, w := range f.W {
		s += w * x[i]
	}
	return s
}

// DenseLinear draws w ~ N(0, Std^2 I_D).
type DenseLinear struct {
	D   int
	Std float64 // prior standard deviation of each weight; 1 in Garg et al.
}

func (c *DenseLinear) Dim() int       { return c.D }
func (c *DenseLinear) Scale() float64 { return c.Std * c.Std * float64(c.D) }
func (c *DenseLinear) Name() string   { return "dense linear" }
func (c *DenseLinear) Sample(r *rand.Rand) Func {
	w := make([]float64, c.D)
	c.draw(r, w)
	return &Linear{W: w}
}

// draw draws a function's weights into w (len D).
func (c *DenseLinear) draw(r *rand.Rand, w []float64) {
	for i := range w {
		w[i] = c.Std * r.NormFloat64()
	}
}

// SparseLinear draws a support of K of D coordinates uniformly without
// replacement, with N(0, Std^2) entries there and zeros elsewhere.
type SparseLinear struct {
	D, K int
	Std  float64
}

func (c *SparseLinear) Dim() int       { return c.D }
func (c *SparseLinear) Scale() float64 { return c.Std * c.Std * float64(c.K) }
func (c *SparseLinear) Name() string   { return fmt.Sprintf("sparse linear (%d of %d)", c.K, c.D) }

func (c *SparseLinear) Sample(r *rand.Rand) Func {
	return c.SampleIn(r, c.D)
}

// SampleIn draws a function whose support lies among the first n
// coordinates (n is clamped to K..D): Garg et al.'s curriculum draws sparse
// functions so, over the coordinates it has not zeroed. SampleIn(r, D) is
// Sample(r), draw for draw.
func (c *SparseLinear) SampleIn(r *rand.Rand, n int) Func {
	n = min(max(n, c.K), c.D)
	w := make([]float64, c.D)
	// Partial Fisher-Yates: the first K entries of perm are the support.
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := 0; i < c.K; i++ {
		j := i + r.IntN(n-i)
		perm[i], perm[j] = perm[j], perm[i]
		w[perm[i]] = c.Std * r.NormFloat64()
	}
	return &Linear{W: w}
}

// Sine is f(x) = A sin(Omega v.x + Phi).
type Sine struct {
	A, Omega, Phi float64
	V             []float64
}

// Eval returns A sin(Omega v.x + Phi).
func (f *Sine) Eval(x []float64) float64 {
	s := 0.0
	for i, v := range f.V {
		s += v * x[i]
	}
	return f.A * math.Sin(f.Omega*s+f.Phi)
}

// Sinusoid draws f(x) = A sin(omega v.x + phi) with v uniform on the unit sphere
// (v = 1 when D = 1), omega ~ U[OmegaLo, OmegaHi], phi ~ U[0, 2 pi).
type Sinusoid struct {
	D                int
	A                float64
	OmegaLo, OmegaHi float64
}

func (c *Sinusoid) Dim() int       { return c.D }
func (c *Sinusoid) Scale() float64 { return c.A * c.A / 2 }
func (c *Sinusoid) Name() string {
	return fmt.Sprintf("sinusoid (omega in [%g, %g])", c.OmegaLo, c.OmegaHi)
}
func (c *Sinusoid) Sample(r *rand.Rand) Func {
	v := make([]float64, c.D)
	omega, phi := c.draw(r, v)
	return &Sine{A: c.A, Omega: omega, Phi: phi, V: v}
}

// draw draws a function's direction into v (len D), then its omega and phi.
func (c *Sinusoid) draw(r *rand.Rand, v []float64) (omega, phi float64) {
	if c.D == 1 {
		v[0] = 1
	} else {
		n := 0.0
		for i := range v {
			v[i] = r.NormFloat64()
			n += v[i] * v[i]
		}
		n = math.Sqrt(n)
		for i := range v {
			v[i] /= n
		}
	}
	return c.OmegaLo + (c.OmegaHi-c.OmegaLo)*r.Float64(), 2 * math.Pi * r.Float64()
}

// Combined is f = Alpha g + (1 - Alpha) h.
type Combined struct {
	Alpha float64
	G, H  Func
}

// Eval returns Alpha g(x) + (1 - Alpha) h(x).
func (f *Combined) Eval(x []float64) float64 {
	return f.Alpha*f.G.Eval(x) + (1-f.Alpha)*f.H.Eval(x)
}

// Convex draws g from G and h from H independently (g first) and returns
// Alpha g + (1 - Alpha) h.
type Convex struct {
	Alpha float64
	G, H  Class
}

func (c *Convex) Dim() int { return c.G.Dim() }
func (c *Convex) Scale() float64 {
	return c.Alpha*c.Alpha*c.G.Scale() + (1-c.Alpha)*(1-c.Alpha)*c.H.Scale()
}
func (c *Convex) Name() string {
	return fmt.Sprintf("%.6g %s + %.6g %s", c.Alpha, c.G.Name(), 1-c.Alpha, c.H.Name()) // 1-0.7 prints 0.3
}
func (c *Convex) Sample(r *rand.Rand) Func {
	g := c.G.Sample(r)
	h := c.H.Sample(r)
	return &Combined{Alpha: c.Alpha, G: g, H: h}
}

// Mixture picks component i with probability Weights[i] per prompt, then draws
// from it. Weights sum to 1.
type Mixture struct {
	Components []Class
	Weights    []float64
}

func (c *Mixture) Dim() int { return c.Components[0].Dim() }

// Scale is the weighted mean of the components' scales. Per-prompt
// normalization should use the drawn component's Scale instead (see Pick).
func (c *Mixture) Scale() float64 {
	s := 0.0
	for i, k := range c.Components {
		s += c.Weights[i] * k.Scale()
	}
	return s
}
func (c *Mixture) Name() string {
	s := "mixture("
	for i, k := range c.Components {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%g %s", c.Weights[i], k.Name())
	}
	return s + ")"
}

// Pick draws a component index with probability Weights[i].
func (c *Mixture) Pick(r *rand.Rand) int {
	u := r.Float64()
	acc := 0.0
	for i, w := range c.Weights {
		acc += w
		if u < acc {
			return i
		}
	}
	return len(c.Weights) - 1
}

// Sample picks a component and draws from it.
func (c *Mixture) Sample(r *rand.Rand) Func {
	return c.Components[c.Pick(r)].Sample(r)
}

// MixtureOf returns the Mixture that c is, inside any Noisy wrappers, or nil
// when c is not a mixture. Prompts of such a c are drawn from a component
// each (a mixture's families).
func MixtureOf(c Class) *Mixture {
	for {
		switch v := c.(type) {
		case *Noisy:
			c = v.Class
		case *Mixture:
			return v
		default:
			return nil
		}
	}
}

// Noisy is Class with N(0, Sigma^2) label noise added to every y by the prompt
// sampler. Its functions and scale are Class's.
type Noisy struct {
	Class
	Sigma float64
}

func (c *Noisy) Name() string { return fmt.Sprintf("%s + noise %g", c.Class.Name(), c.Sigma) }
