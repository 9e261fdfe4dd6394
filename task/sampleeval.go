package task

import (
	"math/rand/v2"

	"icl/internal/vecmath"
)

// EvalSampler is a Class that can draw a function and evaluate it at n
// points without keeping it, for predictors that draw many functions per
// prompt (the Monte Carlo Bayes predictor). SampleEval uses r exactly as
// Sample does and writes dst[i] = f(xs[i*d:(i+1)*d]) for i < len(dst), with
// the bits f.Eval gives, where f is the function Sample would have drawn.
// It allocates nothing beyond what s grows to once.
type EvalSampler interface {
	SampleEval(dst []float64, r *rand.Rand, xs []float64, d int, s *Scratch)
}

// Scratch is SampleEval's reusable memory; the zero value is ready.
type Scratch struct {
	v, g, h, arg []float64
}

// grow returns b with length n, reusing its memory when it can.
func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// SampleEval is Sample, then Eval at every point (Sine.Eval's arithmetic).
func (c *Sinusoid) SampleEval(dst []float64, r *rand.Rand, xs []float64, d int, s *Scratch) {
	s.v = grow(s.v, c.D)
	v := s.v
	omega, phi := c.draw(r, v)
	s.arg = grow(s.arg, len(dst))
	arg := s.arg
	for i := range dst {
		x := xs[i*d : (i+1)*d]
		t := 0.0
		for j, vj := range v {
			t += vj * x[j]
		}
		arg[i] = omega*t + phi
	}
	vecmath.Sin(dst, arg) // math.Sin's bits
	for i := range dst {
		dst[i] = c.A * dst[i]
	}
}

// SampleEval is Sample, then Eval at every point (Linear.Eval's arithmetic).
func (c *DenseLinear) SampleEval(dst []float64, r *rand.Rand, xs []float64, d int, s *Scratch) {
	s.v = grow(s.v, c.D)
	w := s.v
	c.draw(r, w)
	for i := range dst {
		x := xs[i*d : (i+1)*d]
		t := 0.0
		for j, wj := range w {
			t += wj * x[j]
		}
		dst[i] = t
	}
}

// EvalSamplerOf returns c as an EvalSampler when it has one that allocates
// nothing per draw: Sinusoid, DenseLinear, and a Convex of the two.
func EvalSamplerOf(c Class) (EvalSampler, bool) {
	switch c := c.(type) {
	case *Sinusoid, *DenseLinear:
		return c.(EvalSampler), true
	case *Convex:
		if leaf(c.G) && leaf(c.H) {
			return c, true
		}
	}
	return nil, false
}

func leaf(c Class) bool {
	switch c.(type) {
	case *Sinusoid, *DenseLinear:
		return true
	}
	return false
}

// SampleEval is Sample, then Eval at every point (Combined.Eval's
// arithmetic) for a Convex whose G and H are each a Sinusoid or a
// DenseLinear (EvalSamplerOf); it panics otherwise.
func (c *Convex) SampleEval(dst []float64, r *rand.Rand, xs []float64, d int, s *Scratch) {
	if !leaf(c.G) || !leaf(c.H) {
		panic("task: Convex.SampleEval needs a Sinusoid or DenseLinear G and H")
	}
	s.g, s.h = grow(s.g, len(dst)), grow(s.h, len(dst))
	g, h := s.g, s.h
	c.G.(EvalSampler).SampleEval(g, r, xs, d, s)
	c.H.(EvalSampler).SampleEval(h, r, xs, d, s)
	for i := range dst {
		dst[i] = c.Alpha*g[i] + (1-c.Alpha)*h[i]
	}
}
