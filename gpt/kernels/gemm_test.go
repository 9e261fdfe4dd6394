package kernels

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// u is the unit roundoff of float32.
const u = 1.0 / (1 << 24)

// gamma is Higham's gamma_n = n u / (1 - n u): any float32 sum of n+1 terms, in
// any order, with or without FMA, is within gamma_n * sum|terms| of the exact sum.
func gamma(n int) float64 { return float64(n) * u / (1 - float64(n)*u) }

// problem is one Gemm call with strided storage.
type problem struct {
	transA, transB bool
	m, n, k        int
	lda, ldb, ldc  int
	beta           float32
	a, b, c0       []float32
}

func (p problem) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d lda=%d ldb=%d ldc=%d beta=%v",
		p.transA, p.transB, p.m, p.n, p.k, p.lda, p.ldb, p.ldc, p.beta)
}

// sentinel fills the padding of C (columns n..ldc-1) so that writes there show.
const sentinel = float32(-12345.5)

func newProblem(rnd *rand.Rand, transA, transB bool, m, n, k int, padded bool, beta float32) problem {
	p := problem{transA: transA, transB: transB, m: m, n: n, k: k, beta: beta}
	pad := func() int {
		if padded {
			return rnd.IntN(5)
		}
		return 0
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	p.lda, p.ldb, p.ldc = ac+pad(), bc+pad(), n+pad()
	fill := func(rows, ld int) []float32 {
		x := make([]float32, rows*ld)
		for i := range x {
			x[i] = float32(rnd.NormFloat64())
		}
		return x
	}
	p.a, p.b = fill(ar, p.lda), fill(br, p.ldb)
	p.c0 = fill(m, p.ldc)
	for i := 0; i < m; i++ {
		for j := n; j < p.ldc; j++ {
			p.c0[i*p.ldc+j] = sentinel
		}
		if beta == 0 { // C must be written, never read
			for j := 0; j < n; j++ {
				p.c0[i*p.ldc+j] = float32(math.NaN())
			}
		}
	}
	return p
}

func (p problem) run(f func(bool, bool, int, int, int, []float32, int, []float32, int, float32, []float32, int)) []float32 {
	c := append([]float32(nil), p.c0...)
	f(p.transA, p.transB, p.m, p.n, p.k, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
	return c
}

// check compares got with want (both from p) element by element. The bound is
// 2 gamma_{k+1} (sum_p |a_ip b_pj| + |beta c_ij|): each of the two results is
// within gamma_{k+1} of the exact value. Padding must hold the sentinel.
func (p problem) check(got, want []float32) error {
	for i := 0; i < p.m; i++ {
		for j := 0; j < p.ldc; j++ {
			g := got[i*p.ldc+j]
			if j >= p.n {
				if g != sentinel {
					return fmt.Errorf("%v: padding C[%d,%d] overwritten: %v", p, i, j, g)
				}
				continue
			}
			var s float64
			for q := 0; q < p.k; q++ {
				s += math.Abs(float64(p.opA(i, q)) * float64(p.opB(q, j)))
			}
			if p.beta == 1 {
				s += math.Abs(float64(p.c0[i*p.ldc+j]))
			}
			w := want[i*p.ldc+j]
			tol := 2 * gamma(p.k+1) * s
			if d := math.Abs(float64(g) - float64(w)); !(d <= tol) {
				return fmt.Errorf("%v: C[%d,%d] = %v, want %v (diff %.3g > tol %.3g)", p, i, j, g, w, d, tol)
			}
		}
	}
	return nil
}

func (p problem) opA(i, q int) float32 {
	if p.transA {
		return p.a[q*p.lda+i]
	}
	return p.a[i*p.lda+q]
}

func (p problem) opB(q, j int) float32 {
	if p.transB {
		return p.b[j*p.ldb+q]
	}
	return p.b[q*p.ldb+j]
}

// withKernel runs f with kernel name selected, skipping if it is unsupported.
func withKernel(t *testing.T, name string, f func(t *testing.T)) {
	t.Run(name, func(t *testing.T) {
		old := Kernel()
		if err := SetKernel(name); err != nil {
			t.Skipf("kernel %s not runnable on this CPU/build (%v); its test is skipped", name, err)
		}
		defer SetKernel(old)
		f(t)
	})
}

var allKernels = []string{"ref", "go", "avx2", "avx512"}

func TestGemmAgainstRef(t *testing.T) {
	type shape struct{ m, n, k int }
	fixed := []shape{
		{1, 1, 1}, {6, 16, 1}, {6, 32, 8}, {4, 4, 4}, {7, 17, 3}, {5, 15, 31},
		{12, 48, 256}, {13, 33, 257}, {130, 257, 67}, {41, 41, 32}, {41, 32, 41},
		{3, 70, 600}, {25, 9, 513},
		{20, 530, 40}, {7, 600, 300}, // several tile blocks across N: A packed up front
	}
	for _, name := range allKernels {
		withKernel(t, name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(1, uint64(len(name))))
			shapes := append([]shape(nil), fixed...)
			for range 24 {
				shapes = append(shapes, shape{1 + rnd.IntN(70), 1 + rnd.IntN(70), 1 + rnd.IntN(70)})
			}
			n := 0
			for _, s := range shapes {
				for _, tr := range [4][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
					for _, beta := range []float32{0, 1} {
						p := newProblem(rnd, tr[0], tr[1], s.m, s.n, s.k, n%3 != 0, beta)
						if err := p.check(p.run(Gemm), p.run(GemmRef)); err != nil {
							t.Fatal(err)
						}
						n++
					}
				}
			}
		})
	}
}

