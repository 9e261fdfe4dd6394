package task

import (
	"math/rand/v2"

	"icl/internal/vecmath"
)

// EvalSampler is a Class that can draw functions and evaluate them at n
// points without keeping them, for predictors that draw many functions per
// prompt (the Monte Carlo Bayes predictor). SampleEval draws m functions in
// turn, using r exactly as m calls of Sample do, and writes dst (m, n) with
// dst[k*n+i] = f_k(xs[i*d:(i+1)*d]), n = len(dst)/m, with the bits f_k.Eval
// gives, where f_k is the function the k-th Sample would have drawn. It
// allocates nothing beyond what s grows to once. Drawing many at once lets
// the transcendental functions of all of them run as one vector pass.
type EvalSampler interface {
	SampleEval(dst []float64, m int, r *rand.Rand, xs []float64, d int, s *Scratch)
}

// Scratch is SampleEval's reusable memory; the zero value is ready.
type Scratch struct {
	v, g, h []float64
}

// grow returns b with length n, reusing its memory when it can.
func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// leafSampler is a class whose SampleEval splits in two: draw writes one
// function's row of dst from r (for a sinusoid the argument of its sine),
// finish turns any number of drawn rows into values without r.
type leafSampler interface {
	draw1(row []float64, r *rand.Rand, xs []float64, d int, s *Scratch)
	finish(dst []float64)
}

// sampleEval draws m functions of c and evaluates them (EvalSampler).
func sampleEval(c leafSampler, dst []float64, m int, r *rand.Rand, xs []float64, d int, s *Scratch) {
	n := rowLen(dst, m)
	for k0 := 0; k0 < m; k0 += evalChunk { // a chunk of rows stays in cache
		k1 := min(k0+evalChunk, m)
		for k := k0; k < k1; k++ {
			c.draw1(dst[k*n:(k+1)*n], r, xs, d, s)
		}
		c.finish(dst[k0*n : k1*n])
	}
}

// evalChunk is how many functions SampleEval draws before evaluating them.
const evalChunk = 256

// rowLen is n of dst (m, n); it panics unless m divides len(dst).
func rowLen(dst []float64, m int) int {
	if m < 1 || len(dst)%m != 0 {
		panic("task: SampleEval needs m >= 1 dividing len(dst)")
	}
	return len(dst) / m
}

// SampleEval is Sample, then Eval at every point (Sine.Eval's arithmetic),
// m times.
func (c *Sinusoid) SampleEval(dst []float64, m int, r *rand.Rand, xs []float64, d int, s *Scratch) {
	sampleEval(c, dst, m, r, xs, d, s)
}

// draw1 writes the sine's argument omega <v, x> + phi.
func (c *Sinusoid) draw1(row []float64, r *rand.Rand, xs []float64, d int, s *Scratch) {
	s.v = grow(s.v, c.D)
	v := s.v
	omega, phi := c.draw(r, v)
	if c.D == 1 {
		for i, x := range xs[:len(row)] {
			t := 0.0
			t += v[0] * x
			row[i] = omega*t + phi
		}
		return
	}
	for i := range row {
		x := xs[i*d : (i+1)*d]
		t := 0.0
		for j, vj := range v {
			t += vj * x[j]
		}
		row[i] = omega*t + phi
	}
}

func (c *Sinusoid) finish(dst []float64) {
	vecmath.Sin(dst, dst) // math.Sin's bits
	for i := range dst {
		dst[i] = c.A * dst[i]
	}
}

// SampleEval is Sample, then Eval at every point (Linear.Eval's arithmetic),
// m times.
func (c *DenseLinear) SampleEval(dst []float64, m int, r *rand.Rand, xs []float64, d int, s *Scratch) {
	sampleEval(c, dst, m, r, xs, d, s)
}

func (c *DenseLinear) draw1(row []float64, r *rand.Rand, xs []float64, d int, s *Scratch) {
	s.v = grow(s.v, c.D)
	w := s.v
	c.draw(r, w)
	if c.D == 1 {
		for i, x := range xs[:len(row)] {
			t := 0.0
			t += w[0] * x
			row[i] = t
		}
		return
	}
	for i := range row {
		x := xs[i*d : (i+1)*d]
		t := 0.0
		for j, wj := range w {
			t += wj * x[j]
		}
		row[i] = t
	}
}

func (c *DenseLinear) finish([]float64) {}

// EvalSamplerOf returns c as an EvalSampler when it has one that allocates
// nothing per draw: Sinusoid, DenseLinear, and a Convex of the two.
func EvalSamplerOf(c Class) (EvalSampler, bool) {
	switch c := c.(type) {
	case *Sinusoid, *DenseLinear:
		return c.(EvalSampler), true
	case *Convex:
		_, g := c.G.(leafSampler)
		_, h := c.H.(leafSampler)
		if g && h {
			return c, true
		}
	}
	return nil, false
}

// SampleEval is Sample, then Eval at every point (Combined.Eval's
// arithmetic), m times, for a Convex whose G and H are each a Sinusoid or a
// DenseLinear (EvalSamplerOf); it panics otherwise.
func (c *Convex) SampleEval(dst []float64, m int, r *rand.Rand, xs []float64, d int, s *Scratch) {
	g, gok := c.G.(leafSampler)
	h, hok := c.H.(leafSampler)
	if !gok || !hok {
		panic("task: Convex.SampleEval needs a Sinusoid or DenseLinear G and H")
	}
	n := rowLen(dst, m)
	s.g, s.h = grow(s.g, min(m, evalChunk)*n), grow(s.h, min(m, evalChunk)*n)
	for k0 := 0; k0 < m; k0 += evalChunk {
		k1 := min(k0+evalChunk, m)
		gv, hv := s.g[:(k1-k0)*n], s.h[:(k1-k0)*n]
		for k := range k1 - k0 { // Combined's Sample: G's function, then H's
			g.draw1(gv[k*n:(k+1)*n], r, xs, d, s)
			h.draw1(hv[k*n:(k+1)*n], r, xs, d, s)
		}
		g.finish(gv)
		h.finish(hv)
		out := dst[k0*n : k1*n]
		for i := range out {
			out[i] = c.Alpha*gv[i] + (1-c.Alpha)*hv[i]
		}
	}
}
