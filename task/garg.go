package task

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// This file holds the classes of Garg et al. (2022) beyond linear regression.
// Every Scale here is E[f(x)^2] over f ~ class and x ~ N(0, I_d), derived in
// the type's comment. For each class E_f[f(x)] = 0 at every fixed x, so this is
// also Var f(x) over (f, x), and the error of the zero predictor.

// QuadraticFunc is f(x) = sum_i W_i x_i^2.
type QuadraticFunc struct{ W []float64 }

// Eval returns sum_i W_i x_i^2.
func (f *QuadraticFunc) Eval(x []float64) float64 {
	s := 0.0
	for i, w := range f.W {
		s += w * x[i] * x[i]
	}
	return s
}

// Quadratic draws f(x) = sum_i w_i x_i^2 with w ~ N(0, Std^2 I_D).
//
// Scale is 3 D Std^2. Derivation: for fixed w and x ~ N(0, I),
// E_x f^2 = sum_ij w_i w_j E[x_i^2 x_j^2] = (sum_i w_i)^2 + 2 sum_i w_i^2
// (E x^4 = 3, E x_i^2 x_j^2 = 1 for i != j); averaging over w gives
// D Std^2 + 2 D Std^2 = 3 D Std^2. The same 3d appears in Garg et al., who
// divide quadratic labels by sqrt(3). (The within-function variance
// Var_x f = 2 sum w_i^2 averages to only 2 D Std^2; we normalize by the error of
// the zero predictor, as for every other class.)
type Quadratic struct {
	D   int
	Std float64 // prior standard deviation of each w_i; 1 in Garg et al.
}

func (c *Quadratic) Dim() int       { return c.D }
func (c *Quadratic) Scale() float64 { return 3 * float64(c.D) * c.Std * c.Std }
func (c *Quadratic) Name() string   { return "quadratic" }
func (c *Quadratic) Sample(r *rand.Rand) Func {
	w := make([]float64, c.D)
	for i := range w {
		w[i] = c.Std * r.NormFloat64()
	}
	return &QuadraticFunc{W: w}
}

// ReLUNet is f(x) = sum_j A_j relu(U_j . x), U row-major (Hidden, D).
type ReLUNet struct {
	D, Hidden int
	U         []float64 // (Hidden, D)
	A         []float64 // (Hidden)
}

// Eval returns sum_j A_j max(0, U_j . x).
func (f *ReLUNet) Eval(x []float64) float64 {
	s := 0.0
	for j := 0; j < f.Hidden; j++ {
		u := f.U[j*f.D : (j+1)*f.D]
		h := 0.0
		for i, v := range u {
			h += v * x[i]
		}
		if h > 0 {
			s += f.A[j] * h
		}
	}
	return s
}

// ReLU2NN draws a two-layer ReLU network as Garg et al.: f(x) = sum_j a_j
// relu(u_j . x) with u_j ~ N(0, I_D) and a_j ~ N(0, 2/Hidden), Hidden = 100 in
// their experiments.
//
// Scale is D. Derivation: the a_j are independent with mean 0, so cross terms
// vanish and E f^2 = Hidden (2/Hidden) E[relu(u.x)^2]. Given x, u.x ~ N(0, |x|^2)
// and E relu(z)^2 = Var(z)/2, so E[relu(u.x)^2] = E|x|^2/2 = D/2 and E f^2 = D.
type ReLU2NN struct {
	D, Hidden int
}

func (c *ReLU2NN) Dim() int       { return c.D }
func (c *ReLU2NN) Scale() float64 { return float64(c.D) }
func (c *ReLU2NN) Name() string   { return fmt.Sprintf("2-layer ReLU net (%d hidden)", c.Hidden) }
func (c *ReLU2NN) Sample(r *rand.Rand) Func {
	f := &ReLUNet{D: c.D, Hidden: c.Hidden,
		U: make([]float64, c.Hidden*c.D), A: make([]float64, c.Hidden)}
	for i := range f.U {
		f.U[i] = r.NormFloat64()
	}
	s := math.Sqrt(2 / float64(c.Hidden))
	for j := range f.A {
		f.A[j] = s * r.NormFloat64()
	}
	return f
}

// Tree is a complete binary decision tree of depth Depth stored heap-style:
// internal node n (0 <= n < 2^Depth - 1) tests x[Coord[n]] > 0 and goes to child
// 2n+2 if true, 2n+1 otherwise; Leaf[n - (2^Depth - 1)] is the value of leaf n.
type Tree struct {
	Depth int
	Coord []int     // (2^Depth - 1)
	Leaf  []float64 // (2^Depth)
}

// Eval walks the tree from the root.
func (f *Tree) Eval(x []float64) float64 {
	n := 0
	for l := 0; l < f.Depth; l++ {
		if x[f.Coord[n]] > 0 {
			n = 2*n + 2
		} else {
			n = 2*n + 1
		}
	}
	return f.Leaf[n-len(f.Coord)]
}

// DecisionTree draws a tree as Garg et al.: depth Depth (4 in their
// experiments), each internal node tests the sign of a coordinate drawn
// uniformly from 0..D-1 (independently per node, so a path may test a
// coordinate twice), leaf values N(0, 1).
//
// Scale is 1: f(x) is one leaf value, N(0, 1) and independent of which leaf
// x reaches.
type DecisionTree struct {
	D, Depth int
}

func (c *DecisionTree) Dim() int       { return c.D }
func (c *DecisionTree) Scale() float64 { return 1 }
func (c *DecisionTree) Name() string   { return fmt.Sprintf("decision tree (depth %d)", c.Depth) }
func (c *DecisionTree) Sample(r *rand.Rand) Func {
	inner := 1<<c.Depth - 1
	f := &Tree{Depth: c.Depth, Coord: make([]int, inner), Leaf: make([]float64, inner+1)}
	for i := range f.Coord {
		f.Coord[i] = r.IntN(c.D)
	}
	for i := range f.Leaf {
		f.Leaf[i] = r.NormFloat64()
	}
	return f
}

// SignLinear is f(x) = sign(w.x), with sign(0) = 0 as in Garg et al.
type SignLinear struct{ W []float64 }

// Eval returns sign(w.x).
func (f *SignLinear) Eval(x []float64) float64 {
	s := 0.0
	for i, w := range f.W {
		s += w * x[i]
	}
	switch {
	case s > 0:
		return 1
	case s < 0:
		return -1
	}
	return 0
}

// LinearClassification draws f(x) = sign(w.x) with w ~ N(0, I_D).
// Scale is 1: f(x) = +-1 except on a set of probability 0.
type LinearClassification struct {
	D int
}

func (c *LinearClassification) Dim() int       { return c.D }
func (c *LinearClassification) Scale() float64 { return 1 }
func (c *LinearClassification) Name() string   { return "linear classification" }
func (c *LinearClassification) Sample(r *rand.Rand) Func {
	w := make([]float64, c.D)
	for i := range w {
		w[i] = r.NormFloat64()
	}
	return &SignLinear{W: w}
}