// TestCheckCatchesErrors shows that the tolerance of check is tight enough to
// see a single missing term of the sum.
func TestCheckCatchesErrors(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	for _, k := range []int{1, 5, 70, 600} {
		p := newProblem(rnd, false, true, 9, 11, k, true, 1)
		want := p.run(GemmRef)
		q := p
		q.k = k - 1 // drop the last term of every sum
		got := q.run(GemmRef)
		if err := p.check(got, want); err == nil {
			t.Errorf("k=%d: dropping one term of the sum went unnoticed", k)
		}
	}
}

func TestDegenerate(t *testing.T) {
	for _, name := range allKernels {
		withKernel(t, name, func(t *testing.T) {
			nan := float32(math.NaN())
			// k = 0, beta = 0 zeroes C (and not its padding); beta = 1 leaves it.
			c := []float32{nan, nan, 9, nan, nan, 9}
			Gemm(false, false, 2, 2, 0, nil, 0, nil, 2, 0, c, 3)
			if want := []float32{0, 0, 9, 0, 0, 9}; fmt.Sprint(c) != fmt.Sprint(want) {
				t.Errorf("k=0 beta=0: C = %v, want %v", c, want)
			}
			c = []float32{1, 2, 3, 4}
			Gemm(true, true, 2, 2, 0, nil, 0, nil, 0, 1, c, 2)
			if fmt.Sprint(c) != "[1 2 3 4]" {
				t.Errorf("k=0 beta=1: C = %v, want unchanged", c)
			}
			// m = 0 or n = 0: nothing is touched.
			Gemm(false, false, 0, 3, 2, nil, 2, make([]float32, 6), 3, 0, nil, 3)
			Gemm(false, false, 3, 0, 2, make([]float32, 6), 2, nil, 0, 0, nil, 0)
		})
	}
}

func TestBadArgsPanic(t *testing.T) {
	a := make([]float32, 12)
	cases := []struct {
		name string
		f    func()
	}{
		{"beta", func() { Gemm(false, false, 2, 2, 2, a, 2, a, 2, 0.5, a, 2) }},
		{"lda", func() { Gemm(false, false, 2, 2, 3, a, 2, a, 2, 0, a, 2) }},
		{"short B", func() { Gemm(false, true, 2, 3, 4, a, 4, a[:11], 4, 0, a, 3) }},
		{"short C", func() { Gemm(false, false, 3, 3, 1, a, 1, a, 3, 0, a[:8], 3) }},
		{"negative", func() { Gemm(false, false, -1, 3, 1, a, 1, a, 3, 0, a, 3) }},
	}
	for _, c := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			c.f()
		}()
	}
}

