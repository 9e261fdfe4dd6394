package gpt

import "icl/gpt/kernels"

// parallelFor calls fn on disjoint ranges [lo, hi) covering [0, n), on the
// goroutine pool of package kernels: about four ranges per goroutine, claimed
// dynamically, none smaller than grain items unless n itself is. Callers make
// every output depend on exactly one index and compute it the same way whatever
// the range, so results do not depend on the split.
func parallelFor(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	t := kernels.Threads()
	grain = max(grain, 1)
	if t <= 1 || n < 2*grain {
		fn(0, n)
		return
	}
	kernels.ParallelChunks(n, max(grain, (n+4*t-1)/(4*t)), fn)
}
