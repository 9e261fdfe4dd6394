package eval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"icl/internal/vecmath"
)

// Curve is a predictor's error per prompt position with an interval band.
type Curve struct {
	Name string `json:"name"` // display text: legends and tables
	// Key identifies the curve's predictor (Predictor.Key) for analyses;
	// empty for a curve that is not a predictor's (e.g. an implied weight).
	Key  string    `json:"key,omitempty"`
	Mean []float64 `json:"mean"` // (N)
	Lo   []float64 `json:"lo"`   // (N) lower end of the interval
	Hi   []float64 `json:"hi"`   // (N) upper end of the interval
}

// Len is the number of positions.
func (c *Curve) Len() int { return len(c.Mean) }

// ICLCurve summarizes errs (B, N), each prompt's squared errors already divided
// by its class scale: Mean[i] is the mean over prompts at position i, and
// [Lo[i], Hi[i]] the percentile bootstrap interval at the given level (e.g.
// 0.9) from boots resamples of the B prompts with replacement, drawn from r.
// Every position uses the same resamples. A position whose errors include NaN
// (no query there) gets NaN everywhere. With boots = 0, Lo and Hi equal Mean.
func ICLCurve(name string, errs []float64, B, N int, level float64, boots int, r *rand.Rand) Curve {
	if len(errs) != B*N {
		panic(fmt.Sprintf("eval: ICLCurve: len(errs) = %d, want B*N = %d", len(errs), B*N))
	}
	if B < 1 || !(level > 0 && level < 1) || boots < 0 {
		panic(fmt.Sprintf("eval: ICLCurve: B = %d, level = %g, boots = %d", B, level, boots))
	}
	c := Curve{Name: name, Mean: make([]float64, N), Lo: make([]float64, N), Hi: make([]float64, N)}
	for p := 0; p < B; p++ {
		for i, e := range errs[p*N : (p+1)*N] {
			c.Mean[i] += e
		}
	}
	for i := range c.Mean {
		c.Mean[i] /= float64(B)
	}
	if boots == 0 {
		copy(c.Lo, c.Mean)
		copy(c.Hi, c.Mean)
		return c
	}
	bm := make([]float64, boots*N) // (boots, N) bootstrap means
	idx := make([]int32, B)        // one resample's prompts, in draw order
	for k := 0; k < boots; k++ {
		m := bm[k*N : (k+1)*N]
		for j := range idx {
			idx[j] = int32(r.IntN(B))
		}
		vecmath.AddRows(m, errs, idx, N) // m[i] += errs[p*N+i], prompt by prompt
		for i := range m {
			m[i] /= float64(B)
		}
	}
	col := make([]float64, boots)
	for i := 0; i < N; i++ {
		if math.IsNaN(c.Mean[i]) {
			c.Lo[i], c.Hi[i] = math.NaN(), math.NaN()
			continue
		}
		for k := range col {
			col[k] = bm[k*N+i]
		}
		c.Lo[i], c.Hi[i] = percentiles(col, (1-level)/2, (1+level)/2)
	}
	return c
}

// percentiles sorts v and returns its quantiles qa and qb with linear
// interpolation between order statistics (numpy's default).
func percentiles(v []float64, qa, qb float64) (a, b float64) {
	sort.Float64s(v)
	return quantileSorted(v, qa), quantileSorted(v, qb)
}

func quantileSorted(v []float64, q float64) float64 {
	n := len(v)
	if n == 1 {
		return v[0]
	}
	h := q * float64(n-1)
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return v[n-1]
	}
	f := h - float64(lo)
	return v[lo] + f*(v[lo+1]-v[lo])
}

// At returns the curve's mean, lo and hi at position i, NaN when out of range.
func (c *Curve) At(i int) (mean, lo, hi float64) {
	if i < 0 || i >= len(c.Mean) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	return c.Mean[i], c.Lo[i], c.Hi[i]
}