// TestThreadsBitIdentical runs shapes large enough to be split over
// goroutines, with several K blocks, and demands identical bits for 1, 2, 3
// and 4 goroutines.
func TestThreadsBitIdentical(t *testing.T) {
	defer SetThreads(SetThreads(0))
	for _, name := range []string{"go", "avx2", "avx512"} {
		withKernel(t, name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(3, 4))
			shapes := [][3]int{{301, 203, 600}, {97, 1000, 300}, {256, 64, 1100}}
			if name == "go" {
				shapes = shapes[:1]
			}
			for _, s := range shapes {
				for _, tr := range [4][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
					beta := float32(rnd.IntN(2))
					p := newProblem(rnd, tr[0], tr[1], s[0], s[1], s[2], true, beta)
					SetThreads(1)
					want := p.run(Gemm)
					for _, th := range []int{2, 3, 4} {
						SetThreads(th)
						got := p.run(Gemm)
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
								t.Fatalf("%v: threads=%d C[%d] = %v, threads=1 gave %v", p, th, i, got[i], want[i])
							}
						}
					}
					// Check the values too for a few cases: NN with A read in
					// place, and the transposed forms with A packed up front.
					if name == "avx2" && (s[0] == 301 && !tr[0] && !tr[1] || s[0] == 97 && tr[0]) {
						if err := p.check(want, p.run(GemmRef)); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		})
	}
}

func TestParallel(t *testing.T) {
	defer SetThreads(SetThreads(0))
	for _, th := range []int{1, 2, 3, 8} {
		SetThreads(th)
		for _, n := range []int{0, 1, 2, 7, 100} {
			hits := make([]atomic.Int32, n)
			var calls atomic.Int32
			Parallel(n, func(lo, hi int) {
				calls.Add(1)
				if lo >= hi {
					t.Errorf("empty range [%d,%d)", lo, hi)
				}
				for i := lo; i < hi; i++ {
					hits[i].Add(1)
				}
			})
			for i := range hits {
				if h := hits[i].Load(); h != 1 {
					t.Fatalf("threads=%d n=%d: index %d visited %d times", th, n, i, h)
				}
			}
			if c := int(calls.Load()); c > max(th, 1) {
				t.Errorf("threads=%d n=%d: %d ranges, want at most %d", th, n, c, th)
			}
		}
	}
}

