package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Sin equals math.Sin bit for bit: on arguments spread over every scale
// (log-uniform from 1e-310 to 1e12, across the 2^29 threshold), near
// multiples of Pi/4 where the octant changes, the special values, every
// length from 0 to 9 (the scalar tail) and with dst and src the same slice.
func TestSinBits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var xs []float64
	for range 200000 {
		x := math.Pow(10, -310+322*r.Float64())
		if r.IntN(2) == 0 {
			x = -x
		}
		xs = append(xs, x, 100*(2*r.Float64()-1))
	}
	for k := -4000; k <= 4000; k++ {
		c := float64(k) * math.Pi / 4
		xs = append(xs, c, math.Nextafter(c, math.Inf(1)), math.Nextafter(c, math.Inf(-1)))
	}
	xs = append(xs, 0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1),
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 1<<29, math.Nextafter(1<<29, 0), -(1 << 29))
	checkBits(t, "Sin", Sin, math.Sin, xs, []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 1 << 29, 1e300})
	if !useAVX2 {
		t.Log("no AVX2 vector path in this build or on this CPU: the scalar path was tested")
	}
}

// The vector path itself, without Sin's scalar fix-ups, agrees with
// math.Sin on 0 < |x| < 2^29: a wrong constant or a swapped operand in the
// assembly fails here even where the fix-ups would hide it.
func TestSinAVX2Lanes(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 vector path on this CPU or build")
	}
	r := rand.New(rand.NewPCG(3, 4))
	src := make([]float64, 1<<16)
	for i := range src {
		src[i] = math.Pow(2, -1000+1028*r.Float64()) * float64(1-2*r.IntN(2))
	}
	dst := make([]float64, len(src))
	if sinAVX2(&dst[0], &src[0], len(src), &sinTable) != 0 {
		t.Error("sinAVX2 reports a lane outside its path where none is")
	}
	for i, x := range src {
		if math.Float64bits(dst[i]) != math.Float64bits(math.Sin(x)) {
			t.Fatalf("sinAVX2(%v) = %v, math.Sin %v", x, dst[i], math.Sin(x))
		}
	}
}
