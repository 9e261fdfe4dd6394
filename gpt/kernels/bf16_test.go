package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// nearestBF16 is ToBF16 computed another way: of the two bf16 values that
// bracket f (its bits truncated, and one ulp further from zero), the one
// closer to f in float64, the even one on a tie; a float32 subnormal is a
// zero of its sign (VCVTNEPS2BF16 reads it as zero).
func nearestBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if math.Abs(float64(f)) < math.SmallestNonzeroFloat32*(1<<23) {
		return uint16(b>>31) << 15
	}
	lo := uint16(b >> 16)
	if b&0xffff == 0 {
		return lo
	}
	hi := lo + 1 // one bf16 ulp further from zero (an exponent carry is right too)
	x, dl, dh := float64(f), math.Abs(float64(f)-float64(FromBF16(lo))), math.Abs(float64(FromBF16(hi))-float64(f))
	if math.IsInf(float64(FromBF16(hi)), 0) { // past the largest finite bf16
		dh = math.Abs(math.Ldexp(1, 128) - math.Abs(x)) // where the infinity rounding boundary lies
	}
	switch {
	case dl < dh:
		return lo
	case dh < dl:
		return hi
	case lo%2 == 0:
		return lo
	}
	return hi
}

func TestToBF16(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 1))
	check := func(f float32) {
		t.Helper()
		if got, want := ToBF16(f), nearestBF16(f); got != want {
			t.Fatalf("ToBF16(%g = %#08x) = %#04x, want %#04x", f, math.Float32bits(f), got, want)
		}
	}
	for range 200000 {
		bits := rnd.Uint32()
		if bits&0x7f800000 == 0x7f800000 {
			continue // NaN and infinities below
		}
		check(math.Float32frombits(bits))
	}
	// Ties (the low 16 bits exactly 0x8000) go to the even bf16, and the
	// rounding carries into the exponent.
	for _, bits := range []uint32{0x3f808000, 0x3f818000, 0x3fff8000, 0x7f7f8000, 0x7f7fffff, 0x00008000, 0x80018000, 1} {
		check(math.Float32frombits(bits))
	}
	if got := ToBF16(float32(math.Inf(-1))); got != 0xff80 {
		t.Errorf("ToBF16(-Inf) = %#04x", got)
	}
	if got := ToBF16(math.MaxFloat32); got != 0x7f80 {
		t.Errorf("ToBF16(MaxFloat32) = %#04x, want +Inf", got)
	}
	for _, bits := range []uint32{0x7fc00000, 0x7f800001, 0xffffffff, 0x7fbfffff} {
		if h := ToBF16(math.Float32frombits(bits)); !math.IsNaN(float64(FromBF16(h))) || h>>15 != uint16(bits>>31) {
			t.Errorf("ToBF16(NaN %#08x) = %#04x, not a NaN of the same sign", bits, h)
		}
	}
}

// The vector conversions equal the plain-Go ones on every value, NaNs,
// infinities, ties and subnormals included, and at every length (tails).
func TestPairConversions(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 2))
	special := []uint32{0x7fc00000, 0xff800001, 0x7f800000, 0xff800000, 0x3f808000, 0x3f818000,
		0x7f7fffff, 0x00000001, 0x80008000, 0, 0x80000000}
	val := func() float32 {
		if rnd.IntN(8) == 0 {
			return math.Float32frombits(special[rnd.IntN(len(special))])
		}
		return math.Float32frombits(rnd.Uint32())
	}
	for n := 0; n < 70; n++ {
		r0, r1 := make([]float32, n+1), make([]float32, n+1)
		for i := range r0 {
			r0[i], r1[i] = val(), val()
		}
		got, want := make([]uint32, n+1), make([]uint32, n+1)
		pairRows(got, r0, r1, n)
		pairRowsGo(want, r0, r1, n)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("pairRows n=%d: %x, want %x", n, got, want)
		}
		pairRows(got, r0, nil, n)
		pairRowsGo(want, r0, nil, n)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("pairRows n=%d, r1 nil: %x, want %x", n, got, want)
		}
		clear(got)
		clear(want)
		pairCols(got, r0, n)
		pairColsGo(want, r0, n)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("pairCols k=%d: %x, want %x", n, got, want)
		}
		for q := 0; 2*q < n; q++ { // and pairCols is what its comment says
			odd := float32(0)
			if 2*q+1 < n {
				odd = r0[2*q+1]
			}
			if w := uint32(nearestBF16(r0[2*q])) | uint32(ToBF16(odd))<<16; got[q] != w && !math.IsNaN(float64(r0[2*q])) {
				t.Fatalf("pairCols k=%d: pair %d = %#x, want %#x", n, q, got[q], w)
			}
		}
	}
}

