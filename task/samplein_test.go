package task

import (
	"reflect"
	"testing"

	"icl/rng"
)

// SampleIn(r, D) is Sample(r) draw for draw; SampleIn(r, n) puts the support
// among the first n coordinates, every one of them in turn, and K of them.
func TestSparseSampleIn(t *testing.T) {
	c := &SparseLinear{D: 8, K: 2, Std: 1}
	for p := range uint64(50) {
		a := c.Sample(rng.New(3, p)).(*Linear).W
		b := c.SampleIn(rng.New(3, p), 8).(*Linear).W
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("prompt %d: SampleIn(r, D) %v, Sample %v", p, b, a)
		}
	}
	for _, n := range []int{1, 2, 3, 5} {
		seen := map[int]bool{}
		for p := range uint64(400) {
			w := c.SampleIn(rng.New(4, p), n).(*Linear).W
			nz := 0
			for j, v := range w {
				if v != 0 {
					nz++
					seen[j] = true
				}
			}
			if nz != c.K {
				t.Fatalf("n = %d: %d non-zero in %v, want %d", n, nz, w, c.K)
			}
		}
		lim := max(n, c.K)
		for j := range c.D {
			if seen[j] != (j < lim) {
				t.Errorf("n = %d: coordinate %d in a support: %v (want %v)", n, j, seen[j], j < lim)
			}
		}
	}
}
