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
	fx := grow(&sc.fx, p.M*n) // (M, n): f_m(x_i), every entry written below
	ll := grow(&sc.ll, p.M)   // log-likelihood of the first i points
	clear(ll)
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
	for m := 0; m < p.M; m++ {
		if isMix {
			comp[m] = mix.Pick(r)
		}
		if fast {
			samplers[comp[m]].SampleEval(fx[m*n:(m+1)*n], r, xs, d, scratch)
			continue
		}
		var f task.Func
		if isMix {
			f = mix.Components[comp[m]].Sample(r)
		} else {
			f = p.Class.Sample(r)
		}
		for i := 0; i < n; i++ {
			fx[m*n+i] = f.Eval(xs[i*d : (i+1)*d])
		}
	}
	// The weights of a chunk of draws are computed at once (vecmath.Exp:
	// math.Exp's bits); the sums run in draw order.
	dl, w := sc.dl[:], sc.w[:]
	// Each draw's likelihood terms, 1/(2 sigma^2) and log sigma of its
	// component, read in draw order below.
	inv, lg := grow(&sc.inv, p.M), grow(&sc.lg, p.M)
	for m, c := range comp {
		inv[m], lg[m] = inv2s2[c], logs[c]
	}
	lmax := 0.0 // the largest of ll, kept as ll is updated
	for i := 0; i < n; i++ {
		next := math.Inf(-1)
		num, den := 0.0, 0.0
		var pc []float64
		if post != nil {
			pc = post[i*k : (i+1)*k]
			clear(pc)
		}
		for m0 := 0; m0 < p.M; m0 += mcChunk {
			c := min(mcChunk, p.M-m0)
			for j, l := range ll[m0 : m0+c] {
				dl[j] = l - lmax
			}
			vecmath.Exp(w[:c], dl[:c])
			for j := range c {
				m := m0 + j
				v := fx[m*n+i]
				// A draw whose weight underflows to 0 adds nothing: it is
				// skipped (the sums come out the same bits).
				if dl[j] >= expZeroBelow {
					num += w[j] * v
					den += w[j]
					if pc != nil {
						pc[comp[m]] += w[j]
					}
				}
				ll[m] -= sq(ys[i]-v)*inv[m] + lg[m]
				next = max(next, ll[m])
			}
		}
		lmax = next
		dst[i] = num / den
		for c := range pc {
			pc[c] /= den
		}
	}
}

// mcScratch is PosteriorIndex's working memory, kept in mcPool between
// prompts.
type mcScratch struct {
	comp            []int
	fx, ll, inv, lg []float64
	dl, w           [mcChunk]float64 // a chunk's log-weights and weights
	task            task.Scratch
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
