package gpt

import (
	"runtime"
	"sync"

	"icl/gpt/kernels"
)

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

// OnCores runs forward passes of m over the chunks [lo, hi) of chunk items
// that cover [0, n), shared out over up to GOMAXPROCS goroutines: each calls
// worker once for its function (with its own buffers) and then that function
// on every chunk it takes, with its own model, m for the first goroutine and
// a Replica for the others, and the engine on one thread (kernels.SetThreads
// is 1 until OnCores returns, for any product that runs meanwhile too). A
// core's forward pass then never waits for another's, and its activations
// stay in its cache. The functions may only predict with their model and
// write what depends on their own chunks; m's parameters must not change.
// Chunk c goes to goroutine c mod their number, and a prompt's prediction is
// the same in any chunk, so results do not depend on the split.
func (m *Model) OnCores(n, chunk int, worker func() func(r *Model, lo, hi int)) {
	if n <= 0 {
		return
	}
	chunk = max(chunk, 1)
	chunks := (n + chunk - 1) / chunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers == 1 {
		fn := worker()
		for lo := 0; lo < n; lo += chunk {
			fn(m, lo, min(lo+chunk, n))
		}
		return
	}
	defer kernels.SetThreads(kernels.SetThreads(1))
	var wg sync.WaitGroup
	for w := range workers {
		r := m
		if w > 0 {
			r = m.Replica()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn := worker()
			for c := w; c < chunks; c += workers {
				fn(r, c*chunk, min((c+1)*chunk, n))
			}
			if r != m {
				r.releaseActs() // for the next replica
			}
		}()
	}
	wg.Wait()
}
