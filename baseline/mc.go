package baseline

import (
	"fmt"
	"math"
	"sync"

	"icl/internal/vecmath"
	"icl/rng"
	"icl/task"
)

// expZeroBelow is an argument below which math.Exp is 0: e^-746 is less than
// half the smallest subnormal float64.
const expZeroBelow = -746

// MCNoiseFrac sets the likelihood's sigma for a noiseless class in MonteCarlo:
// sigma = MCNoiseFrac * sqrt(Class.Scale()).
const MCNoiseFrac = 0.1

// MonteCarlo approximates the posterior mean for any class: it draws M functions
// f_m from Class with the stream rng.New(Seed, rng.LabelMC, promptIndex),
// weighs each by exp(-sum_{j<i} (y_j - f_m(x_j))^2 / (2 Sigma^2)) and predicts
// the weighted mean of f_m(x_i). The same M functions serve every position of
// a prompt. Sigma <= 0 means task.NoiseStd(Class), or MCNoiseFrac*sqrt(Scale)
// for a noiseless class: then the predictor is the posterior mean of the class
// with that much label noise, a tempered approximation. For a *task.Mixture
// with Sigma <= 0, each draw uses its component's sigma by the same rule, and
// the likelihood keeps its normalization (a factor sigma^-i).
type MonteCarlo struct {
	Class task.Class
	M     int
	Sigma float64
	Seed  uint64
}

func (p *MonteCarlo) Name() string { return fmt.Sprintf("bayes_mc_m=%d", p.M) }

// Predict uses the stream of prompt index 0; Run labels each prompt with its
// index in the batch.
func (p *MonteCarlo) Predict(dst []float64, xs, ys []float64, n, d int) {
	p.predictIndexed(dst, xs, ys, n, d, 0)
}

// PredictIndex is Predict for the prompt with the given index in its batch.
func (p *MonteCarlo) PredictIndex(dst []float64, xs, ys []float64, n, d, index int) {
	p.predictIndexed(dst, xs, ys, n, d, index)
}

// LikelihoodSigma is the sigma of the Gaussian likelihood that p uses for
// functions drawn from c (Class, or a component of a mixture Class).
func (p *MonteCarlo) LikelihoodSigma(c task.Class) float64 {
	if p.Sigma > 0 {
		return p.Sigma
	}
	if s := task.NoiseStd(c); s > 0 {
		return s
	}
	return MCNoiseFrac * math.Sqrt(c.Scale())
}

func (p *MonteCarlo) predictIndexed(dst []float64, xs, ys []float64, n, d, index int) {
	p.PosteriorIndex(dst, nil, xs, ys, n, d, index)
}

// NumClasses is the number of mixture components of Class, 1 if it is not a
// *task.Mixture.
func (p *MonteCarlo) NumClasses() int {
	if m, ok := p.Class.(*task.Mixture); ok {
		return len(m.Components)
	}
	return 1
}

