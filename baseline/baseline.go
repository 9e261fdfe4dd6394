package baseline

import (
	"fmt"
	"math"

	"icl/internal/parallel"
	"icl/prompt"
)

// Predictor predicts every position of one prompt from its prefix.
type Predictor interface {
	// Name is the baseline and its parameters, e.g. "ridge_lambda=0.1".
	Name() string
	// Predict writes dst[i], the prediction of ys[i] from points 0..i-1, for
	// i < n. xs is (n, d), ys is (n), dst is (n). dst[0] is 0.
	Predict(dst []float64, xs, ys []float64, n, d int)
}

// Evidence is a Bayes predictor that also reports its marginal likelihood, so
// that mixtures of classes can weigh it.
type Evidence interface {
	Predictor
	// PredictEvidence writes dst as Predict does and logev[i] = log p(y_0..y_{i-1} |
	// x_0..x_{i-1}) under the predictor's prior (logev[0] = 0). Both are (n).
	PredictEvidence(dst, logev []float64, xs, ys []float64, n, d int)
}

// indexed is implemented by predictors whose randomness is labeled by the
// prompt's index in its batch (MonteCarlo).
type indexed interface {
	predictIndexed(dst []float64, xs, ys []float64, n, d, index int)
}

// Run writes dst (B, N), the predictions of p on every prompt of b, using up to
// workers goroutines (<= 0 means GOMAXPROCS). The result does not depend on
// workers.
func Run(dst []float64, p Predictor, b *prompt.Batch, workers int) {
	if len(dst) != b.B*b.N {
		panic(fmt.Sprintf("baseline: len(dst) = %d, want B*N = %d", len(dst), b.B*b.N))
	}
	ix, isIndexed := p.(indexed)
	parallel.For(b.B, workers, func(k int) {
		xs, ys := b.Prompt(k)
		out := dst[k*b.N : (k+1)*b.N]
		if isIndexed {
			ix.predictIndexed(out, xs, ys, b.N, b.D, k)
		} else {
			p.Predict(out, xs, ys, b.N, b.D)
		}
	})
}

func checkShapes(dst, xs, ys []float64, n, d int) {
	if len(dst) < n || len(xs) < n*d || len(ys) < n {
		panic(fmt.Sprintf("baseline: shapes: len(dst)=%d len(xs)=%d len(ys)=%d for n=%d d=%d",
			len(dst), len(xs), len(ys), n, d))
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// Zero predicts 0 everywhere.
type Zero struct{}

func (Zero) Name() string { return "zero" }
func (Zero) Predict(dst []float64, xs, ys []float64, n, d int) {
	checkShapes(dst, xs, ys, n, d)
	for i := range dst[:n] {
		dst[i] = 0
	}
}

// Averaging predicts w.x_i with w = (1/i) sum_{j<i} x_j y_j.
type Averaging struct{}

func (Averaging) Name() string { return "averaging" }
func (Averaging) Predict(dst []float64, xs, ys []float64, n, d int) {
	checkShapes(dst, xs, ys, n, d)
	s := make([]float64, d) // sum_{j<i} x_j y_j
	for i := 0; i < n; i++ {
		x := xs[i*d : (i+1)*d]
		if i == 0 {
			dst[i] = 0
		} else {
			dst[i] = dot(s, x) / float64(i)
		}
		for j, v := range x {
			s[j] += v * ys[i]
		}
	}
}

// KNN predicts the unweighted mean of y over the K nearest of the first i points
// in Euclidean distance (all i points when i < K). Ties in distance go to the
// earlier point.
type KNN struct{ K int }

func (p KNN) Name() string { return fmt.Sprintf("knn_k=%d", p.K) }
func (p KNN) Predict(dst []float64, xs, ys []float64, n, d int) {
	checkShapes(dst, xs, ys, n, d)
	if p.K < 1 {
		panic("baseline: KNN.K < 1")
	}
	type nb struct {
		dist float64
		j    int
	}
	// best holds the K nearest so far in increasing distance, an earlier point
	// before a later one at equal distance: the first K of a stable sort.
	best := make([]nb, 0, p.K)
	for i := 0; i < n; i++ {
		if i == 0 {
			dst[0] = 0
			continue
		}
		x := xs[i*d : (i+1)*d]
		best = best[:0]
		for j := 0; j < i; j++ {
			s := 0.0
			for t, v := range xs[j*d : (j+1)*d] {
				e := v - x[t]
				s += e * e
			}
			if len(best) == p.K && !(s < best[p.K-1].dist) {
				continue
			}
			at := len(best) // insert after every entry with dist <= s
			for at > 0 && s < best[at-1].dist {
				at--
			}
			if len(best) < p.K {
				best = append(best, nb{})
			}
			copy(best[at+1:], best[at:len(best)-1])
			best[at] = nb{s, j}
		}
		s := 0.0
		for _, q := range best {
			s += ys[q.j]
		}
		dst[i] = s / float64(len(best))
	}
}

// logSumExp returns log sum exp(a).
func logSumExp(a []float64) float64 {
	m := math.Inf(-1)
	for _, v := range a {
		m = max(m, v)
	}
	if math.IsInf(m, -1) {
		return m
	}
	s := 0.0
	for _, v := range a {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}