// pairRowsN is pairRowsGo row by row, for padded strides and widths with
// and without a tail past the vectors.
func TestPairRowsN(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, s := range [][4]int{{1, 16, 16, 16}, {3, 17, 20, 19}, {5, 64, 64, 70}, {2, 5, 8, 7}, {4, 48, 50, 64}} {
		rows, n, ldd, lds := s[0], s[1], s[2], s[3]
		src := make([]float32, 2*rows*lds)
		for i := range src {
			src[i] = math.Float32frombits(rnd.Uint32())
		}
		got, want := make([]uint32, rows*ldd), make([]uint32, rows*ldd)
		pairRowsN(got, ldd, src, lds, rows, n)
		for r := 0; r < rows; r++ {
			pairRowsGo(want[r*ldd:], src[2*r*lds:], src[(2*r+1)*lds:], n)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("pairRowsN %v: %x, want %x", s, got, want)
		}
	}
}

var bf16Kernels = []string{"ref", "go", "avx2", "avx512"} // avx512 runs VDPBF16PS where the CPU has it

// bf16Problem is a problem whose products are checked against the float64
// product of the bf16-rounded operands.
func (p problem) checkBF16(got []float32) error {
	round := func(x float32) float64 { return float64(FromBF16(ToBF16(x))) }
	for i := 0; i < p.m; i++ {
		for j := 0; j < p.ldc; j++ {
			g := got[i*p.ldc+j]
			if j >= p.n {
				if g != sentinel {
					return fmt.Errorf("%v: padding C[%d,%d] overwritten: %v", p, i, j, g)
				}
				continue
			}
			var s, abs float64
			for q := 0; q < p.k; q++ {
				v := round(p.opA(i, q)) * round(p.opB(q, j))
				s += v
				abs += math.Abs(v)
			}
			if p.beta == 1 {
				s += float64(p.c0[i*p.ldc+j])
				abs += math.Abs(float64(p.c0[i*p.ldc+j]))
			}
			if d := math.Abs(float64(g) - s); !(d <= gamma(p.k+1)*abs) {
				return fmt.Errorf("%v: C[%d,%d] = %v, exact product of the rounded operands %v (diff %.3g > %.3g)", p, i, j, g, s, d, gamma(p.k+1)*abs)
			}
		}
	}
	return nil
}

func TestGemmBF16(t *testing.T) {
	type shape struct{ m, n, k int }
	fixed := []shape{
		{1, 1, 1}, {8, 32, 1}, {8, 32, 2}, {8, 32, 3}, {7, 17, 3}, {9, 33, 255},
		{16, 64, 256}, {17, 65, 257}, {130, 257, 67}, {41, 41, 32}, {3, 70, 600},
		{25, 9, 513}, {20, 530, 40}, {200, 40, 520}, {96, 512, 9},
	}
	for _, name := range bf16Kernels {
		withKernel(t, name, func(t *testing.T) {
			t.Logf("bf16 kernel %s", BF16Kernel())
			rnd := rand.New(rand.NewPCG(5, uint64(len(name))))
			shapes := append([]shape(nil), fixed...)
			for range 8 {
				shapes = append(shapes, shape{1 + rnd.IntN(70), 1 + rnd.IntN(70), 1 + rnd.IntN(300)})
			}
			n := 0
			for _, s := range shapes {
				for _, tr := range [4][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
					for _, beta := range []float32{0, 1} {
						p := newProblem(rnd, tr[0], tr[1], s.m, s.n, s.k, n%3 != 0, beta)
						got := p.run(GemmBF16)
						ref := p.run(func(tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
							GemmBF16Ref(tA, tB, m, n, k, a, lda, b, ldb, beta, c, ldc, nil)
						})
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
								t.Fatalf("%v: C[%d] = %v, GemmBF16Ref %v: not the same bits", p, i, got[i], ref[i])
							}
						}
						if name == "ref" { // the reference against the exact product, once
							if err := p.checkBF16(ref); err != nil {
								t.Fatal(err)
							}
						}
						n++
					}
				}
			}
		})
	}
}

// The bf16 product differs from the float32 one by about bf16's rounding,
// 2^-9 relative, and not by float32's: it does round its operands.
func TestGemmBF16Rounds(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 9))
	p := newProblem(rnd, false, true, 16, 32, 64, false, 0)
	bf, f32 := p.run(GemmBF16), p.run(GemmRef)
	var d, s float64
	for i := range bf {
		d += math.Abs(float64(bf[i] - f32[i]))
		s += math.Abs(float64(f32[i]))
	}
	if r := d / s; r < 1e-4 || r > 1e-2 {
		t.Errorf("mean relative difference from float32 %.3g, want about 2^-9 = %.3g", r, 1.0/512)
	}
}

