package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// checkBits holds f (Sin or Exp) to ref (math.Sin or math.Exp) bit for bit:
// over all of xs, and in place; with each of specials at every place of
// slices of 1 to 17 values (in every lane of the eight- and four-lane
// kernels and in the scalar tail); and on every length from 0 to 9, in
// place too.
func checkBits(t *testing.T, name string, f func(dst, src []float64), ref func(float64) float64, xs, specials []float64) {
	t.Helper()
	check := func(what string, got, src []float64) {
		t.Helper()
		for i, x := range src {
			if w := ref(x); math.Float64bits(got[i]) != math.Float64bits(w) && !(math.IsNaN(w) && math.IsNaN(got[i])) {
				t.Fatalf("%s: %s(%v) = %v (%#x), math's %v (%#x)", what, name, x, got[i], math.Float64bits(got[i]), w, math.Float64bits(w))
			}
		}
	}
	dst := make([]float64, len(xs))
	f(dst, xs)
	check("spread", dst, xs)
	inPlace := append([]float64(nil), xs...)
	f(inPlace, inPlace)
	check("spread in place", inPlace, xs)
	for _, sp := range specials {
		for n := 1; n <= 17; n++ {
			for at := range n {
				src := make([]float64, n)
				for i := range src {
					src[i] = 0.3 * float64(i+1)
				}
				src[at] = sp
				d := make([]float64, n)
				f(d, src)
				check("special", d, src)
			}
		}
	}
	for n := 0; n <= 9; n++ {
		src := append([]float64(nil), xs[1000:1000+n]...)
		d := make([]float64, n)
		f(d, src)
		check("length", d, src)
		f(src, src)
		check("in place", src, xs[1000:1000+n])
	}
}

func TestShortDst(t *testing.T) {
	for name, f := range map[string]func(dst, src []float64){"Sin": Sin, "Exp": Exp} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with len(dst) < len(src) did not panic", name)
				}
			}()
			f(make([]float64, 3), make([]float64, 4))
		}()
	}
}

// BenchmarkFuncs times Sin and Exp against loops of math.Sin and math.Exp on
// 4096 arguments of the Monte Carlo predictor's: sines of |x| up to 50 (the
// sinusoid classes'), exponentials of log-weights in [-50, 0].
func BenchmarkFuncs(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		name string
		vec  func(dst, src []float64)
		ref  func(float64) float64
		arg  func() float64
	}{
		{"Sin", Sin, math.Sin, func() float64 { return 50 * (2*r.Float64() - 1) }},
		{"Exp", Exp, math.Exp, func() float64 { return -50 * r.Float64() }},
	} {
		src := make([]float64, 4096)
		for i := range src {
			src[i] = c.arg()
		}
		dst := make([]float64, len(src))
		perValue := func(b *testing.B) {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)), "ns/value")
		}
		b.Run(c.name+"/vecmath", func(b *testing.B) {
			for b.Loop() {
				c.vec(dst, src)
			}
			perValue(b)
		})
		b.Run(c.name+"/math", func(b *testing.B) {
			for b.Loop() {
				for i, x := range src {
					dst[i] = c.ref(x)
				}
			}
			perValue(b)
		})
	}
}
