package baseline

import (
	"fmt"

	"icl/internal/parallel"
	"icl/prompt"
)

// RunSuite writes dst[j] (B, N), the predictions of ps[j] on every prompt of b,
// exactly (bit for bit) as Run(dst[j], ps[j], b, workers) would, and, when post
// is not nil, the class posterior (B, N, K) of the first Posterior in ps, as
// RunPosterior would. It shares work between predictors of one prompt:
//
//   - every Lasso and LassoBest solves each distinct alpha's path once (the
//     lasso best in hindsight costs only a comparison);
//   - a BayesDense or BayesSparse equal to a component of a BayesMixture in ps
//     takes that component's predictions from the mixture's computation.
//
// The result does not depend on workers (<= 0 means GOMAXPROCS).
func RunSuite(dst [][]float64, post []float64, ps []Predictor, b *prompt.Batch, workers int) {
	if len(dst) != len(ps) {
		panic(fmt.Sprintf("baseline: RunSuite: %d outputs for %d predictors", len(dst), len(ps)))
	}
	for j := range dst {
		if len(dst[j]) != b.B*b.N {
			panic(fmt.Sprintf("baseline: RunSuite: len(dst[%d]) = %d, want B*N = %d", j, len(dst[j]), b.B*b.N))
		}
	}
	pl := planSuite(ps)
	k := 0
	if post != nil {
		if pl.post < 0 {
			panic("baseline: RunSuite: post given but no Posterior predictor in ps")
		}
		k = ps[pl.post].(Posterior).NumClasses()
		if len(post) != b.B*b.N*k {
			panic(fmt.Sprintf("baseline: RunSuite: len(post) = %d, want B*N*K = %d", len(post), b.B*b.N*k))
		}
	}
	parallel.For(b.B, workers, func(q int) {
		xs, ys := b.Prompt(q)
		n, d := b.N, b.D
		out := func(j int) []float64 { return dst[j][q*n : (q+1)*n] }
		var po []float64
		if post != nil {
			po = post[q*n*k : (q+1)*n*k]
		}
		// Lasso paths, one per distinct alpha.
		paths := make([][]float64, len(pl.alphas))
		for a, alpha := range pl.alphas {
			paths[a] = make([]float64, n)
			lassoPath(paths[a], nil, xs, ys, n, d, alpha)
		}
		best := make([][]float64, 0, len(pl.alphas))
		for j, p := range ps {
			switch pl.kind[j] {
			case suiteLasso:
				copy(out(j), paths[pl.idx[j][0]])
			case suiteLassoBest:
				best = best[:0]
				for _, a := range pl.idx[j] {
					best = append(best, paths[a])
				}
				lassoBestOf(out(j), best, ys, n)
			case suiteMixture:
				m := p.(*BayesMixture)
				kc := len(m.Components)
				means := make([]float64, kc*n)
				var pp []float64
				if j == pl.post {
					pp = po
				}
				m.predictPosterior(out(j), pp, nil, means, xs, ys, n, d)
				for _, t := range pl.shared[j] {
					copy(out(t.j), means[t.c*n:(t.c+1)*n])
				}
			case suiteShared:
				// written by its mixture
			default:
				if j == pl.post {
					p.(Posterior).PosteriorIndex(out(j), po, xs, ys, n, d, q)
				} else if ix, ok := p.(indexed); ok {
					ix.predictIndexed(out(j), xs, ys, n, d, q)
				} else {
					p.Predict(out(j), xs, ys, n, d)
				}
			}
		}
	})
}

const (
	suitePlain = iota
	suiteLasso
	suiteLassoBest
	suiteMixture
	suiteShared
)

type suitePlan struct {
	kind   []int
	idx    [][]int // Lasso: {alpha index}; LassoBest: alpha indices in its order
	alphas []float64
	shared map[int][]struct{ j, c int } // mixture j -> (predictor, component) pairs it writes
	post   int                          // index of the first Posterior, or -1
}

func planSuite(ps []Predictor) *suitePlan {
	pl := &suitePlan{kind: make([]int, len(ps)), idx: make([][]int, len(ps)),
		shared: map[int][]struct{ j, c int }{}, post: -1}
	alpha := func(a float64) int {
		for i, v := range pl.alphas {
			if v == a {
				return i
			}
		}
		pl.alphas = append(pl.alphas, a)
		return len(pl.alphas) - 1
	}
	for j, p := range ps {
		if _, ok := p.(Posterior); ok && pl.post < 0 {
			pl.post = j
		}
		switch p := p.(type) {
		case Lasso:
			if !(p.Alpha > 0) {
				panic("baseline: Lasso.Alpha must be > 0")
			}
			pl.kind[j], pl.idx[j] = suiteLasso, []int{alpha(p.Alpha)}
		case LassoBest:
			if len(p.Alphas) == 0 {
				panic("baseline: LassoBest.Alphas is empty")
			}
			pl.kind[j] = suiteLassoBest
			for _, a := range p.Alphas {
				if !(a > 0) {
					panic("baseline: LassoBest alphas must be > 0")
				}
				pl.idx[j] = append(pl.idx[j], alpha(a))
			}
		case *BayesMixture:
			pl.kind[j] = suiteMixture
		}
	}
	for j, p := range ps {
		if pl.kind[j] != suitePlain {
			continue
		}
	search:
		for mj, mp := range ps {
			if pl.kind[mj] != suiteMixture {
				continue
			}
			for c, comp := range mp.(*BayesMixture).Components {
				if sameGaussian(p, comp) {
					pl.kind[j] = suiteShared
					pl.shared[mj] = append(pl.shared[mj], struct{ j, c int }{j, c})
					break search
				}
			}
		}
	}
	return pl
}

// sameGaussian reports whether a and b are the same BayesDense or BayesSparse
// (comparable values; other types are never shared).
func sameGaussian(a Predictor, b Evidence) bool {
	switch a := a.(type) {
	case BayesDense:
		bb, ok := b.(BayesDense)
		return ok && a == bb
	case BayesSparse:
		bb, ok := b.(BayesSparse)
		return ok && a == bb
	}
	return false
}
