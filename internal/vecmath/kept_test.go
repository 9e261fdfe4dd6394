package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// KeepAbove and AccumulateKept (the AVX-512 kernels where the CPU has them)
// against their plain loops, bit for bit, over row lengths 1..41 (whole and
// partial blocks of 8), values at and around the threshold, infinities and NaN.
func TestKeptAgainstPlain(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const lo = -746
	for n := 1; n <= 41; n++ {
		for _, rows := range []int{1, 3, 17} {
			src, f := make([]float64, rows*n), make([]float64, rows*n)
			shift := make([]float64, n)
			for i := range shift {
				shift[i] = r.NormFloat64() * 10
			}
			for i := range src {
				switch r.IntN(12) {
				case 0:
					src[i] = shift[i%n] + lo // exactly at the threshold: kept
				case 1:
					src[i] = math.Nextafter(shift[i%n]+lo, math.Inf(-1))
				case 2:
					src[i] = math.NaN()
				case 3:
					src[i] = math.Inf(-1)
				default:
					src[i] = shift[i%n] - r.Float64()*1500
				}
				f[i] = r.NormFloat64()
			}
			var kept [2]int
			var dst [2][]float64
			var mask [2][]uint8
			for v := range 2 {
				dst[v], mask[v] = make([]float64, rows*n), make([]uint8, MaskBytes(rows, n))
				for i := range mask[v] {
					mask[v][i] = 0xa5 // stale contents are overwritten
				}
				if v == 0 {
					kept[v] = keepAboveGo(dst[v], mask[v], src, rows, n, shift, lo)
				} else {
					kept[v] = KeepAbove(dst[v], mask[v], src, rows, n, shift, lo)
				}
			}
			if kept[0] != kept[1] {
				t.Fatalf("n %d rows %d: kept %d, plain loop %d", n, rows, kept[1], kept[0])
			}
			for i := range kept[0] {
				if math.Float64bits(dst[0][i]) != math.Float64bits(dst[1][i]) {
					t.Fatalf("n %d rows %d: kept value %d is %v, plain loop %v", n, rows, i, dst[1][i], dst[0][i])
				}
			}
			for i := range mask[0] {
				if mask[0][i] != mask[1][i] {
					t.Fatalf("n %d rows %d: mask byte %d is %08b, plain loop %08b", n, rows, i, mask[1][i], mask[0][i])
				}
			}
			w := make([]float64, kept[0])
			for i := range w {
				w[i] = r.Float64()
			}
			var num, den [2][]float64
			for v := range 2 {
				num[v], den[v] = make([]float64, n+1), make([]float64, n+1)
				num[v][n], den[v][n] = 7, 7 // past n: untouched
				for i := range n {
					num[v][i], den[v][i] = float64(i), 0.5
				}
				if v == 0 {
					accumulateKeptGo(num[v], den[v], w, mask[v], f, rows, n)
				} else if used := AccumulateKept(num[v], den[v], w, mask[v], f, rows, n); used != kept[0] {
					t.Fatalf("n %d rows %d: AccumulateKept used %d weights, want %d", n, rows, used, kept[0])
				}
			}
			for i := range n + 1 {
				if math.Float64bits(num[0][i]) != math.Float64bits(num[1][i]) || math.Float64bits(den[0][i]) != math.Float64bits(den[1][i]) {
					t.Fatalf("n %d rows %d column %d: num %v den %v, plain loop %v %v", n, rows, i, num[1][i], den[1][i], num[0][i], den[0][i])
				}
			}
		}
	}
}

// AccumulateKept refuses a mask that marks more entries than w holds, or
// columns past a row's end.
func TestAccumulateKeptShortWeights(t *testing.T) {
	for _, n := range []int{5, 20, 40} {
		mask := make([]uint8, MaskBytes(2, n))
		nb := (n + 7) / 8
		for i := range mask {
			mask[i] = 0xff
			if i%nb == nb-1 && n%8 != 0 {
				mask[i] = 1<<(n%8) - 1 // the row's columns only
			}
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("n %d: no panic with fewer weights than kept entries", n)
				}
			}()
			AccumulateKept(make([]float64, n), make([]float64, n), make([]float64, 3), mask, make([]float64, 2*n), 2, n)
		}()
		if n%8 == 0 {
			continue
		}
		mask[(n+7)/8-1] |= 0x80 // past the end of row 0
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("n %d: no panic with a mask bit past the row's end", n)
				}
			}()
			AccumulateKept(make([]float64, n), make([]float64, n), make([]float64, 2*n), mask, make([]float64, 2*n), 2, n)
		}()
	}
}
