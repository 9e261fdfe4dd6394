package gpt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"icl/gpt/kernels"
)

// tileKernels lists the tile kernels this CPU runs, plain Go first.
func tileKernels() []tileKernel {
	ks := []tileKernel{tileGoKernel}
	if hasAVX2 {
		ks = append(ks, tileAVX2Kernel)
	}
	if hasAVX512 {
		ks = append(ks, tileAVX512Kernel)
	}
	return ks
}

// The tile operation of every kernel against a float64 triple loop, over
// column counts that use each vector width and a scalar tail, short row
// blocks, both column strides of A, k = 0 and accumulation; the AVX2 and
// AVX-512 kernels give the same bits.
func TestTile(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, n := range []int{1, 7, 8, 16, 24, 32, 40, 48, 56, 64, 68} {
		for _, k := range []int{0, 1, 2, 5, 16, 34} {
			for _, rows := range []int{1, 3, 4} {
				for _, csa := range []int{1, 70} {
					for _, acc := range []bool{false, true} {
						name := fmt.Sprintf("n%d/k%d/rows%d/csa%d/acc%v", n, k, rows, csa, acc)
						testTile(t, r, name, n, k, rows, csa, acc)
					}
				}
			}
		}
	}
}

func testTile(t *testing.T, r *rand.Rand, name string, n, k, rows, csa int, acc bool) {
	ldb := n + 5
	lda := (k + 1) * csa // room for k entries at stride csa
	a := randVec(r, 4*lda, 1)
	b := randVec(r, (k+1)*ldb, 1)
	c0 := randVec(r, 4*(n+3), 1)
	want := make([]float64, len(c0))
	for i := range c0 {
		want[i] = float64(c0[i])
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for p := 0; p < k; p++ {
				s += float64(a[i*lda+p*csa]) * float64(b[p*ldb+j])
			}
			if acc {
				want[i*(n+3)+j] += s
			} else {
				want[i*(n+3)+j] = s
			}
		}
	}
	var vecOut []float32
	for _, kern := range tileKernels() {
		tl := &tiler{kern: kern, spare: make([]float32, n)}
		c := slices.Clone(c0)
		for i := 0; i < 4; i++ {
			tl.a[i] = a[i*lda:]
			tl.c[i] = c[i*(n+3):]
		}
		tl.run(k, csa, b, ldb, rows, n, acc)
		for i, w := range want {
			if math.Abs(float64(c[i])-w) > 1e-5*(1+math.Abs(w)) {
				t.Fatalf("%s kernel %d: c[%d] = %g, want %g", name, kern, i, c[i], w)
			}
		}
		if kern != tileGoKernel {
			if vecOut != nil && !slices.Equal(vecOut, c) {
				t.Fatalf("%s: the AVX2 and AVX-512 kernels differ", name)
			}
			vecOut = c
		}
	}
}

// The vector transpose against the plain loop, on sizes with and without
// 8 x 8 blocks and tails.
func TestTransposeHead(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	for _, s := range [][2]int{{1, 4}, {7, 8}, {8, 8}, {17, 16}, {34, 16}, {42, 32}, {9, 20}} {
		T, hs := s[0], s[1]
		stride := 3*hs + 4
		Tp := attStride(T)
		src := randVec(r, T*stride, 1)
		dst := nans(hs * Tp)
		transposeHead(dst, src, T, hs, stride, Tp)
		for c := 0; c < hs; c++ {
			for j := 0; j < Tp; j++ {
				want := float32(0)
				if j < T {
					want = src[j*stride+c]
				}
				if dst[c*Tp+j] != want {
					t.Fatalf("T%d hs%d: dst[%d][%d] = %g, want %g", T, hs, c, j, dst[c*Tp+j], want)
				}
			}
		}
	}
}

