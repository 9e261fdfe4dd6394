package kernels

import "testing"

// TestSmallNoAlloc checks that a small product, as attention issues per head,
// runs without heap allocation once the workspace pool is warm.
func TestSmallNoAlloc(t *testing.T) {
	a, b, c := make([]float32, 41*32), make([]float32, 32*41), make([]float32, 41*41)
	f := func() { Gemm(false, true, 41, 41, 32, a, 32, b, 32, 0, c, 41) }
	f()
	if n := testing.AllocsPerRun(100, f); n > 0 {
		t.Errorf("Gemm 41x41x32 (%s): %v allocations per call, want 0", Kernel(), n)
	}
}
