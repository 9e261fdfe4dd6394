package baseline

import (
	"fmt"
	"math"
)

// Lasso stopping rule, checked before every sweep: both the duality gap of
// 0.5|y - Xw|^2 + n alpha |w|_1 (the objective times n) is at most
// LassoTol * y.y, and every optimality condition holds to LassoKKTTol * n alpha:
// with g = X^T (y - Xw), |g_j - n alpha sign(w_j)| where w_j != 0 and
// |g_j| - n alpha where w_j = 0. The KKT bound is the binding one when the
// problem is under-determined, where a small gap leaves w loose along flat
// directions. A solve gives up after LassoMaxSweeps sweeps.
const (
	LassoTol       = 1e-12
	LassoKKTTol    = 1e-9
	LassoMaxSweeps = 100000
)

// NotConvergedError reports a coordinate descent that hit its sweep limit.
type NotConvergedError struct {
	Sweeps int
	Gap    float64 // final duality gap, bound tol * y.y
	KKT    float64 // final largest KKT violation / (n alpha), bound LassoKKTTol
}

func (e *NotConvergedError) Error() string {
	return fmt.Sprintf("baseline: lasso not converged after %d sweeps: duality gap %g, KKT violation %g (relative)",
		e.Sweeps, e.Gap, e.KKT)
}

// LassoSolve minimizes (1/(2n)) |y - Xw|^2 + alpha |w|_1 by cyclic coordinate
// descent starting from w (d), which it overwrites. g (d, d) is the full X^T X,
// c (d) is X^T y and yy is y.y for the n points. It stops when the duality gap of
// the problem scaled by n is at most tol * yy (the duality gap scikit-learn
// computes) and the KKT conditions hold to LassoKKTTol relative to n alpha, or
// after maxSweeps sweeps, then returns a *NotConvergedError. It returns the
// number of sweeps and the final gap.
func LassoSolve(w, g, c []float64, yy float64, n, d int, alpha, tol float64, maxSweeps int) (sweeps int, gap float64, err error) {
	if n == 0 {
		for j := range w[:d] {
			w[j] = 0
		}
		return 0, 0, nil
	}
	na := float64(n) * alpha
	q := make([]float64, d) // G w
	for j := 0; j < d; j++ {
		q[j] = dot(g[j*d:(j+1)*d], w[:d])
	}
	bound := tol * yy
	var pol lassoPolisher
	for sweeps = 0; ; sweeps++ {
		if sweeps > 0 && sweeps%lassoPolishEvery == 0 {
			pol.polish(w, q, g, c, d, na)
		}
		gap = lassoGap(w, q, c, yy, d, na)
		kkt := lassoKKT(w, q, c, d, na)
		if gap <= bound && kkt <= LassoKKTTol {
			return sweeps, gap, nil
		}
		if sweeps == maxSweeps {
			return sweeps, gap, &NotConvergedError{Sweeps: sweeps, Gap: gap, KKT: kkt}
		}
		for j := 0; j < d; j++ {
			gjj := g[j*d+j]
			old := w[j]
			var nw float64
			if gjj > 0 {
				rho := c[j] - q[j] + gjj*old
				switch {
				case rho > na:
					nw = (rho - na) / gjj
				case rho < -na:
					nw = (rho + na) / gjj
				}
			}
			if delta := nw - old; delta != 0 {
				w[j] = nw
				for k := 0; k < d; k++ {
					q[k] += g[k*d+j] * delta
				}
			}
		}
	}
}

// lassoPolishEvery is how often (in sweeps) coordinate descent is interrupted
// by an exact step on the current active set (lassoPolisher).
const lassoPolishEvery = 3

// lassoPolisher finishes coordinate descent exactly once it has found the active
// set A and signs s: it solves G_AA w_A = c_A - n alpha s_A. Where that point
// leaves the orthant of s it moves only to the first zero crossing (the
// objective decreases along the segment, as in feature-sign search). Where
// G_AA is singular (|A| > rank X, when coordinate descent only drifts along
// a flat direction) it moves along a null vector v of X_A in the direction that
// does not increase s.w until a coordinate reaches zero, leaving the residual
// unchanged. Every step keeps the objective non-increasing.
type lassoPolisher struct {
	act     []int
	a, b, v []float64
}

func (p *lassoPolisher) polish(w, q, g, c []float64, d int, na float64) {
	// Each null-space step zeroes one coordinate, so at most d of them run
	// before the active columns are independent and the face step runs.
	for range d + 1 {
		if !p.step(w, g, c, d, na) {
			break
		}
	}
	for j := 0; j < d; j++ {
		q[j] = dot(g[j*d:(j+1)*d], w[:d])
	}
}

