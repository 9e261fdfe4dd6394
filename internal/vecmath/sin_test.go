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

// The vector paths themselves (four and eight lanes), without Sin's scalar
// fix-ups, agree with math.Sin on 0 < |x| < 2^29: a wrong constant or a
// swapped operand in the assembly fails here even where the fix-ups would
// hide it.
func TestSinLanes(t *testing.T) {
	for _, k := range []struct {
		name string
		on   bool
		f    func(dst, src *float64, n int, tab *[25][4]uint64) int
	}{{"sinAVX2", hasAVX2, sinAVX2}, {"sinAVX512", hasAVX2 && hasAVX512, sinAVX512}} {
		if !k.on {
			t.Logf("%s: not on this CPU or build", k.name)
			continue
		}
		r := rand.New(rand.NewPCG(3, 4))
		src := make([]float64, 1<<16)
		for i := range src {
			src[i] = math.Pow(2, -1000+1028*r.Float64()) * float64(1-2*r.IntN(2))
		}
		dst := make([]float64, len(src))
		if k.f(&dst[0], &src[0], len(src), &sinTable) != 0 {
			t.Errorf("%s reports a lane outside its path where none is", k.name)
		}
		for i, x := range src {
			if math.Float64bits(dst[i]) != math.Float64bits(math.Sin(x)) {
				t.Fatalf("%s(%v) = %v, math.Sin %v", k.name, x, dst[i], math.Sin(x))
			}
		}
		for _, x := range []float64{0, 1 << 29, math.NaN()} {
			src[21] = x
			if k.f(&dst[0], &src[0], len(src), &sinTable) == 0 {
				t.Errorf("%s reports no lane outside its path, where %v is", k.name, x)
			}
		}
	}
}
