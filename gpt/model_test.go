package gpt

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"icl/config"
	"icl/gpt/kernels"
)

var tinyCfg = Config{Dim: 3, Points: 4, Layers: 2, Width: 8, Heads: 2}

func TestConfigValidate(t *testing.T) {
	if err := tinyCfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c     Config
		field string
	}{
		{Config{Dim: 0, Points: 4, Layers: 1, Width: 8, Heads: 2}, "dim"},
		{Config{Dim: 3, Points: -1, Layers: 1, Width: 8, Heads: 2}, "points"},
		{Config{Dim: 3, Points: 4, Layers: 0, Width: 8, Heads: 2}, "layers"},
		{Config{Dim: 3, Points: 4, Layers: 1, Width: 0, Heads: 2}, "width"},
		{Config{Dim: 3, Points: 4, Layers: 1, Width: 8, Heads: 0}, "heads"},
		{Config{Dim: 3, Points: 4, Layers: 1, Width: 10, Heads: 3}, "width"},
	} {
		err := tc.c.Validate()
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Path != tc.field || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: %v, want an error naming %s", tc.c, err, tc.field)
		}
		if _, err := New(tc.c); err == nil {
			t.Errorf("New(%+v) accepted an invalid config", tc.c)
		}
	}
}

// The exported names and shapes are docs/design.md's, in order; NumParams is the
// closed form C d + C + 2 P C + L (12 C^2 + 13 C) + 3 C + 1.
func TestLayout(t *testing.T) {
	c := Config{Dim: 3, Points: 4, Layers: 2, Width: 8, Heads: 2}
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"read_in.weight [8 3]", "read_in.bias [8]", "wpe [8 8]"}
	for _, l := range []string{"0", "1"} {
		b := "blocks." + l + "."
		want = append(want, b+"ln_1.weight [8]", b+"ln_1.bias [8]", b+"c_attn.weight [24 8]", b+"c_attn.bias [24]",
			b+"c_proj.weight [8 8]", b+"c_proj.bias [8]", b+"ln_2.weight [8]", b+"ln_2.bias [8]",
			b+"c_fc.weight [32 8]", b+"c_fc.bias [32]", b+"mlp_proj.weight [8 32]", b+"mlp_proj.bias [8]")
	}
	want = append(want, "ln_f.weight [8]", "ln_f.bias [8]", "read_out.weight [1 8]", "read_out.bias [1]")
	var got []string
	total := 0
	for _, ts := range m.Tensors() {
		got = append(got, ts.Name+" "+fmtInts(ts.Shape))
		total += len(ts.Data)
	}
	if !slices.Equal(got, want) {
		t.Errorf("tensors:\n%v\nwant\n%v", got, want)
	}
	C, d, P, L := 8, 3, 4, 2
	n := C*d + C + 2*P*C + L*(12*C*C+13*C) + 3*C + 1
	if c.NumParams() != n || total != n || len(m.Params) != n || len(m.Grads) != n {
		t.Errorf("NumParams %d, tensors hold %d, len(Params) %d; want %d", c.NumParams(), total, len(m.Params), n)
	}
	// Views alias the buffers.
	m.Tensors()[3].Data[0] = 7
	if m.W.Blocks[0].Ln1W[0] != 7 || m.Params[C*d+C+2*P*C] != 7 {
		t.Error("Tensors()[3] is not a view of blocks.0.ln_1.weight in Params")
	}
	m.GradTensors()[len(want)-1].Data[0] = 5
	if m.DW.ReadOutB[0] != 5 || m.Grads[n-1] != 5 {
		t.Error("GradTensors are not views of Grads")
	}
}

func fmtInts(s []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(itoa(v))
	}
	b.WriteByte(']')
	return b.String()
}

// randomize sets every parameter to a random value large enough that every
// path of the network carries signal: N(0, 0.3^2), LayerNorm weights 1 + N(0, 0.2^2).
func randomize(m *Model, r *rand.Rand) {
	for _, ts := range m.Tensors() {
		for i := range ts.Data {
			ts.Data[i] = float32(r.NormFloat64() * 0.3)
			if strings.Contains(ts.Name, "ln_") && strings.HasSuffix(ts.Name, "weight") {
				ts.Data[i] = float32(1 + r.NormFloat64()*0.2)
			}
		}
	}
}

