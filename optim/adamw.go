package optim

import (
	"fmt"
	"math"

	"icl/config"
	"icl/internal/parallel"
)

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter), as PyTorch's
// torch.optim.AdamW computes it. M and V are the first and second moment
// estimates and Step the number of updates made; all three are exported so
// checkpoints can save and restore them.
type AdamW struct {
	Beta1, Beta2, Eps, WeightDecay float64
	M, V                           []float32
	Step                           int
}

// NewAdamW returns an AdamW for n parameters with zero moments.
func NewAdamW(n int, beta1, beta2, eps, wd float64) *AdamW {
	return &AdamW{Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: wd,
		M: make([]float32, n), V: make([]float32, n)}
}

// AdamWConfig are AdamW's hyper-parameters, as read from a config file.
type AdamWConfig struct {
	Beta1       float64 `yaml:"beta1" json:"beta1"`
	Beta2       float64 `yaml:"beta2" json:"beta2"`
	Eps         float64 `yaml:"eps" json:"eps"`
	WeightDecay float64 `yaml:"weight_decay" json:"weight_decay"`
}

// DefaultAdamW is PyTorch's AdamW default except for weight decay, which is 0:
// beta1 0.9, beta2 0.999, eps 1e-8.
func DefaultAdamW() AdamWConfig { return AdamWConfig{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// Validate reports the first invalid field of c, or nil.
func (c AdamWConfig) Validate() error {
	switch {
	case !(c.Beta1 >= 0 && c.Beta1 < 1):
		return config.Must("beta1", c.Beta1, "in [0, 1)")
	case !(c.Beta2 >= 0 && c.Beta2 < 1):
		return config.Must("beta2", c.Beta2, "in [0, 1)")
	case !(c.Eps > 0) || math.IsInf(c.Eps, 0):
		return config.Must("eps", c.Eps, "a finite number > 0")
	case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0):
		return config.Must("weight_decay", c.WeightDecay, "a finite number >= 0")
	}
	return nil
}

// New returns an AdamW with c's hyper-parameters for n parameters.
func (c AdamWConfig) New(n int) *AdamW { return NewAdamW(n, c.Beta1, c.Beta2, c.Eps, c.WeightDecay) }

// Update makes one AdamW step on params with learning rate lr:
//
//	step += 1
//	p -= lr*wd*p
//	m = beta1*m + (1-beta1)*g;  v = beta2*v + (1-beta2)*g^2
//	p -= lr * (m/(1-beta1^step)) / (sqrt(v/(1-beta2^step)) + eps)
//
// computed in float64 per element and stored in float32.
func (o *AdamW) Update(params, grads []float32, lr float64) {
	if len(params) != len(o.M) || len(grads) != len(o.M) || len(o.V) != len(o.M) {
		panic(fmt.Sprintf("optim: AdamW.Update: len(params) = %d, len(grads) = %d, moments %d and %d",
			len(params), len(grads), len(o.M), len(o.V)))
	}
	o.Step++
	b1, b2 := o.Beta1, o.Beta2
	bc1 := 1 - math.Pow(b1, float64(o.Step))
	bc2 := 1 - math.Pow(b2, float64(o.Step))
	c := [8]float32{float32(b1), float32(1 - b1), float32(b2), float32(1 - b2),
		float32(1 - lr*o.WeightDecay), float32(lr / bc1), float32(1 / math.Sqrt(bc2)), float32(o.Eps)}
	parallel.Ranges(len(params), 1<<14, func(lo, hi int) {
		p, g, m, v := params[lo:hi], grads[lo:hi], o.M[lo:hi], o.V[lo:hi]
		k := adamwVec(p, g, m, v, &c)
		adamwScalar(p[k:], g[k:], m[k:], v[k:], &c)
	})
}

// adamwScalar is the AdamW step in float32, with c as Update builds it:
// m = b1 m + (1-b1) g, v = b2 v + ((1-b2) g) g, p = p decay - (step m) /
// (sqrt(v) / sqrt(bc2) + eps). The vector kernel does the same operations in
// the same order, and the conversions keep Go from fusing any of them, so
// every entry gets the same bits whichever does it.
func adamwScalar(p, g, m, v []float32, c *[8]float32) {
	b1, omb1, b2, omb2, decay, step, isb2, eps := c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]
	for i := range p {
		gi := g[i]
		mi := float32(b1*m[i]) + float32(omb1*gi)
		vi := float32(b2*v[i]) + float32(float32(omb2*gi)*gi)
		m[i], v[i] = mi, vi
		den := float32(float32(math.Sqrt(float64(vi)))*isb2) + eps
		p[i] = float32(p[i]*decay) - float32(step*mi)/den
	}
}

// normChunk is the fixed chunk size of ClipGradNorm's partial sums.
const normChunk = 1 << 14

// GradNorm is the Euclidean norm of grads, summed in float64 over fixed chunks
// combined in a fixed order.
func GradNorm(grads []float32) float64 {
	nc := (len(grads) + normChunk - 1) / normChunk
	part := make([]float64, nc)
	parallel.Ranges(nc, 1, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			var s float64
			for _, g := range grads[c*normChunk : min((c+1)*normChunk, len(grads))] {
				s += float64(g) * float64(g)
			}
			part[c] = s
		}
	})
	var s float64
	for _, p := range part {
		s += p
	}
	return math.Sqrt(s)
}

// ClipGradNorm scales grads so their Euclidean norm is at most maxNorm, as
// torch.nn.utils.clip_grad_norm_ does (factor maxNorm/(norm+1e-6) when that is
// below 1), and returns the norm before clipping. maxNorm <= 0 only measures.
func ClipGradNorm(grads []float32, maxNorm float64) (norm float64) {
	norm = GradNorm(grads)
	if maxNorm <= 0 {
		return norm
	}
	coef := maxNorm / (norm + 1e-6)
	if coef >= 1 {
		return norm
	}
	k := float32(coef)
	parallel.Ranges(len(grads), 1<<14, func(lo, hi int) {
		for i := range grads[lo:hi] {
			grads[lo+i] *= k
		}
	})
	return norm
}
