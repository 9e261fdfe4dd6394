package parallel

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
)

func TestForVisitsEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		for _, workers := range []int{-1, 0, 1, 2, 8} {
			t.Run(fmt.Sprintf("n=%d/workers=%d", n, workers), func(t *testing.T) {
				seen := make([]atomic.Int32, n)
				For(n, workers, func(k int) {
					if k < 0 || k >= n {
						t.Errorf("index %d outside [0, %d)", k, n)
						return
					}
					seen[k].Add(1)
				})
				for k := range seen {
					if c := seen[k].Load(); c != 1 {
						t.Errorf("index %d visited %d times", k, c)
					}
				}
			})
		}
	}
}

func TestForWithState(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		for _, workers := range []int{1, 2, 8} {
			t.Run(fmt.Sprintf("n=%d/workers=%d", n, workers), func(t *testing.T) {
				var inits atomic.Int32
				seen := make([]atomic.Int32, n)
				ForWith(n, workers, func() *[]int {
					inits.Add(1)
					return new([]int)
				}, func(s *[]int, k int) {
					*s = append(*s, k) // unshared: the race detector would see two goroutines
					seen[k].Add(1)
				})
				if c := int(inits.Load()); c > min(workers, n) {
					t.Errorf("init called %d times, want at most %d", c, min(workers, n))
				}
				for k := range seen {
					if c := seen[k].Load(); c != 1 {
						t.Errorf("index %d visited %d times", k, c)
					}
				}
			})
		}
	}
}

func TestRangesDisjointCovering(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 8} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 7, 1000} {
			for _, grain := range []int{0, 1, 3, 100, 2000} {
				t.Run(fmt.Sprintf("procs=%d/n=%d/grain=%d", procs, n, grain), func(t *testing.T) {
					var mu sync.Mutex
					var got [][2]int
					Ranges(n, grain, func(lo, hi int) {
						mu.Lock()
						got = append(got, [2]int{lo, hi})
						mu.Unlock()
					})
					sort.Slice(got, func(i, j int) bool { return got[i][0] < got[j][0] })
					if n == 0 {
						if len(got) != 0 {
							t.Fatalf("n = 0: ranges %v", got)
						}
						return
					}
					if len(got) > procs {
						t.Errorf("%d ranges, GOMAXPROCS %d", len(got), procs)
					}
					next := 0
					for _, r := range got {
						if r[0] != next || r[1] <= r[0] {
							t.Fatalf("ranges %v do not tile [0, %d)", got, n)
						}
						if len(got) > 1 && r[1]-r[0] < max(grain, 1) {
							t.Errorf("range %v shorter than grain %d", r, grain)
						}
						next = r[1]
					}
					if next != n {
						t.Fatalf("ranges %v end at %d, want %d", got, next, n)
					}
				})
			}
		}
	}
}