func randomPrompts(r *rand.Rand, B, N, d int) (xs, ys []float32) {
	xs = randVec(r, B*N*d, 1)
	ys = make([]float32, B*N)
	for b := 0; b < B; b++ {
		w := randVec(r, d, 1)
		for i := 0; i < N; i++ {
			var s float32
			for j := 0; j < d; j++ {
				s += w[j] * xs[(b*N+i)*d+j]
			}
			ys[b*N+i] = s
		}
	}
	return xs, ys
}

// Forward's predictions and loss against the naive float64 reference, to
// 1e-5 * max(1, |value|), for GPT-2 init and for large random parameters, at
// N = Points and N < Points.
func TestForwardMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	m, _ := New(tinyCfg)
	for _, init := range []string{"gpt2", "random"} {
		if init == "gpt2" {
			m.Init(r)
		} else {
			randomize(m, r)
		}
		for _, N := range []int{4, 3, 1} {
			B := 3
			xs, ys := randomPrompts(r, B, N, tinyCfg.Dim)
			loss := m.Forward(Input{Xs: xs, Ys: ys, B: B, N: N})
			want, wantLoss := refForward(tinyCfg, refParamsOf(m), to64(xs), to64(ys), B, N)
			checkClose(t, init+" preds", m.Preds(), want)
			if math.Abs(float64(loss)-wantLoss) > 1e-5*math.Max(1, wantLoss) {
				t.Errorf("%s N=%d: loss %v, want %v", init, N, loss, wantLoss)
			}
		}
	}
}

// The whole model's gradient against central finite differences of the float64
// reference loss, at 8 entries (or all, if fewer) of every tensor, to 1e-5 of
// the largest |gradient| sampled in that tensor.
func TestModelGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	m, _ := New(tinyCfg)
	randomize(m, r)
	B, N := 2, 4
	xs, ys := randomPrompts(r, B, N, tinyCfg.Dim)
	m.ZeroGrad()
	m.Forward(Input{Xs: xs, Ys: ys, B: B, N: N})
	m.Backward()
	p := refParamsOf(m)
	x64, y64 := to64(xs), to64(ys)
	loss := func() float64 {
		_, l := refForward(tinyCfg, p, x64, y64, B, N)
		return l
	}
	checkModelGrads(t, r, m, p, loss)
}

// checkModelGrads checks m's gradient against central finite differences of
// loss (over the reference parameters p) at 8 entries (or all, if fewer) of
// every tensor, to 1e-5 of the largest |gradient| sampled in that tensor.
func checkModelGrads(t *testing.T, r *rand.Rand, m *Model, p refParams, loss func() float64) {
	t.Helper()
	for _, g := range m.GradTensors() {
		var idx []int
		if n := len(g.Data); n > 8 {
			for _, i := range r.Perm(n)[:8] {
				idx = append(idx, i)
			}
		}
		checkGradTol(t, g.Name, to64(g.Data), p[g.Name], loss, idx, 1e-5)
	}
}

// Backward adds: two Forward+Backward passes give twice one pass's gradient, to
// float32 rounding (1e-6 of the largest gradient).
func TestBackwardAccumulates(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	m, _ := New(tinyCfg)
	randomize(m, r)
	xs, ys := randomPrompts(r, 2, 4, tinyCfg.Dim)
	m.ZeroGrad()
	m.Forward(Input{Xs: xs, Ys: ys, B: 2, N: 4})
	m.Backward()
	once := slices.Clone(m.Grads)
	m.Forward(Input{Xs: xs, Ys: ys, B: 2, N: 4})
	m.Backward()
	scale := 0.0
	for _, g := range once {
		scale = math.Max(scale, math.Abs(float64(g)))
	}
	for i := range once {
		if math.Abs(float64(m.Grads[i]-2*once[i])) > 1e-6*scale {
			t.Fatalf("Grads[%d] = %v after two passes, want 2 * %v", i, m.Grads[i], once[i])
		}
	}
}

