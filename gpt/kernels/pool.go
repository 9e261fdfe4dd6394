package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The package keeps one pool of worker goroutines, started once and grown on
// demand, that Gemm and Parallel share. Work is cut into chunks whose
// boundaries depend only on the problem (and, for Parallel, on Threads()); the
// chunks are claimed dynamically by the calling goroutine and by idle workers.
// The caller always takes part, so a job completes even when every worker is
// busy (for instance when Gemm is called from inside a Parallel body).

var (
	threads  atomic.Int64 // number of goroutines a job may use, caller included
	poolMu   sync.Mutex
	nWorkers atomic.Int64
	jobs     = make(chan *job, 1024)
)

func init() {
	threads.Store(int64(runtime.GOMAXPROCS(0)))
}

// SetThreads sets how many goroutines (the caller included) Gemm and Parallel
// may use and returns the previous setting. n <= 0 selects GOMAXPROCS. The
// results of Gemm do not depend on this setting; it exists so that tests and
// benchmarks can compare one goroutine with many.
func SetThreads(n int) int {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return int(threads.Swap(int64(n)))
}

// Threads returns the current number of goroutines Gemm and Parallel may use.
func Threads() int { return int(threads.Load()) }

// ensureWorkers starts workers until at least n are running.
func ensureWorkers(n int) {
	if int(nWorkers.Load()) >= n {
		return
	}
	poolMu.Lock()
	for int(nWorkers.Load()) < n {
		go worker()
		nWorkers.Add(1)
	}
	poolMu.Unlock()
}

// spinTime is how long an idle worker polls for the next job, and a caller
// for its job's last chunks, before blocking: a training step issues hundreds
// of parallel regions in quick succession, and waking a parked goroutine costs
// more than a short spin.
const spinTime = 50 * time.Microsecond

func worker() {
	for {
		j := spinRecv()
		if j == nil {
			j = <-jobs
		}
		j.work()
	}
}

// spinRecv polls the job queue for up to spinTime and returns the job it
// got, or nil.
func spinRecv() *job {
	var start time.Time
	for i := 0; ; i++ {
		select {
		case j := <-jobs:
			return j
		default:
		}
		if i%32 == 0 {
			if i == 0 {
				start = time.Now()
			} else if time.Since(start) > spinTime {
				return nil
			}
			runtime.Gosched() // let others run where goroutines outnumber Ps
		}
	}
}

// job is one parallel loop over [0, n) cut into chunks of grain indices.
type job struct {
	n, grain int
	chunks   int64
	next     atomic.Int64
	left     atomic.Int64 // chunks not yet done
	fn       func(lo, hi int)
	wg       sync.WaitGroup
}

func (j *job) work() {
	for {
		c := j.next.Add(1) - 1
		if c >= j.chunks {
			return
		}
		lo := int(c) * j.grain
		j.fn(lo, min(lo+j.grain, j.n))
		j.left.Add(-1)
		j.wg.Done()
	}
}

// run calls fn over [0, n) in chunks [c*grain, min((c+1)*grain, n)), using up
// to Threads() goroutines, and returns when all chunks are done.
func run(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	grain = max(grain, 1)
	chunks := (n + grain - 1) / grain
	t := Threads()
	if t <= 1 || chunks == 1 {
		for lo := 0; lo < n; lo += grain {
			fn(lo, min(lo+grain, n))
		}
		return
	}
	ensureWorkers(t - 1)
	j := &job{n: n, grain: grain, chunks: int64(chunks), fn: fn}
	j.wg.Add(chunks)
	j.left.Store(int64(chunks))
	for i := 0; i < min(chunks-1, t-1); i++ {
		select {
		case jobs <- j:
		default: // queue full: the caller does the work itself
		}
	}
	j.work()
	if j.left.Load() != 0 { // chunks still running elsewhere: spin, then block
		start := time.Now()
		for i := 1; j.left.Load() != 0; i++ {
			if i%32 == 0 {
				if time.Since(start) > spinTime {
					break
				}
				runtime.Gosched()
			}
		}
	}
	j.wg.Wait()
}

// Parallel calls fn(lo, hi) over contiguous ranges that cover [0, n) exactly
// once, on the package's goroutine pool, and returns when all calls are done.
// The ranges hold ceil(n/Threads()) indices each (the last may hold fewer), so
// there are at most Threads() of them; they depend only on n and Threads(),
// never on scheduling. fn must be
// safe to call concurrently on disjoint ranges. For results independent of the
// thread count, fn should compute each index independently of the range it was
// handed. Parallel may be nested and may call Gemm.
func Parallel(n int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	t := max(Threads(), 1)
	run(n, (n+t-1)/t, fn)
}

// ParallelChunks calls fn(lo, hi) on the chunks [c*chunk, min((c+1)*chunk, n))
// that cover [0, n), on up to Threads() goroutines of the pool (the caller
// included), which claim chunks one at a time as they become free; it returns
// when all calls are done. The chunks depend only on n and chunk, so finer
// chunks balance the load when a core is busy with other work, at the cost of
// one claim per chunk. fn must be safe to call concurrently on disjoint
// ranges. ParallelChunks may be nested and may call Gemm.
func ParallelChunks(n, chunk int, fn func(lo, hi int)) {
	run(n, chunk, fn)
}
