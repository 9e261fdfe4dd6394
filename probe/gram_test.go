package probe

import (
	"math"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"icl/rng"
)

// gramUpper gives, on every upper element, the bits of the plain sum
// (gramAt) and, on amd64, of gonum's SymOuterK, which the Newton steps used
// for the Hessian: on sizes around the 4 x 16 blocks, with rows of zeros (a
// sigmoid's saturated weight) and a row stride wider than the matrix.
func TestGramUpperBits(t *testing.T) {
	r := rng.New(11)
	for _, p := range []int{1, 4, 5, 16, 17, 20, 33, 65} {
		for _, k := range []int{1, 7, 300} {
			lda := p + 3
			a := make([]float64, k*lda)
			for i := range a {
				a[i] = r.NormFloat64() * math.Exp(3*r.NormFloat64())
			}
			for l := 2; l < k; l += 5 { // a row of zeros every 5
				clear(a[l*lda : l*lda+p])
			}
			alpha := 1 / float64(k)
			c := make([]float64, p*p)
			gramUpper(c, p, a, lda, k, p, alpha)
			for i := 0; i < p; i++ {
				for j := i; j < p; j++ {
					if w := gramAt(a, lda, k, i, j, alpha); math.Float64bits(c[i*p+j]) != math.Float64bits(w) {
						t.Fatalf("p %d, k %d: (%d, %d) = %v, plain sum %v", p, k, i, j, c[i*p+j], w)
					}
				}
			}
			if runtime.GOARCH != "amd64" {
				continue // gonum's Go loop may fuse its multiply-adds there
			}
			h := mat.NewSymDense(p, nil)
			h.SymOuterK(alpha, mat.NewDense(k, lda, a).Slice(0, k, 0, p).T())
			for i := 0; i < p; i++ {
				for j := i; j < p; j++ {
					if w := h.At(i, j); math.Float64bits(c[i*p+j]) != math.Float64bits(w) {
						t.Fatalf("p %d, k %d: (%d, %d) = %v, gonum's SymOuterK %v", p, k, i, j, c[i*p+j], w)
					}
				}
			}
		}
	}
	if !useGramAVX512 {
		t.Log("no AVX-512 on this CPU or build: the plain-Go path was tested")
	}
}
