package gpt

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The captured streams are the reference forward's residual streams at the
// x-tokens, layer by layer; the final one, through ln_f, is what the read-out
// reads, and the read-out of that gives the predictions.
func TestStream(t *testing.T) {
	for _, layers := range []int{1, 3} {
		c := tinyCfg
		c.Layers = layers
		r := rand.New(rand.NewPCG(51, uint64(layers)))
		m, _ := New(c)
		randomize(m, r)
		B, N := 2, 4
		xs, ys := randomPrompts(r, B, N, c.Dim)
		m.Forward(Input{Xs: xs, Ys: ys, B: B, N: N})
		want := refStreams(c, refParamsOf(m), to64(xs), to64(ys), B, N) // (L+1) x (B*N*C)
		C := c.Width
		got := make([]float32, B*N*C)
		for l := 0; l <= layers; l++ {
			m.Stream(got, l)
			checkClose(t, "stream", got, want[l])
		}
		// Final stream -> ln_f -> read-out input -> predictions.
		m.Stream(got, layers)
		in := make([]float32, B*N*C)
		m.ReadoutInput(in)
		p := refParamsOf(m)
		for row := 0; row < B*N; row++ {
			x := make([]float64, C)
			for j := range x {
				x[j] = float64(got[row*C+j])
			}
			ln := refLayerNorm(mat{x}, p["ln_f.weight"], p["ln_f.bias"])[0]
			pred := p["read_out.bias"][0]
			for j := range ln {
				if d := math.Abs(float64(in[row*C+j]) - ln[j]); d > 1e-4*math.Max(1, math.Abs(ln[j])) {
					t.Fatalf("layers %d, row %d: read-out input %v, ln_f of the final stream %v", layers, row, in[row*C+j], ln[j])
				}
				pred += p["read_out.weight"][j] * float64(in[row*C+j])
			}
			if d := math.Abs(pred - float64(m.Preds()[row])); d > 1e-4*math.Max(1, math.Abs(pred)) {
				t.Fatalf("layers %d, row %d: read-out of the input %v, prediction %v", layers, row, pred, m.Preds()[row])
			}
		}
	}
}

// refStreams is the float64 reference forward's residual stream after the
// embedding and after each block, at the x-tokens: (L+1) slices of (B*N*C).
func refStreams(cfg Config, p refParams, xs, ys []float64, B, N int) [][]float64 {
	d, C, H := cfg.Dim, cfg.Width, cfg.Heads
	T := 2 * N
	out := make([][]float64, cfg.Layers+1)
	keep := func(l int, x mat) {
		for i := 0; i < N; i++ {
			out[l] = append(out[l], x[2*i]...)
		}
	}
	for b := 0; b < B; b++ {
		z := newMat(T, d)
		for i := 0; i < N; i++ {
			copy(z[2*i], xs[(b*N+i)*d:(b*N+i+1)*d])
			z[2*i+1][0] = ys[b*N+i]
		}
		x := refLinear(z, p["read_in.weight"], p["read_in.bias"], C)
		for t := 0; t < T; t++ {
			for c := 0; c < C; c++ {
				x[t][c] += p["wpe"][t*C+c]
			}
		}
		keep(0, x)
		for l := 0; l < cfg.Layers; l++ {
			pre := "blocks." + itoa(l) + "."
			h := refLayerNorm(x, p[pre+"ln_1.weight"], p[pre+"ln_1.bias"])
			y := refAttention(refLinear(h, p[pre+"c_attn.weight"], p[pre+"c_attn.bias"], 3*C), C, H)
			x = refAdd(x, refLinear(y, p[pre+"c_proj.weight"], p[pre+"c_proj.bias"], C))
			h = refLayerNorm(x, p[pre+"ln_2.weight"], p[pre+"ln_2.bias"])
			f := refLinear(h, p[pre+"c_fc.weight"], p[pre+"c_fc.bias"], 4*C)
			for t := range f {
				for j := range f[t] {
					f[t][j] = refGelu(f[t][j])
				}
			}
			x = refAdd(x, refLinear(f, p[pre+"mlp_proj.weight"], p[pre+"mlp_proj.bias"], C))
			keep(l+1, x)
		}
	}
	return out
}

// Predict gives Forward's predictions and streams, the same bits, at both
// precisions, without what only Backward reads: Backward refuses to run
// after it, and runs after a Forward again.
func TestPredictIsForward(t *testing.T) {
	for _, prec := range []Precision{FP32, BF16} {
		c := tinyCfg
		c.Layers = 2
		r := rand.New(rand.NewPCG(52, uint64(prec)))
		m, _ := New(c)
		m.Precision = prec
		randomize(m, r)
		B, N := 3, c.Points
		xs, ys := randomPrompts(r, B, N, c.Dim)
		in := Input{Xs: xs, Ys: ys, B: B, N: N}
		m.Forward(in)
		want := append([]float32(nil), m.Preds()...)
		wantS := make([]float32, B*N*c.Width)
		m.Stream(wantS, c.Layers)
		got := make([]float32, B*N)
		m.Predict(got, in)
		gotS := make([]float32, B*N*c.Width)
		m.Stream(gotS, c.Layers)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%v: prediction %d: Predict %v, Forward %v", prec, i, got[i], want[i])
			}
		}
		for i := range wantS {
			if math.Float32bits(gotS[i]) != math.Float32bits(wantS[i]) {
				t.Fatalf("%v: stream %d: Predict %v, Forward %v", prec, i, gotS[i], wantS[i])
			}
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%v: Backward after Predict ran", prec)
				}
			}()
			m.Backward()
		}()
		m.Forward(in)
		m.Backward()
	}
}