// Causality and prompt independence: the prediction at point i depends on
// x_0..x_i and y_0..y_{i-1} of its own prompt only.
func TestCausality(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	m, _ := New(tinyCfg)
	randomize(m, r)
	B, N, d := 2, 4, tinyCfg.Dim
	xs, ys := randomPrompts(r, B, N, d)
	base := slices.Clone(m.Preds2(xs, ys, B, N))
	for i := 0; i < N; i++ {
		y2 := slices.Clone(ys)
		y2[i] += 1 // prompt 0, label i
		got := m.Preds2(xs, y2, B, N)
		for j := 0; j < N; j++ {
			changed := got[j] != base[j]
			if changed != (j > i) {
				t.Errorf("changing y_%d: prediction %d changed = %v", i, j, changed)
			}
			if got[N+j] != base[N+j] {
				t.Errorf("changing prompt 0 changed prompt 1's prediction %d", j)
			}
		}
		x2 := slices.Clone(xs)
		x2[i*d] += 1 // prompt 0, x_i
		got = m.Preds2(x2, ys, B, N)
		for j := 0; j < N; j++ {
			if changed := got[j] != base[j]; changed != (j >= i) {
				t.Errorf("changing x_%d: prediction %d changed = %v", i, j, changed)
			}
		}
	}
}

// Preds2 is Forward then Preds.
func (m *Model) Preds2(xs, ys []float32, B, N int) []float32 {
	m.Forward(Input{Xs: xs, Ys: ys, B: B, N: N})
	return m.Preds()
}

// Changing (B, N) between calls reuses the buffer when it is large enough and
// gives the same bits as a fresh model.
func TestShapeChanges(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 30))
	m, _ := New(tinyCfg)
	m.Init(r)
	fresh, _ := New(tinyCfg)
	copy(fresh.Params, m.Params)
	xs, ys := randomPrompts(r, 4, 4, tinyCfg.Dim)
	m.Forward(Input{Xs: xs, Ys: ys, B: 4, N: 4})
	buf := &m.acts[0]
	xs2, ys2 := randomPrompts(r, 2, 3, tinyCfg.Dim)
	m.ZeroGrad()
	l1 := m.Forward(Input{Xs: xs2, Ys: ys2, B: 2, N: 3})
	m.Backward()
	if &m.acts[0] != buf {
		t.Error("activation buffer reallocated for a smaller shape")
	}
	fresh.ZeroGrad()
	l2 := fresh.Forward(Input{Xs: xs2, Ys: ys2, B: 2, N: 3})
	fresh.Backward()
	if l1 != l2 || !slices.Equal(m.Preds(), fresh.Preds()) || !slices.Equal(m.Grads, fresh.Grads) {
		t.Error("reused buffers give different bits from a fresh model")
	}
	dst := make([]float32, 6)
	m.Predict(dst, Input{Xs: xs2, Ys: ys2, B: 2, N: 3})
	if !slices.Equal(dst, fresh.Preds()) {
		t.Error("Predict differs from Forward's predictions")
	}
}

// A model that takes a released activation buffer full of NaNs gives the bits
// of a model with a new one: its loss, predictions, gradients and residual
// stream, in both precisions, at the buffer's shape and at a smaller one.
func TestReusedActivationsSameBits(t *testing.T) {
	defer func(n int) { maxFreeActs = n }(maxFreeActs)
	maxFreeActs = 1
	for _, p := range []Precision{FP32, BF16} {
		for _, sh := range [][2]int{{4, 4}, {3, 2}} {
			r := rand.New(rand.NewPCG(41, 42))
			B, N := sh[0], sh[1]
			xs, ys := randomPrompts(r, B, N, tinyCfg.Dim)
			in := Input{Xs: xs, Ys: ys, B: B, N: N}
			run := func(m *Model) (loss float32, preds, grads, stream, pred []float32) {
				m.Precision = p
				m.ZeroGrad()
				loss = m.Forward(in)
				m.Backward()
				stream = make([]float32, B*N*tinyCfg.Width)
				m.Stream(stream, tinyCfg.Layers)
				preds = slices.Clone(m.Preds())
				pred = make([]float32, B*N)
				m.Predict(pred, in)
				return loss, preds, slices.Clone(m.Grads), stream, pred
			}
			fresh, _ := New(tinyCfg)
			fresh.Init(rand.New(rand.NewPCG(43, 44)))
			l0, p0, g0, s0, q0 := run(fresh)

			// Release a poisoned buffer of the largest shape, then
			// take it with a new model.
			poison, _ := New(tinyCfg)
			poison.ensure(4, 4)
			buf := &poison.acts[0]
			for i := range poison.acts {
				poison.acts[i] = float32(math.NaN())
			}
			poison.Release()
			m, _ := New(tinyCfg)
			copy(m.Params, fresh.Params)
			l1, p1, g1, s1, q1 := run(m)
			if &m.acts[0] != buf {
				t.Fatalf("%s B=%d N=%d: the released buffer was not reused", p, B, N)
			}
			if l0 != l1 || !slices.Equal(p0, p1) || !slices.Equal(g0, g1) || !slices.Equal(s0, s1) || !slices.Equal(q0, q1) {
				t.Errorf("%s B=%d N=%d: a reused buffer gives other bits than a new one", p, B, N)
			}
			m.Release()
		}
	}
}

