//go:build unix

package cputime

import "testing"

// TestProcessGrows spins for a while and checks that the CPU time read
// afterwards is larger.
func TestProcessGrows(t *testing.T) {
	c0 := Process()
	x := 1.0
	for i := 0; i < 10_000_000; i++ {
		x = x*1.0000001 + 1e-9
	}
	c1 := Process()
	if x == 0 || c1 <= c0 {
		t.Errorf("CPU time did not grow across a busy loop: %v then %v", c0, c1)
	}
}
