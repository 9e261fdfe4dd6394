package gpt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"icl/gpt/kernels"
)

// rounded is x with every value rounded to bf16, in float64.
func rounded(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(kernels.FromBF16(kernels.ToBF16(v)))
	}
	return y
}

// At BF16 a linear layer is the float64 product of its bf16-rounded operands,
// to float32 summation error (out = res + inp w^T + bias; dinp = dout w;
// dw += dout^T inp), and it is not the float32 layer.
func TestMatmulBF16(t *testing.T) {
	for _, s := range [][3]int{{7, 8, 6}, {40, 70, 33}} {
		t.Run(fmt.Sprintf("R%dC%dOC%d", s[0], s[1], s[2]), func(t *testing.T) {
			R, C, OC := s[0], s[1], s[2]
			r := rand.New(rand.NewPCG(3, 5))
			inp, w, bias, res := randVec(r, R*C, 1), randVec(r, OC*C, 1), randVec(r, OC, 1), randVec(r, R*OC, 1)
			ri, rw := rounded(inp), rounded(w)
			out := nans(R * OC)
			matmulForward(BF16, out, res, inp, w, bias, R, C, OC)
			want := make([]float64, R*OC)
			for i := 0; i < R; i++ {
				for o := 0; o < OC; o++ {
					s := float64(res[i*OC+o]) + float64(bias[o])
					for c := 0; c < C; c++ {
						s += ri[i*C+c] * rw[o*C+c]
					}
					want[i*OC+o] = s
				}
			}
			checkClose(t, "bf16 out", out, want)
			f32 := nans(R * OC)
			matmulForward(FP32, f32, res, inp, w, bias, R, C, OC)
			if slices.Equal(f32, out) {
				t.Error("the bf16 layer gives the float32 layer's bits: its operands were not rounded")
			}

			G := randVec(r, R*OC, 1)
			rg := rounded(G)
			dinp, dw := nans(R*C), make([]float32, OC*C)
			matmulBackward(BF16, dinp, dw, nil, G, inp, w, R, C, OC, 0)
			wantDinp, wantDw := make([]float64, R*C), make([]float64, OC*C)
			for i := 0; i < R; i++ {
				for c := 0; c < C; c++ {
					for o := 0; o < OC; o++ {
						wantDinp[i*C+c] += rg[i*OC+o] * rw[o*C+c]
						wantDw[o*C+c] += rg[i*OC+o] * ri[i*C+c]
					}
				}
			}
			checkClose(t, "bf16 dinp", dinp, wantDinp)
			checkClose(t, "bf16 dw", dw, wantDw)
		})
	}
}

// A BF16 model predicts what the float32 model does to bf16's precision (a
// few parts in a thousand of the predictions' scale), and trains to the same
// bits on any number of threads.
func TestBF16Model(t *testing.T) {
	c := Config{Dim: 5, Points: 10, Layers: 2, Width: 32, Heads: 4}
	r := rand.New(rand.NewPCG(41, 42))
	B, N := 16, 10
	xs, ys := randomPrompts(r, B, N, c.Dim)
	m, _ := New(c)
	m.Init(rand.New(rand.NewPCG(43, 44)))
	m.Forward(Input{Xs: xs, Ys: ys, B: B, N: N})
	f32 := slices.Clone(m.Preds())
	m.Precision = BF16
	m.Forward(Input{Xs: xs, Ys: ys, B: B, N: N})
	bf := m.Preds()
	var d, s float64
	for i := range bf {
		d = math.Max(d, math.Abs(float64(bf[i]-f32[i])))
		s = math.Max(s, math.Abs(float64(f32[i])))
	}
	if d == 0 || d > 2e-2*s {
		t.Errorf("max |bf16 - fp32| prediction difference %.3g of scale %.3g: want above 0 and below 2%%", d, s)
	}

	var ref []float32
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		oldT := kernels.SetThreads(procs)
		m, _ := New(c)
		m.Precision = BF16
		m.Init(rand.New(rand.NewPCG(35, 36)))
		params := trainSteps(m, xs, ys, B, N, 2, 1e-3)
		runtime.GOMAXPROCS(old)
		kernels.SetThreads(oldT)
		if ref == nil {
			ref = params
		} else if !slices.Equal(ref, params) {
			t.Errorf("GOMAXPROCS %d: bf16 parameters differ from GOMAXPROCS 1", procs)
		}
	}
}

func TestParsePrecision(t *testing.T) {
	for _, s := range []string{"", "fp32", "bf16"} {
		p, err := ParsePrecision(s)
		if err != nil || (s != "" && p.String() != s) {
			t.Errorf("ParsePrecision(%q) = %v, %v", s, p, err)
		}
	}
	if _, err := ParsePrecision("fp16"); err == nil {
		t.Error("fp16 accepted")
	}
}

// A numerics id names its precision, and a build that fuses multiply-adds
// (GOAMD64=v3) says so in it: its training bits are not those of other
// amd64 builds, so a shipped model is compared with it statistically.
func TestNumericsIDNamesFusion(t *testing.T) {
	for _, p := range []Precision{FP32, BF16} {
		id := NumericsID(p)
		if got, err := NumericsPrecision(id); err != nil || got != p {
			t.Errorf("NumericsPrecision(%q) = %v, %v; want %v", id, got, err, p)
		}
		if strings.Contains(id, "-fma") != fusedBuild {
			t.Errorf("NumericsID(%v) = %q in a build with fusedBuild = %v", p, id, fusedBuild)
		}
	}
}