// The 4-row causal softmax and its backward against float64 references, for
// blocks that start at every offset within a vector and rows past the end.
func TestSoftmaxRows(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	for _, T := range []int{1, 3, 8, 9, 17, 34} {
		Tp := attStride(T)
		scale := float32(0.25)
		S := randVec(r, T*Tp, 3)
		P := slices.Clone(S)
		dS := randVec(r, T*Tp, 1)
		dP := slices.Clone(dS)
		spare := make([]float32, 2*Tp)
		for t0 := 0; t0 < T; t0 += 4 {
			rows := min(4, T-t0)
			n := min((t0+rows+7)&^7, Tp)
			softmaxRows(P, t0, rows, n, Tp, scale, spare)
			softmaxBwdRows(dS, P, t0, rows, n, Tp, scale, spare)
		}
		for i := 0; i < T; i++ {
			mx := math.Inf(-1)
			for j := 0; j <= i; j++ {
				mx = math.Max(mx, float64(S[i*Tp+j]))
			}
			e := make([]float64, i+1)
			sum := 0.0
			for j := range e {
				e[j] = math.Exp((float64(S[i*Tp+j]) - mx) * float64(scale))
				sum += e[j]
			}
			dot := 0.0
			for j := range e {
				e[j] /= sum
				dot += e[j] * float64(dP[i*Tp+j])
			}
			n := min((i/4*4+min(4, T-i/4*4)+7)&^7, Tp) // the block's columns
			for j := 0; j < Tp; j++ {
				wantP, wantD := 0.0, 0.0
				if j <= i {
					wantP = e[j]
					wantD = e[j] * (float64(dP[i*Tp+j]) - dot) * float64(scale)
				}
				if math.Abs(float64(P[i*Tp+j])-wantP) > 1e-6 {
					t.Fatalf("T%d: P[%d][%d] = %g, want %g", T, i, j, P[i*Tp+j], wantP)
				}
				if j < n && math.Abs(float64(dS[i*Tp+j])-wantD) > 1e-5 {
					t.Fatalf("T%d: dS[%d][%d] = %g, want %g", T, i, j, dS[i*Tp+j], wantD)
				}
			}
		}
	}
}

// Attention with each tile kernel (chosen through kernels.SetKernel, as
// ICL_GEMM does): on a small odd size against the float64 reference and
// finite differences, and on the training presets' head sizes, a sequence
// past gatherAbove and odd sizes with scalar tails against the plain-Go
// kernel's output and gradient.
func TestAttentionKernels(t *testing.T) {
	old := kernels.Kernel()
	defer kernels.SetKernel(old)
	var names []string
	for _, name := range kernels.Kernels() {
		if name != "ref" {
			names = append(names, name)
		}
	}
	for _, name := range names {
		if err := kernels.SetKernel(name); err != nil {
			t.Fatal(err)
		}
		t.Run(name+"/B2T13C24H3", func(t *testing.T) { testAttention(t, 2, 13, 24, 3) })
	}
	for _, s := range [][4]int{{2, 34, 64, 4}, {1, 22, 32, 2}, {1, 34, 128, 4}, {1, 50, 64, 2}, {2, 13, 40, 5}} {
		B, T, C, H := s[0], s[1], s[2], s[3]
		r := rand.New(rand.NewPCG(47, 48))
		qkv := randVec(r, B*T*3*C, 1)
		dy := randVec(r, B*T*C, 1)
		dq0 := randVec(r, len(qkv), 1)
		Tp := attStride(T)
		var refOut, refDq []float32
		for _, name := range names {
			kernels.SetKernel(name)
			out, att := nans(B*T*C), nans(B*H*T*Tp)
			attentionForward(out, att, qkv, B, T, C, H)
			dq := slices.Clone(dq0)
			attentionBackward(dq, nans(B*H*T*Tp), dy, att, qkv, B, T, C, H, 1)
			if refOut == nil {
				refOut, refDq = out, dq
				continue
			}
			for i := range out {
				if d := math.Abs(float64(out[i] - refOut[i])); d > 1e-5*(1+math.Abs(float64(refOut[i]))) {
					t.Fatalf("%s B%dT%dC%dH%d: out[%d] = %g, go kernel %g", name, B, T, C, H, i, out[i], refOut[i])
				}
			}
			for i := range dq {
				if d := math.Abs(float64(dq[i] - refDq[i])); d > 1e-5*(1+math.Abs(float64(refDq[i]))) {
					t.Fatalf("%s B%dT%dC%dH%d: dqkv[%d] = %g, go kernel %g", name, B, T, C, H, i, dq[i], refDq[i])
				}
			}
		}
	}
}
