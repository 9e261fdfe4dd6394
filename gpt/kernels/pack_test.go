package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestPackTransA6 checks the transposing pack of full 6-row micro-panels
// (assembly on amd64, Go elsewhere) against its definition, element by
// element, and that it writes nothing past the panels.
func TestPackTransA6(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct{ kc, lda, np int }{
		{1, 6, 1}, {3, 7, 1}, {5, 13, 2}, {256, 768, 32}, {17, 1024, 5}, {88, 200, 33},
	} {
		src := make([]float32, (tc.kc-1)*tc.lda+tc.np*6)
		for i := range src {
			src[i] = float32(rnd.NormFloat64())
		}
		n := tc.np * 6 * tc.kc
		dst := make([]float32, n+8)
		for i := range dst {
			dst[i] = -1
		}
		packTransA6(dst, src, tc.kc, tc.lda, tc.np)
		for q := 0; q < tc.np; q++ {
			for p := 0; p < tc.kc; p++ {
				for i := 0; i < 6; i++ {
					if got, want := dst[q*6*tc.kc+p*6+i], src[p*tc.lda+q*6+i]; got != want {
						t.Fatalf("kc=%d lda=%d np=%d: panel %d (p=%d, i=%d) = %v, want %v", tc.kc, tc.lda, tc.np, q, p, i, got, want)
					}
				}
			}
		}
		for i := n; i < len(dst); i++ {
			if dst[i] != -1 {
				t.Fatalf("kc=%d lda=%d np=%d: wrote dst[%d] past the panels", tc.kc, tc.lda, tc.np, i)
			}
		}
	}
}