// TestNestedGemm calls Gemm from inside Parallel bodies (as attention does per
// head) with every worker busy; it must neither deadlock nor change results.
func TestNestedGemm(t *testing.T) {
	defer SetThreads(SetThreads(3))
	rnd := rand.New(rand.NewPCG(5, 6))
	const heads = 6
	ps := make([]problem, heads)
	want := make([][]float32, heads)
	for h := range ps {
		ps[h] = newProblem(rnd, false, true, 100, 90, 120, false, 0) // above the parallel threshold
		want[h] = ps[h].run(GemmRef)
	}
	got := make([][]float32, heads)
	Parallel(heads, func(lo, hi int) {
		for h := lo; h < hi; h++ {
			got[h] = ps[h].run(Gemm)
		}
	})
	for h := range ps {
		if err := ps[h].check(got[h], want[h]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSetKernel(t *testing.T) {
	old := Kernel()
	defer SetKernel(old)
	var ke *KernelError
	if err := SetKernel("sse9"); !errors.As(err, &ke) || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("SetKernel(sse9) = %v, want unknown-kernel *KernelError", err)
	}
	if Kernel() != old {
		t.Errorf("failed SetKernel changed the kernel to %s", Kernel())
	}
	for _, name := range allKernels {
		err := SetKernel(name)
		if supported(name) != (err == nil) {
			t.Errorf("SetKernel(%s) = %v, supported = %v", name, err, supported(name))
		}
		if err == nil && Kernel() != name {
			t.Errorf("after SetKernel(%s), Kernel() = %s", name, Kernel())
		}
	}
	if err := SetKernel(""); err != nil || Kernel() != bestKernel() {
		t.Errorf("SetKernel(\"\") = %v, Kernel() = %s, want %s", err, Kernel(), bestKernel())
	}
	t.Logf("kernels runnable here: %v; default %s", Kernels(), bestKernel())
}

// TestEnvKernel starts this test binary with ICL_GEMM set and checks that the
// variable is honoured and that a bad value panics with a clear message.
func TestEnvKernel(t *testing.T) {
	if os.Getenv("ICL_GEMM_CHILD") == "1" {
		fmt.Printf("KERNEL=%s\n", Kernel())
		return
	}
	for _, tc := range []struct{ env, want string }{
		{"go", "KERNEL=go"},
		{"ref", "KERNEL=ref"},
		{"bogus", `ICL_GEMM="bogus"`},
		{"avx512", map[bool]string{true: "KERNEL=avx512", false: "not supported"}[supported("avx512")]},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEnvKernel$")
		cmd.Env = append(os.Environ(), "ICL_GEMM_CHILD=1", EnvKernel+"="+tc.env)
		out, err := cmd.CombinedOutput()
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("ICL_GEMM=%s: output %q (err %v) lacks %q", tc.env, out, err, tc.want)
		}
		if wantFail := !supported(tc.env); wantFail != (err != nil) {
			t.Errorf("ICL_GEMM=%s: process error %v, want failure %v", tc.env, err, wantFail)
		}
	}
}

// TestKernelTable checks the invariants block relies on: its scratch tile
// holds mr x nr, its edge panel holds mr x kc, and tile blocks are whole
// micro-panels.
func TestKernelTable(t *testing.T) {
	for name, kr := range kernelTable {
		if kr.id == kRef {
			continue
		}
		if kr.mr*kr.nr > 6*32 || kr.mr > 6 || kr.kc > maxKC || kr.kc < 1 {
			t.Errorf("%s: mr=%d nr=%d kc=%d exceed block's buffers", name, kr.mr, kr.nr, kr.kc)
		}
		if kr.mc%kr.mr != 0 || kr.nc%kr.nr != 0 || kr.mc == 0 || kr.nc == 0 {
			t.Errorf("%s: mc=%d nc=%d not positive multiples of mr=%d nr=%d", name, kr.mc, kr.nc, kr.mr, kr.nr)
		}
		if kr.direct && kr.id == kGo {
			t.Errorf("%s: the Go kernel takes packed A only", name)
		}
	}
}

// TestGemmTransAStrides covers both ways a transposed A is handled: read in
// place, and packed when its rows lie a multiple of 4 KiB apart (see
// readsTransAInPlace), with edge tiles and two K blocks.
func TestGemmTransAStrides(t *testing.T) {
	for _, name := range allKernels {
		withKernel(t, name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(5, 6))
			for _, lda := range []int{1024, 1000, 64} {
				for _, tB := range []bool{false, true} {
					for _, beta := range []float32{0, 1} {
						p := newProblem(rnd, true, tB, 61, 37, 300, false, beta)
						p.lda = lda
						p.a = make([]float32, p.k*lda)
						for i := range p.a {
							p.a[i] = float32(rnd.NormFloat64())
						}
						if err := p.check(p.run(Gemm), p.run(GemmRef)); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		})
	}
}

// TestGemmInit checks that GemmInit equals Gemm with beta = 1 on C preset to
// the initial values, bit for bit, for any thread count, and that init is
// called on disjoint blocks that cover C exactly once.
func TestGemmInit(t *testing.T) {
	defer SetThreads(SetThreads(0))
	for _, name := range allKernels {
		withKernel(t, name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(9, 10))
			shapes := [][3]int{{7, 17, 3}, {61, 37, 300}, {301, 203, 600}, {20, 530, 40}, {5, 6, 0}}
			for _, s := range shapes {
				for _, tr := range [4][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
					p := newProblem(rnd, tr[0], tr[1], s[0], s[1], s[2], true, 1)
					want := p.run(Gemm)
					for _, th := range []int{1, 2, 3} {
						SetThreads(th)
						c := make([]float32, len(p.c0))
						for i := range c {
							c[i] = float32(math.NaN())
						}
						for i := 0; i < p.m; i++ {
							copy(c[i*p.ldc+p.n:(i+1)*p.ldc], p.c0[i*p.ldc+p.n:(i+1)*p.ldc]) // padding
						}
						var mu sync.Mutex
						count := make([]int, p.m*p.n)
						init := func(cc []float32, ldc, i0, i1, j0, j1 int) {
							mu.Lock()
							defer mu.Unlock()
							for i := i0; i < i1; i++ {
								for j := j0; j < j1; j++ {
									cc[i*ldc+j] = p.c0[i*p.ldc+j]
									count[i*p.n+j]++
								}
							}
						}
						GemmInit(p.transA, p.transB, p.m, p.n, p.k, p.a, p.lda, p.b, p.ldb, init, c, p.ldc)
						for i, n := range count {
							if n != 1 {
								t.Fatalf("%v threads=%d: init set C[%d,%d] %d times", p, th, i/p.n, i%p.n, n)
							}
						}
						for i := range c {
							if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
								t.Fatalf("%v threads=%d: C[%d] = %v, Gemm gave %v", p, th, i, c[i], want[i])
							}
						}
					}
				}
			}
		})
	}
}
