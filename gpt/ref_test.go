package gpt

import (
	"math"
	"math/rand/v2"
)

// A float64 reference of the model, written with plain nested loops and
// independently of the optimized layers, for checking Forward (directly) and
// Backward (by central finite differences of this reference).

type mat [][]float64 // rows x columns

func newMat(r, c int) mat {
	m := make(mat, r)
	for i := range m {
		m[i] = make([]float64, c)
	}
	return m
}

// refLinear: out[t][o] = sum_i W[o][i] x[t][i] + b[o], W flat (out, in).
func refLinear(x mat, W, b []float64, out int) mat {
	in := len(x[0])
	y := newMat(len(x), out)
	for t := range x {
		for o := 0; o < out; o++ {
			s := 0.0
			if b != nil {
				s = b[o]
			}
			for i := 0; i < in; i++ {
				s += W[o*in+i] * x[t][i]
			}
			y[t][o] = s
		}
	}
	return y
}

func refLayerNorm(x mat, w, b []float64) mat {
	C := len(x[0])
	y := newMat(len(x), C)
	for t := range x {
		mean := 0.0
		for _, v := range x[t] {
			mean += v
		}
		mean /= float64(C)
		vr := 0.0
		for _, v := range x[t] {
			vr += (v - mean) * (v - mean)
		}
		vr /= float64(C)
		for c, v := range x[t] {
			y[t][c] = (v-mean)/math.Sqrt(vr+1e-5)*w[c] + b[c]
		}
	}
	return y
}

// refAttention: qkv (T, 3C) of one prompt -> (T, C).
func refAttention(qkv mat, C, H int) mat {
	T := len(qkv)
	hs := C / H
	y := newMat(T, C)
	for h := 0; h < H; h++ {
		for t := 0; t < T; t++ {
			sc := make([]float64, t+1)
			mx := math.Inf(-1)
			for u := 0; u <= t; u++ {
				s := 0.0
				for i := 0; i < hs; i++ {
					s += qkv[t][h*hs+i] * qkv[u][C+h*hs+i]
				}
				sc[u] = s / math.Sqrt(float64(hs))
				mx = math.Max(mx, sc[u])
			}
			z := 0.0
			for u := range sc {
				sc[u] = math.Exp(sc[u] - mx)
				z += sc[u]
			}
			for i := 0; i < hs; i++ {
				s := 0.0
				for u := range sc {
					s += sc[u] / z * qkv[u][2*C+h*hs+i]
				}
				y[t][h*hs+i] = s
			}
		}
	}
	return y
}

func refGelu(x float64) float64 {
	return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
}

func refAdd(a, b mat) mat {
	y := newMat(len(a), len(a[0]))
	for i := range a {
		for j := range a[i] {
			y[i][j] = a[i][j] + b[i][j]
		}
	}
	return y
}

// refParams maps tensor names to float64 copies.
type refParams map[string][]float64

func refParamsOf(m *Model) refParams {
	p := refParams{}
	for _, t := range m.Tensors() {
		p[t.Name] = to64(t.Data)
	}
	return p
}

// refForward runs the reference model on xs (B,N,d), ys (B,N); returns the
// predictions (B,N) and the mean squared error.
func refForward(cfg Config, p refParams, xs, ys []float64, B, N int) ([]float64, float64) {
	return refForwardInd(cfg, p, xs, ys, nil, B, N)
}

// refForwardInd is refForward with the family indicator ind (B, F), nil for
// zeros, appended to every token.
func refForwardInd(cfg Config, p refParams, xs, ys, ind []float64, B, N int) ([]float64, float64) {
	d, F, C, H := cfg.Dim, cfg.Families, cfg.Width, cfg.Heads
	T := 2 * N
	preds := make([]float64, B*N)
	loss := 0.0
	for b := 0; b < B; b++ {
		z := newMat(T, d+F)
		for i := 0; i < N; i++ {
			copy(z[2*i], xs[(b*N+i)*d:(b*N+i+1)*d])
			z[2*i+1][0] = ys[b*N+i]
			for f := 0; f < F && ind != nil; f++ {
				z[2*i][d+f] = ind[b*F+f]
				z[2*i+1][d+f] = ind[b*F+f]
			}
		}
		x := refLinear(z, p["read_in.weight"], p["read_in.bias"], C)
		for t := 0; t < T; t++ {
			for c := 0; c < C; c++ {
				x[t][c] += p["wpe"][t*C+c]
			}
		}
		for l := 0; l < cfg.Layers; l++ {
			pre := "blocks." + itoa(l) + "."
			h := refLayerNorm(x, p[pre+"ln_1.weight"], p[pre+"ln_1.bias"])
			qkv := refLinear(h, p[pre+"c_attn.weight"], p[pre+"c_attn.bias"], 3*C)
			y := refAttention(qkv, C, H)
			x = refAdd(x, refLinear(y, p[pre+"c_proj.weight"], p[pre+"c_proj.bias"], C))
			h = refLayerNorm(x, p[pre+"ln_2.weight"], p[pre+"ln_2.bias"])
			f := refLinear(h, p[pre+"c_fc.weight"], p[pre+"c_fc.bias"], 4*C)
			for t := range f {
				for j := range f[t] {
					f[t][j] = refGelu(f[t][j])
				}
			}
			x = refAdd(x, refLinear(f, p[pre+"mlp_proj.weight"], p[pre+"mlp_proj.bias"], C))
		}
		h := refLayerNorm(x, p["ln_f.weight"], p["ln_f.bias"])
		out := refLinear(h, p["read_out.weight"], p["read_out.bias"], 1)
		for i := 0; i < N; i++ {
			preds[b*N+i] = out[2*i][0]
			e := out[2*i][0] - ys[b*N+i]
			loss += e * e
		}
	}
	return preds, loss / float64(B*N)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

func randVec(r *rand.Rand, n int, std float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * std)
	}
	return x
}

// flat turns a mat into a row-major slice.
func flat(m mat) []float64 {
	var y []float64
	for _, r := range m {
		y = append(y, r...)
	}
	return y
}

// unflat cuts x into rows of c.
func unflat(x []float64, c int) mat {
	m := make(mat, len(x)/c)
	for i := range m {
		m[i] = x[i*c : (i+1)*c]
	}
	return m
}
