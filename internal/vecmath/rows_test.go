package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// AddRows gives the bits of the plain loop (dst[i] += src[p*n+i], the rows
// in idx's order) for every width, the kernels' and the Go remainder's.
func TestAddRows(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for n := 1; n <= 53; n++ {
		const rows, srcRows = 300, 40
		src := make([]float64, srcRows*n)
		for i := range src {
			src[i] = r.NormFloat64() * math.Exp(4*r.NormFloat64()) // wide exponents: order matters
		}
		idx := make([]int32, rows)
		for j := range idx {
			idx[j] = int32(r.IntN(srcRows))
		}
		got, want := make([]float64, n+1), make([]float64, n+1)
		for i := range n {
			got[i] = r.NormFloat64()
			want[i] = got[i]
		}
		got[n], want[n] = 7, 7 // past n: untouched
		AddRows(got, src, idx, n)
		for _, p := range idx {
			for i := range n {
				want[i] += src[int(p)*n+i]
			}
		}
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("n = %d: dst[%d] = %v, the plain loop %v", n, i, got[i], want[i])
			}
		}
	}
}

func BenchmarkAddRows(b *testing.B) {
	const n, rows = 17, 5120
	r := rand.New(rand.NewPCG(1, 2))
	src := make([]float64, rows*n)
	idx := make([]int32, rows)
	for j := range idx {
		idx[j] = int32(r.IntN(rows))
	}
	dst := make([]float64, n)
	for b.Loop() {
		AddRows(dst, src, idx, n)
	}
}
