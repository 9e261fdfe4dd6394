//go:build amd64 && !purego

package optim

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2

//go:noescape
func adamwAVX2(p, gr, m, v *float32, n int, c *[8]float32)

// adamwVec runs the AdamW step on the first len(p) - len(p)%8 entries with
// AVX2 and returns how many it did (0 without AVX2).
func adamwVec(p, g, m, v []float32, c *[8]float32) int {
	n := len(p) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _, _ = g[n-1], m[n-1], v[n-1]
	adamwAVX2(&p[0], &g[0], &m[0], &v[0], n, c)
	return n
}