// GPT-2 init statistics and reproducibility.
func TestInit(t *testing.T) {
	c := Config{Dim: 5, Points: 11, Layers: 3, Width: 64, Heads: 2}
	a, _ := New(c)
	b, _ := New(c)
	a.Init(rand.New(rand.NewPCG(1, 1)))
	b.Init(rand.New(rand.NewPCG(1, 1)))
	if !slices.Equal(a.Params, b.Params) {
		t.Error("same seed, different parameters")
	}
	b.Init(rand.New(rand.NewPCG(1, 2)))
	if slices.Equal(a.Params, b.Params) {
		t.Error("different seeds, same parameters")
	}
	std := func(x []float32) float64 {
		s := 0.0
		for _, v := range x {
			s += float64(v) * float64(v)
		}
		return math.Sqrt(s / float64(len(x)))
	}
	proj := 0.02 / math.Sqrt(6)
	for _, ts := range a.Tensors() {
		var want float64
		if fanIn, ok := map[string]float64{"read_in": 5, "read_out": 64}[strings.Split(ts.Name, ".")[0]]; ok {
			// PyTorch's nn.Linear default: U(-b, b), b = 1/sqrt(fan_in), whose
			// mean square b^2/3 has per-draw variance 4b^4/45.
			b := 1 / math.Sqrt(fanIn)
			ms := 0.0
			for _, v := range ts.Data {
				if math.Abs(float64(v)) > b {
					t.Fatalf("%s: |%v| > bound %v", ts.Name, v, b)
				}
				ms += float64(v) * float64(v)
			}
			ms /= float64(len(ts.Data))
			if tol := 5 * math.Sqrt(4.0/45) * b * b / math.Sqrt(float64(len(ts.Data))); math.Abs(ms-b*b/3) > tol {
				t.Errorf("%s: mean square %.5f, want %.5f +- %.5f", ts.Name, ms, b*b/3, tol)
			}
			continue
		}
		switch {
		case strings.HasSuffix(ts.Name, "c_proj.weight"), strings.HasSuffix(ts.Name, "mlp_proj.weight"):
			want = proj
		case strings.HasSuffix(ts.Name, "bias"):
			want = 0
		case strings.Contains(ts.Name, "ln_"):
			for _, v := range ts.Data {
				if v != 1 {
					t.Fatalf("%s = %v, want 1", ts.Name, v)
				}
			}
			continue
		default:
			want = 0.02
		}
		got := std(ts.Data)
		// The RMS of n N(0, s^2) draws is within 5 s/sqrt(2n) of s with
		// overwhelming probability.
		if tol := 5 * want / math.Sqrt(2*float64(len(ts.Data))); math.Abs(got-want) > tol {
			t.Errorf("%s: rms %.5f, want %.5f +- %.5f", ts.Name, got, want, tol)
		}
	}
}

func TestLoadTensors(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	a, _ := New(tinyCfg)
	a.Init(r)
	b, _ := New(tinyCfg)
	ts := a.Tensors()
	slices.Reverse(ts) // order does not matter
	if err := b.LoadTensors(ts); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Params, b.Params) {
		t.Error("loaded parameters differ")
	}
	c, _ := New(tinyCfg)
	for _, tc := range []struct {
		edit    func([]NamedTensor) []NamedTensor
		problem string
		msg     string
	}{
		{func(ts []NamedTensor) []NamedTensor { return ts[1:] }, "missing", `"read_in.weight" missing`},
		{func(ts []NamedTensor) []NamedTensor {
			return append(ts, NamedTensor{Name: "lm_head.weight", Shape: []int{1}, Data: []float32{0}})
		}, "unexpected", `unexpected tensor "lm_head.weight"`},
		{func(ts []NamedTensor) []NamedTensor { return append(ts, ts[0]) }, "duplicate", `"read_in.weight" given twice`},
		{func(ts []NamedTensor) []NamedTensor {
			ts[2] = NamedTensor{Name: "wpe", Shape: []int{6, 8}, Data: make([]float32, 48)}
			return ts
		}, "shape", `"wpe" has shape [6 8], want [8 8]`},
		{func(ts []NamedTensor) []NamedTensor {
			ts[1] = NamedTensor{Name: "read_in.bias", Shape: []int{8}, Data: make([]float32, 7)}
			return ts
		}, "length", `"read_in.bias" of shape [8] holds 7 values`},
	} {
		err := c.LoadTensors(tc.edit(a.Tensors()))
		var te *TensorError
		if !errors.As(err, &te) || te.Problem != tc.problem || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("got %v, want a %s TensorError saying %s", err, tc.problem, tc.msg)
		}
		if slices.ContainsFunc(c.Params, func(v float32) bool { return v != 0 }) {
			t.Error("a failed LoadTensors changed Params")
		}
	}
}

