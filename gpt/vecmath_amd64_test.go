//go:build amd64 && !purego

package gpt

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The 16-lane GELU kernels against the 8-lane ones, bit for bit, on every
// length 0..200 (the 16-lane part, the 8-lane part and the scalar tail in every
// mix) and on values that reach each clamp, zero, subnormals, infinities and NaN.
func TestGeluAVX512Bits(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 F here: geluVec runs the 8-lane kernels only")
	}
	defer func(v bool) { geluAVX2Only = v }(geluAVX2Only)
	r := rand.New(rand.NewPCG(3, 4))
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, 1e-8, -1e-8, 5000, -5000, 30, -30, 10.5, -10.5,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32}
	for n := 0; n <= 200; n++ {
		x := make([]float32, n)
		for i := range x {
			if r.IntN(4) == 0 {
				x[i] = special[r.IntN(len(special))]
			} else {
				x[i] = float32(r.NormFloat64() * 4)
			}
		}
		for _, withDeriv := range []bool{false, true} {
			var got, want [2][]float32
			for _, only := range []bool{true, false} {
				geluAVX2Only = only
				out := make([]float32, n)
				var deriv []float32
				if withDeriv {
					deriv = make([]float32, n)
				}
				gelu(out, deriv, x)
				if only {
					want = [2][]float32{out, deriv}
				} else {
					got = [2][]float32{out, deriv}
				}
			}
			for j := range got {
				for i := range got[j] {
					if math.Float32bits(got[j][i]) != math.Float32bits(want[j][i]) {
						t.Fatalf("n %d deriv %v: output %d at %d (x = %v): 16 lanes %v, 8 lanes %v",
							n, withDeriv, j, i, x[i], got[j][i], want[j][i])
					}
				}
			}
		}
	}
}
