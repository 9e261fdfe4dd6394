package prompt

import (
	"fmt"
	"math"
)

// Batch is B prompts of N points in dimension D, row-major, float64.
type Batch struct {
	B, N, D int
	Xs      []float64 // (B, N, D)
	Ys      []float64 // (B, N)
	// Class is the mixture component each prompt was drawn from, (B); nil when
	// the class is not a mixture.
	Class []int
	// Indicator is the family each prompt shows the model, (B): the index of
	// its mixture component (Class) when the prompt shows its family
	// indicator, Hidden when it does not; nil when the prompts carry no
	// indicator (Sampler.FamilyIndicator 0). Families is the indicator's
	// length F, the number of mixture components; 0 when Indicator is nil.
	Indicator []int
	Families  int
	// Scale is the error normalizer of each prompt's class, (B): the drawn
	// component's Scale for a mixture, times Setting.YScale^2.
	Scale []float64

	// QXs (B, N, D) and QYs (B, N) are the query points of an
	// out-of-distribution query setting, nil for the normal setting. Position i
	// of prompt p is then scored on the query (QXs[p,i], QYs[p,i]) given the
	// context points 0..i-1 of Xs and Ys (Garg et al.'s evaluation); see
	// QueryPrompt. Without queries the query at i is (Xs[p,i], Ys[p,i]).
	QXs, QYs []float64
	// QueryLen is the number of leading positions that have a query: N except
	// for the orthogonal setting, whose queries beyond the rank of the inputs
	// do not exist and are NaN. It is read only when QXs is not nil.
	QueryLen int
}

// NewBatch allocates a zeroed batch without queries.
func NewBatch(b, n, d int) *Batch {
	return &Batch{B: b, N: n, D: d,
		Xs: make([]float64, b*n*d), Ys: make([]float64, b*n), Scale: make([]float64, b),
		QueryLen: n}
}

// X returns point i of prompt p, a view of length D.
func (bt *Batch) X(p, i int) []float64 {
	o := (p*bt.N + i) * bt.D
	return bt.Xs[o : o+bt.D]
}

// Prompt returns views of prompt p's inputs (N, D) and labels (N).
func (bt *Batch) Prompt(p int) (xs, ys []float64) {
	return bt.Xs[p*bt.N*bt.D : (p+1)*bt.N*bt.D], bt.Ys[p*bt.N : (p+1)*bt.N]
}

// Query returns the query point (a view of length D) and label scored at
// position i of prompt p: (QXs[p,i], QYs[p,i]) when the batch has queries,
// (Xs[p,i], Ys[p,i]) otherwise. Both are NaN for i >= QueryLen.
func (bt *Batch) Query(p, i int) (x []float64, y float64) {
	o := p*bt.N + i
	if bt.QXs == nil {
		return bt.Xs[o*bt.D : (o+1)*bt.D], bt.Ys[o]
	}
	return bt.QXs[o*bt.D : (o+1)*bt.D], bt.QYs[o]
}

// QueryPrompt writes into xs (i+1, D) and ys (i+1) the prompt that scores
// position i of prompt p: context points 0..i-1 followed by the query at i.
// It reports false, writing nothing, when position i has no query
// (i >= QueryLen).
func (bt *Batch) QueryPrompt(xs, ys []float64, p, i int) bool {
	if i >= bt.N || (bt.QXs != nil && i >= bt.QueryLen) {
		return false
	}
	d := bt.D
	px, py := bt.Prompt(p)
	copy(xs[:i*d], px[:i*d])
	copy(ys[:i], py[:i])
	qx, qy := bt.Query(p, i)
	copy(xs[i*d:(i+1)*d], qx)
	ys[i] = qy
	return !math.IsNaN(qy)
}

// Hidden is the Indicator of a prompt that does not show its family: its
// indicator features are all zero.
const Hidden = -1

// IndicatorFeatures writes into dst (hi-lo, Families) the indicator features
// of prompts lo..hi-1: row p is the one-hot e_k of the family k = Indicator[p]
// it shows, zeros when it is Hidden.
func (bt *Batch) IndicatorFeatures(dst []float32, lo, hi int) {
	F := bt.Families
	if bt.Indicator == nil || len(dst) != (hi-lo)*F {
		panic(fmt.Sprintf("prompt: IndicatorFeatures: batch indicator %v of %d families, len(dst) = %d for prompts [%d, %d)",
			bt.Indicator != nil, F, len(dst), lo, hi))
	}
	clear(dst)
	for p := lo; p < hi; p++ {
		if k := bt.Indicator[p]; k != Hidden {
			dst[(p-lo)*F+k] = 1
		}
	}
}