// Two training steps (Forward, Backward, AdamW) give the same bits for
// GOMAXPROCS (and kernels.SetThreads) 1, 2 and 3, on a model large enough that
// every parallel loop splits.
func TestDeterminism(t *testing.T) {
	c := Config{Dim: 5, Points: 10, Layers: 2, Width: 32, Heads: 4}
	r := rand.New(rand.NewPCG(33, 34))
	B, N := 16, 10
	xs, ys := randomPrompts(r, B, N, c.Dim)
	var ref []float32
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		oldT := kernels.SetThreads(procs)
		m, _ := New(c)
		m.Init(rand.New(rand.NewPCG(35, 36)))
		params := trainSteps(m, xs, ys, B, N, 2, 1e-3)
		runtime.GOMAXPROCS(old)
		kernels.SetThreads(oldT)
		if ref == nil {
			ref = params
		} else if !slices.Equal(ref, params) {
			t.Errorf("GOMAXPROCS %d: parameters differ from GOMAXPROCS 1", procs)
		}
	}
}

// Forward's loss with prompt weights (Input.W) against the weighted mean
// squared error of the float64 reference's predictions, and its gradient
// against central finite differences of that loss, with unequal prompt
// weights (as training's normalized loss uses: 1 / class scale).
func TestForwardWeightedGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	m, _ := New(tinyCfg)
	randomize(m, r)
	B, N := 3, 4
	xs, ys := randomPrompts(r, B, N, tinyCfg.Dim)
	w := []float32{1, 0.25, 3}
	p := refParamsOf(m)
	x64, y64 := to64(xs), to64(ys)
	loss := func() float64 {
		preds, _ := refForward(tinyCfg, p, x64, y64, B, N)
		s := 0.0
		for i, v := range preds {
			e := v - y64[i]
			s += float64(w[i/N]) * e * e
		}
		return s / float64(B*N)
	}
	m.ZeroGrad()
	got := m.Forward(Input{Xs: xs, Ys: ys, W: w, B: B, N: N})
	if want := loss(); math.Abs(float64(got)-want) > 1e-5*math.Max(1, want) {
		t.Errorf("weighted loss %v, want %v", got, want)
	}
	// Equal weights are not enough to tell weighting from none: the
	// unweighted loss of the same prompts must differ.
	if plain := m.Forward(Input{Xs: xs, Ys: ys, B: B, N: N}); math.Abs(float64(plain-got)) < 1e-3*math.Abs(float64(got)) {
		t.Fatalf("weighted loss %v equals the unweighted %v: weights ignored", got, plain)
	}
	m.Forward(Input{Xs: xs, Ys: ys, W: w, B: B, N: N})
	m.Backward()
	checkModelGrads(t, r, m, p, loss)
}

// TestSizes checks the float64 size formulas against the layout and the
// activation buffer a model actually carves.
func TestSizes(t *testing.T) {
	for _, c := range []Config{tinyCfg, {Dim: 5, Points: 11, Layers: 3, Width: 64, Heads: 4}, {Dim: 1, Points: 1, Layers: 1, Width: 1, Heads: 1}} {
		if got, want := c.Size(), float64(c.NumParams()); got != want {
			t.Errorf("%+v: Size %g, NumParams %g", c, got, want)
		}
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, bn := range [][2]int{{1, 1}, {3, c.Points}, {7, 2}} {
			_, n := m.carve(nil, bn[0], 2*bn[1])
			if got := c.ActivationSize(bn[0], bn[1]); got != float64(n) {
				t.Errorf("%+v B=%d N=%d: ActivationSize %g, carve %d", c, bn[0], bn[1], got, n)
			}
		}
	}
	// No overflow where the int count would.
	huge := Config{Dim: 1e6, Points: 1e6, Layers: 1e6, Width: 1e6, Heads: 1}
	if s := huge.Size(); !(s > 1.2e19) {
		t.Errorf("huge Size %g", s)
	}
}