// step makes one polishing step and reports whether it was a null-space step
// after which another step may follow.
func (p *lassoPolisher) step(w, g, c []float64, d int, na float64) bool {
	p.act = p.act[:0]
	for j := 0; j < d; j++ {
		if w[j] != 0 {
			p.act = append(p.act, j)
		}
	}
	m := len(p.act)
	if m == 0 {
		return false
	}
	if cap(p.a) < m*m {
		p.a, p.b, p.v = make([]float64, d*d), make([]float64, d), make([]float64, d)
	}
	a, b, v := p.a[:m*m], p.b[:m], p.v[:m]
	for r, j := range p.act {
		for s, k := range p.act {
			a[r*m+s] = g[j*d+k]
		}
		b[r] = c[j] - math.Copysign(na, w[j])
	}
	k := choleskyPartial(a, m, 1e-10)
	if k < m {
		// Column k of X_A depends on columns < k: v = (G_<k^{-1} G_<k,k, -1, 0...).
		for r := 0; r < k; r++ {
			v[r] = g[p.act[r]*d+p.act[k]]
		}
		solveLT(a, m, k, v)
		v[k] = -1
		for r := k + 1; r < m; r++ {
			v[r] = 0
		}
		sv := 0.0
		for r, j := range p.act {
			sv += math.Copysign(1, w[j]) * v[r]
		}
		if sv > 0 {
			for r := range v {
				v[r] = -v[r]
			}
		}
		// largest t with w_A + t v in the orthant: the first coordinate to reach 0.
		t, hit := math.Inf(1), -1
		for r, j := range p.act {
			if v[r]*w[j] < 0 {
				if tj := -w[j] / v[r]; tj < t {
					t, hit = tj, r
				}
			}
		}
		if hit < 0 {
			return false // no coordinate can reach zero: leave it to coordinate descent
		}
		for r, j := range p.act {
			w[j] += t * v[r]
		}
		w[p.act[hit]] = 0
		return true
	}
	{
		solveLT(a, m, m, b) // b = the minimizer on the face of signs s
		t, hit := 1.0, -1
		for r, j := range p.act {
			if b[r]*w[j] <= 0 { // crosses zero on the way
				if tj := w[j] / (w[j] - b[r]); tj < t {
					t, hit = tj, r
				}
			}
		}
		for r, j := range p.act {
			w[j] += t * (b[r] - w[j])
		}
		if hit >= 0 {
			w[p.act[hit]] = 0
		}
	}
	return false
}

// lassoKKT is the largest violation of the optimality conditions relative to
// na: |g_j - na sign(w_j)| where w_j != 0, |g_j| - na where w_j = 0, g = c - q.
func lassoKKT(w, q, c []float64, d int, na float64) float64 {
	v := 0.0
	for j := 0; j < d; j++ {
		g := c[j] - q[j]
		if w[j] != 0 {
			v = max(v, math.Abs(g-math.Copysign(na, w[j])))
		} else {
			v = max(v, math.Abs(g)-na)
		}
	}
	return v / na
}

// lassoGap is scikit-learn's duality gap for 0.5|R|^2 + na |w|_1, R = y - Xw,
// from q = G w, c = X^T y and yy = y.y.
func lassoGap(w, q, c []float64, yy float64, d int, na float64) float64 {
	wc, wq, l1, dn := 0.0, 0.0, 0.0, 0.0
	for j := 0; j < d; j++ {
		wc += w[j] * c[j]
		wq += w[j] * q[j]
		l1 += math.Abs(w[j])
		dn = max(dn, math.Abs(c[j]-q[j])) // |X^T R|_inf
	}
	r2 := max(yy-2*wc+wq, 0) // |R|^2
	ry := yy - wc            // R.y
	cst := 1.0
	var gap float64
	if dn > na {
		cst = na / dn
		gap = 0.5 * (r2 + r2*cst*cst)
	} else {
		gap = r2
	}
	return gap + na*l1 - cst*ry
}

// Lasso predicts with the lasso solution for Alpha over the first i points,
// warm-started from position i-1's solution. A solve that hits LassoMaxSweeps
// keeps its last iterate.
type Lasso struct{ Alpha float64 }

func (p Lasso) Name() string { return fmt.Sprintf("lasso_alpha=%g", p.Alpha) }
func (p Lasso) Predict(dst []float64, xs, ys []float64, n, d int) {
	checkShapes(dst, xs, ys, n, d)
	if !(p.Alpha > 0) {
		panic("baseline: Lasso.Alpha must be > 0")
	}
	lassoPath(dst, nil, xs, ys, n, d, p.Alpha)
}

// lassoPath writes the lasso predictions (n) and, if ws is not nil, the
// solutions ws (n, d) for every prefix.
func lassoPath(dst, ws []float64, xs, ys []float64, n, d int, alpha float64) {
	g := make([]float64, d*d)
	c := make([]float64, d)
	w := make([]float64, d)
	yy := 0.0
	for i := 0; i < n; i++ {
		x := xs[i*d : (i+1)*d]
		LassoSolve(w, g, c, yy, i, d, alpha, LassoTol, LassoMaxSweeps) // last iterate on error
		dst[i] = dot(w, x)
		if ws != nil {
			copy(ws[i*d:(i+1)*d], w)
		}
		for s := 0; s < d; s++ {
			for t := 0; t < d; t++ {
				g[s*d+t] += x[s] * x[t]
			}
			c[s] += x[s] * ys[i]
		}
		yy += ys[i] * ys[i]
	}
}

// LassoBest is the lasso whose Alpha, among Alphas, has the smallest squared
// error at each position, chosen after seeing the label: an oracle, not a
// predictor, and named as such.
type LassoBest struct{ Alphas []float64 }

func (p LassoBest) Name() string { return "lasso_best_in_hindsight" }
func (p LassoBest) Predict(dst []float64, xs, ys []float64, n, d int) {
	checkShapes(dst, xs, ys, n, d)
	if len(p.Alphas) == 0 {
		panic("baseline: LassoBest.Alphas is empty")
	}
	preds := make([][]float64, len(p.Alphas))
	for a, alpha := range p.Alphas {
		preds[a] = make([]float64, n)
		Lasso{alpha}.Predict(preds[a], xs, ys, n, d)
	}
	lassoBestOf(dst, preds, ys, n)
}

// lassoBestOf writes dst[i] = preds[a][i] for the a with the smallest squared
// error against ys[i], the first such a on ties.
func lassoBestOf(dst []float64, preds [][]float64, ys []float64, n int) {
	for a, pr := range preds {
		for i := 0; i < n; i++ {
			if a == 0 || sq(pr[i]-ys[i]) < sq(dst[i]-ys[i]) {
				dst[i] = pr[i]
			}
		}
	}
}

func sq(x float64) float64 { return x * x }