// VDPBF16PS's order (the odd product first) and flushing are what dpPair does.
// With s = 1 and the pair products -1 (odd) and 2^-30 (even), the odd one
// first gives 0 + 2^-30 = 2^-30; the even one first would give 1 + 2^-30 = 1,
// then 0.
func TestDPPairOrder(t *testing.T) {
	tiny := float32(math.Ldexp(1, -30))
	if s := dpPair(1, pairOf(tiny, -1), pairOf(1, 1)); s != tiny {
		t.Fatalf("dpPair = %g, want 2^-30 (odd product first)", s)
	}
	if s := dpPair(0, pairOf(float32(math.Ldexp(1, -70)), 0), pairOf(float32(math.Ldexp(1, -70)), 0)); s != 0 {
		t.Errorf("a subnormal sum is %g, want it flushed to 0", s)
	}
	if s := dpPair(0, 0x0001, 0x3f80); s != 0 { // bf16 0x0001 (subnormal) times 1
		t.Errorf("a subnormal bf16 operand gives %g, want it read as 0", s)
	}
	// The kernels on a full tile with k = 4: the first pair step sets S = 1
	// (even product 1), the second adds -1 and 2^-30.
	for _, name := range bf16Kernels {
		withKernel(t, name, func(t *testing.T) {
			a := make([]float32, 8*4)
			for i := 0; i < 8; i++ {
				copy(a[i*4:], []float32{1, 0, tiny, -1})
			}
			b := make([]float32, 4*32)
			for i := range b {
				b[i] = 1
			}
			c := make([]float32, 8*32)
			GemmBF16(false, false, 8, 32, 4, a, 4, b, 32, 0, c, 32)
			for i, v := range c {
				if v != tiny {
					t.Fatalf("kernel %s: C[%d] = %g, want 2^-30 (the odd product first)", BF16Kernel(), i, v)
				}
			}
		})
	}
}

// Any number of threads gives the reference's bits, with the operands'
// rows padded (lda > k) and packed (lda == k: converted in one run).
func TestGemmBF16Threads(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 3))
	for _, pad := range []bool{true, false} {
		for _, tr := range [4][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			p := newProblem(rnd, tr[0], tr[1], 300, 200, 700, pad, 1)
			want := p.run(func(tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
				GemmBF16Ref(tA, tB, m, n, k, a, lda, b, ldb, beta, c, ldc, nil)
			})
			for _, th := range []int{1, 2, 3, 5} {
				old := SetThreads(th)
				got := p.run(GemmBF16)
				SetThreads(old)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%v: threads %d: C[%d] = %v, GemmBF16Ref %v", p, th, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func TestGemmInitBF16(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 4))
	for _, name := range bf16Kernels {
		withKernel(t, name, func(t *testing.T) {
			for _, s := range [][5]int{{9, 33, 300, 0, 1}, {130, 257, 67, 0, 1}, {1, 1, 1, 0, 1}, {9, 33, 300, 1, 0}, {70, 40, 515, 1, 0}} {
				p := newProblem(rnd, s[3] == 1, s[4] == 1, s[0], s[1], s[2], true, 1)
				bias := make([]float32, p.n)
				for j := range bias {
					bias[j] = float32(rnd.NormFloat64())
				}
				init := func(c []float32, ldc, i0, i1, j0, j1 int) {
					for i := i0; i < i1; i++ {
						copy(c[i*ldc+j0:i*ldc+j1], bias[j0:j1])
					}
				}
				got := make([]float32, len(p.c0))
				want := make([]float32, len(p.c0))
				copy(got, p.c0)
				copy(want, p.c0)
				GemmInitBF16(p.transA, p.transB, p.m, p.n, p.k, p.a, p.lda, p.b, p.ldb, init, got, p.ldc)
				GemmBF16Ref(p.transA, p.transB, p.m, p.n, p.k, p.a, p.lda, p.b, p.ldb, 1, want, p.ldc, init)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%v: C[%d] = %v, want %v", p, i, got[i], want[i])
					}
				}
			}
		})
	}
}

// TestMicroRate checks that every kernel this machine runs reports a positive
// finite rate for both precisions, and the ref kernel, which has no
// micro-kernel, 0.
func TestMicroRate(t *testing.T) {
	defer SetKernel(Kernel())
	for _, k := range Kernels() {
		if err := SetKernel(k); err != nil {
			t.Fatal(err)
		}
		for _, bf16 := range []bool{false, true} {
			r := MicroRate(bf16, time.Millisecond)
			if k == "ref" {
				if r != 0 {
					t.Errorf("kernel ref, bf16 %v: rate %v, want 0", bf16, r)
				}
				continue
			}
			if !(r > 0) || math.IsInf(r, 0) {
				t.Errorf("kernel %s, bf16 %v: rate %v, want positive and finite", k, bf16, r)
			}
		}
	}
}