// famCfg is tinyCfg with a family indicator of F = 3.
var famCfg = Config{Dim: 3, Points: 4, Layers: 2, Width: 8, Heads: 2, Families: 3}

// famInd returns an indicator (B, F) for B = 3 prompts: family 2 shown, hidden
// (zeros), family 0 shown.
func famInd() []float32 { return []float32{0, 0, 1, 0, 0, 0, 1, 0, 0} }

// With a family indicator, the read-in is (C, d+F), Forward matches the
// float64 reference that appends ind[b] to every token, a nil indicator is
// the all-zero one, and a hidden indicator gives the predictions of the
// unconditional model whose read-in is the first d columns.
func TestFamilyIndicatorForward(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	m, err := New(famCfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmtInts(m.Tensors()[0].Shape); got != "[8 6]" {
		t.Errorf("read_in.weight shape %s, want [8 6] = (C, d+F)", got)
	}
	if n := famCfg.NumParams(); float64(n) != famCfg.Size() || n != tinyCfg.NumParams()+8*3 {
		t.Errorf("NumParams %d, Size %g; want %d", n, famCfg.Size(), tinyCfg.NumParams()+8*3)
	}
	randomize(m, r)
	B, N := 3, 4
	xs, ys := randomPrompts(r, B, N, famCfg.Dim)
	ind := famInd()
	loss := m.Forward(Input{Xs: xs, Ys: ys, Ind: ind, B: B, N: N})
	want, wantLoss := refForwardInd(famCfg, refParamsOf(m), to64(xs), to64(ys), to64(ind), B, N)
	checkClose(t, "indicator preds", m.Preds(), want)
	if math.Abs(float64(loss)-wantLoss) > 1e-5*math.Max(1, wantLoss) {
		t.Errorf("loss %v, want %v", loss, wantLoss)
	}
	shown := slices.Clone(m.Preds())

	// The indicator changes the predictions of shown prompts only.
	hidden := make([]float32, B*N)
	m.Predict(hidden, Input{Xs: xs, Ys: ys, Ind: make([]float32, B*3), B: B, N: N})
	for b := 0; b < B; b++ {
		same := slices.Equal(shown[b*N:(b+1)*N], hidden[b*N:(b+1)*N])
		if same != (b == 1) {
			t.Errorf("prompt %d: predictions with and without its indicator equal: %v, want %v", b, same, b == 1)
		}
	}
	nilInd := make([]float32, B*N)
	m.Predict(nilInd, Input{Xs: xs, Ys: ys, B: B, N: N})
	if !slices.Equal(nilInd, hidden) {
		t.Errorf("nil indicator %v, zero indicator %v: want the same bits", nilInd, hidden)
	}
	plain := make([]float32, B*N)
	m.Predict(plain, Input{Xs: xs, Ys: ys, B: B, N: N})
	if !slices.Equal(plain, hidden) {
		t.Error("Predict on a model with an indicator differs from a hidden indicator")
	}

	// The unconditional model with read_in's first d columns.
	u, _ := New(tinyCfg)
	var ts []NamedTensor
	for _, nt := range m.Tensors() {
		if nt.Name == "read_in.weight" {
			C, e, d := famCfg.Width, famCfg.In(), famCfg.Dim
			w := make([]float32, C*d)
			for c := 0; c < C; c++ {
				copy(w[c*d:(c+1)*d], nt.Data[c*e:c*e+d])
			}
			nt = NamedTensor{Name: nt.Name, Shape: []int{C, d}, Data: w}
		}
		ts = append(ts, nt)
	}
	if err := u.LoadTensors(ts); err != nil {
		t.Fatal(err)
	}
	u.Forward(Input{Xs: xs, Ys: ys, B: B, N: N})
	for i, v := range u.Preds() {
		if d := math.Abs(float64(v - hidden[i])); d > 1e-6*math.Max(1, math.Abs(float64(v))) {
			t.Fatalf("pred %d: unconditional %v, hidden indicator %v", i, v, hidden[i])
		}
	}
}

// The gradient of a model with a family indicator, the read-in's indicator
// columns included, against central finite differences of the float64
// reference, as TestModelGradient.
func TestFamilyIndicatorGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	m, _ := New(famCfg)
	randomize(m, r)
	B, N := 3, 4
	xs, ys := randomPrompts(r, B, N, famCfg.Dim)
	ind := famInd()
	m.ZeroGrad()
	m.Forward(Input{Xs: xs, Ys: ys, Ind: ind, B: B, N: N})
	m.Backward()
	p := refParamsOf(m)
	x64, y64, i64 := to64(xs), to64(ys), to64(ind)
	loss := func() float64 {
		_, l := refForwardInd(famCfg, p, x64, y64, i64, B, N)
		return l
	}
	checkModelGrads(t, r, m, p, loss)
	// Every entry of the read-in's indicator columns: column d+k gets
	// gradient from the prompts that show family k only, so column d+1
	// (no prompt shows family 1) is exactly 0.
	g := m.GradTensors()[0]
	C, e, d := famCfg.Width, famCfg.In(), famCfg.Dim
	var idx []int
	for c := 0; c < C; c++ {
		for k := 0; k < famCfg.Families; k++ {
			idx = append(idx, c*e+d+k)
			if k == 1 && g.Data[c*e+d+k] != 0 {
				t.Errorf("read_in.weight[%d, d+1] gradient %v; no prompt shows family 1", c, g.Data[c*e+d+k])
			}
		}
	}
	checkGradTol(t, "read_in.weight indicator columns", to64(g.Data), p["read_in.weight"], loss, idx, 1e-5)
}

