package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// LogLikRows (eight rows a time in AVX-512 where the CPU has it, the rest in
// the plain loop) against the plain loop over every row, bit for bit, for row
// counts around multiples of 8 and row lengths 1..41.
func TestLogLikRowsAgainstPlain(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for n := 1; n <= 41; n++ {
		for _, rows := range []int{1, 7, 8, 9, 16, 23, 40} {
			f, y := make([]float64, rows*n), make([]float64, n)
			inv, lg := make([]float64, rows), make([]float64, rows)
			for i := range f {
				f[i] = r.NormFloat64() * 3
			}
			for i := range y {
				y[i] = r.NormFloat64() * 3
			}
			for i := range inv {
				inv[i], lg[i] = 50*r.Float64(), r.NormFloat64()
			}
			lmax0 := make([]float64, n)
			for i := range lmax0 {
				lmax0[i] = math.Inf(-1)
				if i%3 == 1 {
					lmax0[i] = -r.Float64() * 20 // an earlier call's maximum
				}
			}
			want, wmax := make([]float64, rows*n), append([]float64(nil), lmax0...)
			logLikRowsGo(want, wmax, f, y, inv, lg, rows, n)
			got, gmax := make([]float64, rows*n+1), append([]float64(nil), lmax0...)
			got[rows*n] = 42 // past the rows: untouched
			LogLikRows(got[:rows*n], gmax, f, y, inv, lg, make([]float64, LogLikScratch(n)), rows, n)
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("n %d rows %d: ll[%d] (row %d point %d) = %v, plain loop %v", n, rows, i, i/n, i%n, got[i], want[i])
				}
			}
			if got[rows*n] != 42 {
				t.Fatalf("n %d rows %d: wrote past the rows", n, rows)
			}
			for i := range wmax {
				if math.Float64bits(gmax[i]) != math.Float64bits(wmax[i]) {
					t.Fatalf("n %d rows %d: lmax[%d] = %v, plain loop %v", n, rows, i, gmax[i], wmax[i])
				}
			}
		}
	}
}
