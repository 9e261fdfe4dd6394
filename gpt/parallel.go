package gpt

import "icl/gpt/kernels"

// parallelFor calls fn on disjoint ranges [lo, hi) covering [0, n), at most
// kernels.Threads() of them and none smaller than grain items unless n itself
// is, on the goroutine pool of package kernels. Callers make every output depend
// on exactly one index and compute it the same way whatever the range, so results
// do not depend on the split.
func parallelFor(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	p := kernels.Threads()
	if q := n / max(grain, 1); q < p {
		p = q
	}
	if p <= 1 {
		fn(0, n)
		return
	}
	kernels.Parallel(p, func(i0, i1 int) {
		for i := i0; i < i1; i++ {
			fn(n*i/p, n*(i+1)/p)
		}
	})
}
