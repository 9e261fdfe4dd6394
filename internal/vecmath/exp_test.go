package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Exp equals math.Exp bit for bit: on arguments over its whole range
// (uniform on [-800, 800], across the overflow at 709.8, the subnormal
// results below -708 and the zeros below -745), near 0, the special values,
// every length from 0 to 9, and in place.
func TestExpBits(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var xs []float64
	for range 200000 {
		xs = append(xs, 1600*r.Float64()-800, 40*r.Float64()-20, -745.5+40*r.Float64(),
			math.Pow(10, -20+20*r.Float64())*float64(1-2*r.IntN(2)))
	}
	for _, x := range []float64{-708, -708.4, -709.1, -744.4, -745.1, -745.2, -746, 708, 709.78, 709.79, 710} {
		xs = append(xs, x, math.Nextafter(x, math.Inf(1)), math.Nextafter(x, math.Inf(-1)))
	}
	xs = append(xs, 0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64)
	checkBits(t, "Exp", Exp, math.Exp, xs, []float64{math.NaN(), math.Inf(1), math.Inf(-1), 709.5, 800, -745.5, -1e5})
}

// The vector paths alone (four and eight lanes) agree with math.Exp on
// x <= 708, subnormal results, zeros and -Inf included, and report no lane
// outside them.
func TestExpLanes(t *testing.T) {
	for _, k := range []struct {
		name string
		on   bool
		f    func(dst, src *float64, n int, tab *[20][4]uint64) int
	}{{"expFMA", useExpFMA, expFMA}, {"expAVX512", useExpFMA && hasAVX512, expAVX512}} {
		if !k.on {
			t.Logf("%s: not on this CPU or build", k.name)
			continue
		}
		r := rand.New(rand.NewPCG(9, 10))
		src := make([]float64, 1<<16)
		for i := range src {
			src[i] = 708 - 1500*r.Float64()
		}
		src[7] = math.Inf(-1)
		dst := make([]float64, len(src))
		if k.f(&dst[0], &src[0], len(src), &expTable) != 0 {
			t.Errorf("%s reports a lane outside its path where none is", k.name)
		}
		for i, x := range src {
			if math.Float64bits(dst[i]) != math.Float64bits(math.Exp(x)) {
				t.Fatalf("%s(%v) = %v, math.Exp %v", k.name, x, dst[i], math.Exp(x))
			}
		}
		src[13] = 709
		if k.f(&dst[0], &src[0], len(src), &expTable) == 0 {
			t.Errorf("%s reports no lane outside its path, where 709 is", k.name)
		}
	}
}