func TestFamilyIndicatorConfig(t *testing.T) {
	c := tinyCfg
	c.Families = -1
	err := c.Validate()
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Path != "families" {
		t.Errorf("families -1: %v, want an error naming families", err)
	}
	// An unconditional model's exported config has no n_families.
	if b, _ := json.Marshal(tinyCfg); strings.Contains(string(b), "families") {
		t.Errorf("unconditional config exports %s", b)
	}
	if b, _ := json.Marshal(famCfg); !strings.Contains(string(b), `"n_families":3`) {
		t.Errorf("conditional config exports %s, want n_families 3", b)
	}
}

func TestShowFamily(t *testing.T) {
	if got, want := ShowFamily(3, 2, 1), []float32{0, 1, 0, 1, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("ShowFamily(3, 2, 1) = %v, want %v", got, want)
	}
	if got := ShowFamily(3, 2, -1); got != nil {
		t.Errorf("ShowFamily(3, 2, -1) = %v, want nil (hidden)", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("ShowFamily(3, 2, 2): no panic for a family the model does not have")
		}
	}()
	ShowFamily(3, 2, 2)
}

// TestProductFLOPs checks the blocks' product count, and the whole step's,
// against figures worked by hand.
func TestProductFLOPs(t *testing.T) {
	for _, c := range []struct {
		cfg             Config
		B, N            int
		products, total float64
	}{
		// B*T = 4 rows, 2 x-token rows, C = 4: block 0 2*4*4*12 +
		// 2*4*4*36 = 1536, the last block 384 + 2*2*4*36 = 960; times 3.
		// The rest: attention 2*1*4*16*4 = 512 and the read-out 2*2*4 = 16,
		// times 3, and the read-in 2*4*4*1 = 32, times 2.
		{Config{Dim: 1, Points: 2, Layers: 2, Width: 4, Heads: 1}, 1, 2, 3 * (1536 + 960), 3*(1536+960) + 3*(512+16) + 2*32},
		// 12 rows, 6 x-token rows, C = 8: 2*12*8*24 + 2*6*8*72 = 11520.
		// The rest: 1*2*4*36*8 = 2304 and 2*6*8 = 96, times 3; 2*12*8*3 =
		// 576, times 2.
		{Config{Dim: 3, Points: 5, Layers: 1, Width: 8, Heads: 2}, 2, 3, 3 * 11520, 3*11520 + 3*(2304+96) + 2*576},
	} {
		if got := c.cfg.ProductFLOPs(c.B, c.N); got != c.products {
			t.Errorf("%+v B=%d N=%d: ProductFLOPs %v, want %v", c.cfg, c.B, c.N, got, c.products)
		}
		if got := c.cfg.FLOPs(c.B, c.N); got != c.total {
			t.Errorf("%+v B=%d N=%d: FLOPs %v, want %v", c.cfg, c.B, c.N, got, c.total)
		}
	}
}
