package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls f(k) once for every k in [0, n), on up to workers goroutines
// (workers <= 0 means runtime.GOMAXPROCS(0)), the calling one among them.
// Indices are handed out in increasing order, one at a time, to whichever
// goroutine is free. For returns when every call has returned.
func For(n, workers int, f func(k int)) {
	ForWith(n, workers, func() struct{} { return struct{}{} },
		func(_ struct{}, k int) { f(k) })
}

// ForWith is For with per-goroutine state: each goroutine that runs calls
// init once, before its first index, and passes the result to f with every
// index it runs. It is meant for scratch space that f overwrites before it
// reads it.
func ForWith[S any](n, workers int, init func() S, f func(s S, k int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	if workers <= 0 {
		return
	}
	if workers == 1 {
		s := init()
		for k := 0; k < n; k++ {
			f(s, k)
		}
		return
	}
	var next atomic.Int64
	work := func() {
		s := init()
		for {
			k := int(next.Add(1)) - 1
			if k >= n {
				return
			}
			f(s, k)
		}
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
}

// Ranges calls f(lo, hi) in parallel on disjoint ranges [lo, hi) covering
// [0, n): at most runtime.GOMAXPROCS(0) ranges of nearly equal length, none
// shorter than grain items (grain <= 0 means 1) unless n itself is, in which
// case f(0, n) runs alone. Nothing is called when n <= 0. The calling
// goroutine runs the first range; Ranges returns when every call has.
func Ranges(n, grain int, f func(lo, hi int)) {
	p := runtime.GOMAXPROCS(0)
	if q := n / max(grain, 1); q < p {
		p = q
	}
	if p <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(p - 1)
	for i := 1; i < p; i++ {
		lo, hi := n*i/p, n*(i+1)/p
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	f(0, n/p)
}