// PosteriorIndex writes dst (n) as PredictIndex does and, when post (n, K) is not
// nil, the Monte Carlo estimate of p(component | points 0..i-1) of a
// *task.Mixture class: each draw is Components[Pick(r)].Sample(r), the same
// use of the stream as Mixture.Sample, and remembers its component. K =
// NumClasses().
func (p *MonteCarlo) PosteriorIndex(dst, post []float64, xs, ys []float64, n, d, index int) {
	checkShapes(dst, xs, ys, n, d)
	if p.M < 1 || p.Class == nil || p.Class.Dim() != d {
		panic("baseline: MonteCarlo needs M >= 1 and a Class of dimension d")
	}
	r := rng.New(p.Seed, rng.LabelMC, uint64(index))
	mix, isMix := p.Class.(*task.Mixture)
	k := p.NumClasses()
	if post != nil && len(post) < n*k {
		panic("baseline: MonteCarlo: len(post) < n*NumClasses")
	}
	// Working memory comes from a pool: a prompt's draws take M*n floats
	// (1.6 MB at 5000 draws and 41 points), which allocated per prompt keep
	// the garbage collector busy.
	sc := mcPool.Get().(*mcScratch)
	defer mcPool.Put(sc)
	comp := grow(&sc.comp, p.M)
	clear(comp)
	// per component: 1/(2 sigma^2) and log sigma
	inv2s2, logs := make([]float64, k), make([]float64, k)
	for c := 0; c < k; c++ {
		cl := p.Class
		if isMix {
			cl = mix.Components[c]
		}
		sg := p.LikelihoodSigma(cl)
		inv2s2[c], logs[c] = 1/(2*sg*sg), math.Log(sg)
	}
	// Classes that can (task.EvalSamplerOf) draw each function straight
	// into its row of fx, with the same stream and bits, allocating nothing.
	samplers := make([]task.EvalSampler, k)
	fast := true
	for c := range samplers {
		cl := p.Class
		if isMix {
			cl = mix.Components[c]
		}
		var ok bool
		samplers[c], ok = task.EvalSamplerOf(cl)
		fast = fast && ok
	}
	scratch := &sc.task
	fx := grow(&sc.fx, p.M*n) // (M, n): f_m(x_i), every entry written below
	switch {
	case fast && !isMix: // every draw at once: one vector pass of the sines
		samplers[0].SampleEval(fx, p.M, r, xs, d, scratch)
	case fast:
		for m := 0; m < p.M; m++ {
			comp[m] = mix.Pick(r)
			samplers[comp[m]].SampleEval(fx[m*n:(m+1)*n], 1, r, xs, d, scratch)
		}
	default:
		for m := 0; m < p.M; m++ {
			var f task.Func
			if isMix {
				comp[m] = mix.Pick(r)
				f = mix.Components[comp[m]].Sample(r)
			} else {
				f = p.Class.Sample(r)
			}
			for i := 0; i < n; i++ {
				fx[m*n+i] = f.Eval(xs[i*d : (i+1)*d])
			}
		}
	}
	// Each draw's likelihood terms, 1/(2 sigma^2) and log sigma of its
	// component.
	inv, lg := grow(&sc.inv, p.M), grow(&sc.lg, p.M)
	for m, c := range comp {
		inv[m], lg[m] = inv2s2[c], logs[c]
	}
	// ll[m, i] is draw m's log-likelihood of points 0..i-1 (a running sum
	// in point order, each term -((y_i - f_m(x_i))^2 inv_m + lg_m)), lmax[i]
	// its largest over the draws.
	ll := grow(&sc.ll, p.M*n) // (M, n)
	lmax := grow(&sc.lmax, n)
	for i := range lmax {
		lmax[i] = math.Inf(-1)
	}
	vecmath.LogLikRows(ll, lmax, fx, ys, inv, lg, grow(&sc.llScratch, vecmath.LogLikScratch(n)), p.M, n)
	// The weights exp(ll - lmax) of a chunk of draws are computed at once
	// (vecmath.Exp: math.Exp's bits), skipping those that underflow to 0,
	// which add nothing; each position's sums then run in draw order
	// (vecmath.KeepAbove and AccumulateKept: one bit per entry says which
	// were kept).
	num, den := grow(&sc.num, n), grow(&sc.den, n)
	clear(num)
	clear(den)
	if post != nil {
		clear(post[:n*k])
	}
	dl, w := grow(&sc.dl, mcChunk*n), grow(&sc.w, mcChunk*n)
	nb := (n + 7) / 8
	mask := grow(&sc.mask, vecmath.MaskBytes(mcChunk, n))
	for m0 := 0; m0 < p.M; m0 += mcChunk {
		m1 := min(m0+mcChunk, p.M)
		na := vecmath.KeepAbove(dl, mask, ll[m0*n:m1*n], m1-m0, n, lmax, expZeroBelow)
		vecmath.Exp(w[:na], dl[:na])
		vecmath.AccumulateKept(num, den, w[:na], mask, fx[m0*n:m1*n], m1-m0, n)
		if post == nil {
			continue
		}
		j := 0
		for m := m0; m < m1; m++ {
			mk := mask[(m-m0)*nb : (m-m0+1)*nb]
			for i := 0; i < n; i++ {
				if mk[i/8]&(1<<(i%8)) != 0 {
					post[i*k+comp[m]] += w[j]
					j++
				}
			}
		}
	}
	for i := range dst[:n] {
		dst[i] = num[i] / den[i]
		if post != nil {
			pc := post[i*k : (i+1)*k]
			for c := range pc {
				pc[c] /= den[i]
			}
		}
	}
}

// mcScratch is PosteriorIndex's working memory, kept in mcPool between
// prompts.
type mcScratch struct {
	comp         []int
	fx, ll, lmax []float64
	inv, lg      []float64
	num, den     []float64
	dl, w        []float64 // a chunk's kept log-weights and their weights
	mask         []uint8   // which of a chunk's entries were kept (vecmath.KeepAbove)
	llScratch    []float64 // vecmath.LogLikRows's
	task         task.Scratch
}

// mcChunk is how many draws' weights PosteriorIndex computes at once.
const mcChunk = 256

var mcPool = sync.Pool{New: func() any { return new(mcScratch) }}

// grow sets *b to length n, reusing its memory when it can, and returns it.
func grow[T any](b *[]T, n int) []T {
	if cap(*b) < n {
		*b = make([]T, n)
	}
	*b = (*b)[:n]
	return *b
}
