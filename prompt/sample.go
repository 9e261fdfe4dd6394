package prompt

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"icl/config"
	"icl/internal/parallel"
	"icl/rng"
	"icl/task"
)

// labelBasis labels the stream of the random basis of skewed and
// half_subspace inputs.
const labelBasis uint64 = 0x6261_7369_7300_0006

// Sampler draws batches of prompts from Class under Setting.
//
// Prompt p of a batch is a pure function of (seed, labels..., p): it is drawn
// from rng.New(seed, labels..., uint64(p)) alone, in this order: the function
// (for a mixture: the component index by Mixture.Pick, then the component's
// Sample), the N context inputs, the N context label-noise draws (when the
// noise std is > 0), the query setting's draws (orthant sign pattern, or the
// repeat indices), the query label-noise draws, and last, when
// 0 < FamilyIndicator < 1, whether the prompt shows its family. The bits of a
// batch therefore do not depend on Workers or GOMAXPROCS, a batch of B prompts
// is a prefix of one of B' > B prompts, two settings that differ only in the
// query share the function and the context inputs, and prompts drawn with and
// without a family indicator are the same points. The skewed and half_subspace bases come
// from rng.New(Setting.BasisSeed, labelBasis), shared by every prompt.
type Sampler struct {
	Class   task.Class
	Setting Setting
	// ActiveDims zeroes coordinates >= ActiveDims of every x (the curriculum of
	// Garg et al.; f sees the zeroed x); 0 means all D.
	ActiveDims int
	// SparseInActive draws the support of sparse linear functions (also as a
	// mixture's components) among the first ActiveDims coordinates, as Garg et
	// al.'s curriculum does, so that no function is zero on every input.
	SparseInActive bool
	// FamilyIndicator is the probability, in [0, 1], that a prompt shows the
	// model its family (Batch.Indicator): the index of the mixture component
	// it was drawn from. 0 gives prompts without an indicator (Indicator nil),
	// 1 shows it on every prompt; in between, prompt p shows it when u <
	// FamilyIndicator for u uniform on [0, 1), the last draw of its stream.
	// Only a mixture has families.
	FamilyIndicator float64
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// Validate checks the sampler's Setting and ActiveDims against Class.Dim(),
// and FamilyIndicator.
func (s *Sampler) Validate() error {
	if s.Class == nil {
		return &config.Error{Path: "prompt", Msg: "no class"}
	}
	d := s.Class.Dim()
	err := s.Setting.Validate(d)
	if s.ActiveDims < 0 || s.ActiveDims > d {
		err = errors.Join(err, &config.Error{Path: "prompt.active_dims",
			Msg: fmt.Sprintf("%d; allowed 1..%d (0 means %d)", s.ActiveDims, d, d)})
	}
	if p := s.FamilyIndicator; !(p >= 0 && p <= 1) {
		err = errors.Join(err, &config.Error{Path: "prompt.family_indicator",
			Msg: fmt.Sprintf("%g; allowed 0..1 (the probability that a prompt shows its family; 0: no indicator)", p)})
	} else if p > 0 && task.MixtureOf(s.Class) == nil {
		err = errors.Join(err, &config.Error{Path: "prompt.family_indicator",
			Msg: fmt.Sprintf("%g, but the class %s has no families; only a mixture's prompts can show their family (its component)", p, s.Class.Name())})
	}
	return err
}

// Sample fills dst with prompts from c under st, prompt p drawn from
// rng.New(seed, labels..., p), using GOMAXPROCS goroutines. It returns st's
// validation errors.
func Sample(dst *Batch, c task.Class, st Setting, seed uint64, labels ...uint64) error {
	s := Sampler{Class: c, Setting: st}
	if err := s.Validate(); err != nil {
		return err
	}
	s.Fill(dst, seed, labels...)
	return nil
}

// Batch allocates a batch of b prompts of n points and fills it.
func (s *Sampler) Batch(b, n int, seed uint64, labels ...uint64) *Batch {
	bt := NewBatch(b, n, s.Class.Dim())
	s.Fill(bt, seed, labels...)
	return bt
}

// Fill overwrites every prompt of dst (whose D must be Class.Dim()). It sets
// Class when Class is a mixture (possibly wrapped in task.Noisy) and nil
// otherwise, Indicator and Families as FamilyIndicator says, and allocates
// or clears QXs and QYs as the query setting needs.
// Fill panics on an invalid sampler: validate configurations first.
func (s *Sampler) Fill(dst *Batch, seed uint64, labels ...uint64) {
	if err := s.Validate(); err != nil {
		panic("prompt: invalid sampler: " + err.Error())
	}
	d := s.Class.Dim()
	if dst.D != d {
		panic(fmt.Sprintf("prompt: batch D = %d, class dimension %d", dst.D, d))
	}
	b, n := dst.B, dst.N
	if len(dst.Xs) != b*n*d || len(dst.Ys) != b*n {
		panic("prompt: batch slices do not match B, N, D")
	}
	if len(dst.Scale) != b {
		dst.Scale = make([]float64, b)
	}
	mix := task.MixtureOf(s.Class)
	if mix != nil {
		if len(dst.Class) != b {
			dst.Class = make([]int, b)
		}
	} else {
		dst.Class = nil
	}
	if s.FamilyIndicator > 0 {
		if len(dst.Indicator) != b {
			dst.Indicator = make([]int, b)
		}
		dst.Families = len(mix.Components)
	} else {
		dst.Indicator, dst.Families = nil, 0
	}
	q := s.Setting.query()
	dst.QueryLen = n
	if q == QueryNormal {
		dst.QXs, dst.QYs = nil, nil
	} else {
		if len(dst.QXs) != b*n*d {
			dst.QXs = make([]float64, b*n*d)
		}
		if len(dst.QYs) != b*n {
			dst.QYs = make([]float64, b*n)
		}
		if q == QueryOrthogonal {
			dst.QueryLen = min(n, s.Setting.rank(d, s.active(d)))
		}
	}
	in := newInputMap(&s.Setting, d)

	parallel.ForWith(b, s.Workers, func() []uint64 {
		lab := make([]uint64, len(labels)+1)
		copy(lab, labels)
		return lab
	}, func(lab []uint64, p int) {
		lab[len(labels)] = uint64(p)
		s.one(dst, p, in, rng.New(seed, lab...))
	})
}

// sample draws a function of c, a sparse linear one within the active
// coordinates when SparseInActive is set.
func (s *Sampler) sample(c task.Class, r *rand.Rand, d int) task.Func {
	if s.SparseInActive {
		if sp, ok := stripNoise(c).(*task.SparseLinear); ok {
			return sp.SampleIn(r, s.active(d)) // a Noisy's Sample is its class's
		}
	}
	return c.Sample(r)
}

func (s *Sampler) active(d int) int {
	if s.ActiveDims == 0 {
		return d
	}
	return s.ActiveDims
}

// stripNoise strips task.Noisy wrappers.
func stripNoise(c task.Class) task.Class {
	for {
		n, ok := c.(*task.Noisy)
		if !ok {
			return c
		}
		c = n.Class
	}
}

// inputMap draws inputs: x = A z with A (D, M) and z ~ N(0, I_M); A nil means
// x = z (M = D).
type inputMap struct {
	a []float64 // (D, M)
	m int
}

func newInputMap(st *Setting, d int) *inputMap {
	in := st.input()
	if in == InputGaussian {
		return &inputMap{m: d}
	}
	// q (D, D): columns an orthonormal basis.
	q := make([]float64, d*d)
	if st.basis() == BasisAxis {
		for i := 0; i < d; i++ {
			q[i*d+i] = 1
		}
	} else {
		randomOrthogonal(q, d, rng.New(st.BasisSeed, labelBasis))
	}
	var sd []float64 // std along each kept column
	switch in {
	case InputSkewed:
		// lambda_i = i^-p, rescaled so that sum lambda = E|x|^2 = d.
		pw := st.skewPower()
		lam := make([]float64, d)
		sum := 0.0
		for i := range lam {
			lam[i] = math.Pow(float64(i+1), -pw)
			sum += lam[i]
		}
		sd = make([]float64, d)
		for i := range sd {
			sd[i] = math.Sqrt(lam[i] * float64(d) / sum)
		}
	case InputHalfSubspace:
		m := d / 2
		sd = make([]float64, m)
		for i := range sd {
			sd[i] = math.Sqrt(float64(d) / float64(m))
		}
	}
	m := len(sd)
	a := make([]float64, d*m)
	for i := 0; i < d; i++ {
		for k := 0; k < m; k++ {
			a[i*m+k] = q[i*d+k] * sd[k]
		}
	}
	return &inputMap{a: a, m: m}
}

// draw writes one input into x (D), with z (M) as scratch.
func (in *inputMap) draw(x, z []float64, r *rand.Rand) {
	if in.a == nil {
		for i := range x {
			x[i] = r.NormFloat64()
		}
		return
	}
	for k := range z {
		z[k] = r.NormFloat64()
	}
	for i := range x {
		row := in.a[i*in.m : (i+1)*in.m]
		v := 0.0
		for k, zk := range z {
			v += row[k] * zk
		}
		x[i] = v
	}
}

// randomOrthogonal fills q (d, d) with a Haar-distributed orthogonal matrix:
// Gram-Schmidt (twice, for accuracy) on the columns of a Gaussian matrix.
func randomOrthogonal(q []float64, d int, r *rand.Rand) {
	for i := range q {
		q[i] = r.NormFloat64()
	}
	for k := 0; k < d; k++ {
		for pass := 0; pass < 2; pass++ {
			for j := 0; j < k; j++ {
				dot := 0.0
				for i := 0; i < d; i++ {
					dot += q[i*d+j] * q[i*d+k]
				}
				for i := 0; i < d; i++ {
					q[i*d+k] -= dot * q[i*d+j]
				}
			}
		}
		nrm := 0.0
		for i := 0; i < d; i++ {
			nrm += q[i*d+k] * q[i*d+k]
		}
		nrm = math.Sqrt(nrm)
		for i := 0; i < d; i++ {
			q[i*d+k] /= nrm
		}
	}
}

// one draws prompt p of dst from r.
func (s *Sampler) one(dst *Batch, p int, in *inputMap, r *rand.Rand) {
	st := &s.Setting
	d, n := dst.D, dst.N
	c := s.Class

	// Function.
	var f task.Func
	scale, noiseVar := 0.0, 0.0
	nz := task.NoiseStd(c)
	noiseVar = nz*nz + st.Noise*st.Noise
	if mix := task.MixtureOf(c); mix != nil {
		k := mix.Pick(r)
		comp := mix.Components[k]
		f = s.sample(comp, r, d)
		scale = comp.Scale()
		nk := task.NoiseStd(comp)
		noiseVar += nk * nk
		dst.Class[p] = k
	} else {
		f = s.sample(c, r, d)
		scale = c.Scale()
	}
	ys := st.yScale()
	dst.Scale[p] = scale * ys * ys
	sigma := math.Sqrt(noiseVar)

	// Context inputs.
	xs, yv := dst.Prompt(p)
	xsc, act := st.xScale(), s.active(d)
	z := make([]float64, in.m)
	for i := 0; i < n; i++ {
		x := xs[i*d : (i+1)*d]
		in.draw(x, z, r)
		for j := range x {
			if j >= act {
				x[j] = 0
			} else {
				x[j] *= xsc
			}
		}
	}
	// Context label noise, drawn before any query draw.
	for i := range yv {
		yv[i] = 0
		if sigma > 0 {
			yv[i] = sigma * r.NormFloat64()
		}
	}

	// Queries.
	var qx, qy []float64
	if dst.QXs != nil {
		qx, qy = dst.QXs[p*n*d:(p+1)*n*d], dst.QYs[p*n:(p+1)*n]
		switch st.query() {
		case QueryOrthant:
			// Queries are the unfolded points; context points become
			// |x| * pattern, one sign pattern per prompt.
			copy(qx, xs)
			sign := make([]float64, d)
			for j := range sign {
				sign[j] = float64(1 - 2*int(r.Uint64()>>63))
			}
			for i := 0; i < n; i++ {
				for j := 0; j < d; j++ {
					xs[i*d+j] = math.Abs(xs[i*d+j]) * sign[j]
				}
			}
		case QueryOrthogonal:
			orthogonalQueries(qx, xs, n, d, dst.QueryLen)
		case QueryRepeat:
			copy(qx[:d], xs[:d]) // position 0 has no earlier point: itself
			for i := 1; i < n; i++ {
				j := r.IntN(i)
				copy(qx[i*d:(i+1)*d], xs[j*d:(j+1)*d])
			}
		}
		for i := range qy {
			qy[i] = 0
			if i >= dst.QueryLen {
				qy[i] = math.NaN()
			} else if sigma > 0 {
				qy[i] = sigma * r.NormFloat64()
			}
		}
	}

	// Labels.
	for i := 0; i < n; i++ {
		yv[i] += ys * f.Eval(xs[i*d:(i+1)*d])
		if qx != nil && i < dst.QueryLen {
			qy[i] += ys * f.Eval(qx[i*d:(i+1)*d])
		}
	}

	// Family indicator, the last draw.
	if pr := s.FamilyIndicator; pr > 0 {
		dst.Indicator[p] = Hidden
		if pr >= 1 || r.Float64() < pr {
			dst.Indicator[p] = dst.Class[p]
		}
	}
}

// orthogonalQueries writes into qx (N, D) query i = the component of x_i
// orthogonal to x_0..x_{i-1}, rescaled to |x_i|, for i < qlen; NaN after.
func orthogonalQueries(qx, xs []float64, n, d, qlen int) {
	u := make([]float64, 0, qlen*d) // orthonormal basis of the context span so far
	for i := 0; i < n; i++ {
		q := qx[i*d : (i+1)*d]
		if i >= qlen {
			for j := range q {
				q[j] = math.NaN()
			}
			continue
		}
		x := xs[i*d : (i+1)*d]
		copy(q, x)
		k := len(u) / d
		for pass := 0; pass < 2; pass++ {
			for b := 0; b < k; b++ {
				ub := u[b*d : (b+1)*d]
				dot := 0.0
				for j := range q {
					dot += ub[j] * q[j]
				}
				for j := range q {
					q[j] -= dot * ub[j]
				}
			}
		}
		nx, nq := norm(x), norm(q)
		if !(nq > 1e-12*nx) {
			// Probability 0 below the rank; mark as undefined.
			for j := range q {
				q[j] = math.NaN()
			}
			continue
		}
		for j := range q {
			u = append(u, q[j]/nq)
		}
		for j := range q {
			q[j] *= nx / nq
		}
	}
}

func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
