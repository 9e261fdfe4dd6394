package gpt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Layer checks. Each layer's float32 forward is compared with the float64
// reference of ref_test.go, and each float32 backward with central finite
// differences (step 1e-5, in float64) of the reference's scalar
// f = sum(out * G) for a random G, which makes the exact gradient of f the
// backward's input dout = G. Gradient buffers start filled with random values to
// check that backward adds into them.
//
// Tolerances: forward |got - want| <= 1e-5 * max(1, max|want|); gradients
// |got - fd| <= 1e-5 * max(1e-3, max|fd|) per tensor (float32 storage gives
// errors of 1e-7 to 1e-6 of the largest gradient on these sizes).

const (
	fdStep     = 1e-5
	fwdTol     = 1e-5
	gradTol    = 1e-5
	gradFloorT = 1e-3
)

// centralDiff returns the central difference of f at x[i].
func centralDiff(x []float64, i int, f func() float64) float64 {
	old := x[i]
	x[i] = old + fdStep
	fp := f()
	x[i] = old - fdStep
	fm := f()
	x[i] = old
	return (fp - fm) / (2 * fdStep)
}

// checkGrad compares got (the gradient added by backward: buffer after minus
// before) with finite differences of f with respect to x, at all indices or at
// those in idx.
func checkGrad(t *testing.T, name string, got []float64, x []float64, f func() float64, idx []int) {
	t.Helper()
	checkGradTol(t, name, got, x, f, idx, gradTol)
}

// checkGradTol is checkGrad with tolerance tol relative to the largest |fd|.
func checkGradTol(t *testing.T, name string, got []float64, x []float64, f func() float64, idx []int, tol float64) {
	t.Helper()
	if idx == nil {
		idx = make([]int, len(x))
		for i := range idx {
			idx[i] = i
		}
	}
	fd := make([]float64, len(idx))
	scale := gradFloorT
	for j, i := range idx {
		fd[j] = centralDiff(x, i, f)
		scale = math.Max(scale, math.Abs(fd[j]))
	}
	worst := 0.0
	for j, i := range idx {
		e := math.Abs(got[i]-fd[j]) / scale
		worst = math.Max(worst, e)
		if e > tol {
			t.Errorf("%s[%d]: backward %.8g, finite difference %.8g (error %.2g of max |grad| %.3g)", name, i, got[i], fd[j], e, scale)
			return
		}
	}
	t.Logf("%s: %d entries, max error %.2g of max |grad| %.3g", name, len(idx), worst, scale)
}

// checkClose compares a float32 forward output with a float64 reference.
func checkClose(t *testing.T, name string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", name, len(got), len(want))
	}
	scale := 1.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i := range got {
		if math.Abs(float64(got[i])-want[i]) > fwdTol*scale {
			t.Fatalf("%s[%d] = %.8g, want %.8g", name, i, got[i], want[i])
		}
	}
}

// added returns after - before in float64.
func added(after, before []float32) []float64 {
	d := make([]float64, len(after))
	for i := range d {
		d[i] = float64(after[i]) - float64(before[i])
	}
	return d
}

func dot(a []float64, b []float32) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * float64(b[i])
	}
	return s
}

func TestEncoderLayer(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	B, T, d, C, Tmax := 2, 5, 3, 8, 7
	z, w, bias, wpe := randVec(r, B*T*d, 1), randVec(r, C*d, 1), randVec(r, C, 1), randVec(r, Tmax*C, 1)
	out := make([]float32, B*T*C)
	encoderForward(out, z, w, bias, wpe, B, T, d, C)

	z64, w64, b64, p64 := to64(z), to64(w), to64(bias), to64(wpe)
	ref := func() []float64 {
		y := refLinear(unflat(z64, d), w64, b64, C)
		for i := range y {
			for c := range y[i] {
				y[i][c] += p64[(i%T)*C+c]
			}
		}
		return flat(y)
	}
	checkClose(t, "encoder out", out, ref())

	G := randVec(r, B*T*C, 1)
	dw0, db0, dp0 := randVec(r, C*d, 1), randVec(r, C, 1), randVec(r, Tmax*C, 1)
	dw, db, dp := append([]float32(nil), dw0...), append([]float32(nil), db0...), append([]float32(nil), dp0...)
	encoderBackward(dw, db, dp, G, z, B, T, d, C)
	f := func() float64 { return dot(ref(), G) }
	checkGrad(t, "encoder dw", added(dw, dw0), w64, f, nil)
	checkGrad(t, "encoder dbias", added(db, db0), b64, f, nil)
	checkGrad(t, "encoder dwpe", added(dp, dp0), p64, f, nil) // rows >= T: both 0
}

// TestMatmulLayer covers OC = 6 (scalar row code) and 16 (vector row code).
func TestMatmulLayer(t *testing.T) {
	for _, s := range [][3]int{{7, 8, 6}, {9, 8, 16}} {
		t.Run(fmt.Sprintf("R%dC%dOC%d", s[0], s[1], s[2]), func(t *testing.T) {
			testMatmul(t, s[0], s[1], s[2])
		})
	}
}

func testMatmul(t *testing.T, R, C, OC int) {
	r := rand.New(rand.NewPCG(3, 4))
	inp, w, bias, res := randVec(r, R*C, 1), randVec(r, OC*C, 1), randVec(r, OC, 1), randVec(r, R*OC, 1)
	i64, w64, b64, r64 := to64(inp), to64(w), to64(bias), to64(res)
	ref := func(withRes, withBias bool) []float64 {
		var b []float64
		if withBias {
			b = b64
		}
		y := flat(refLinear(unflat(i64, C), w64, b, OC))
		if withRes {
			for i := range y {
				y[i] += r64[i]
			}
		}
		return y
	}
	out := make([]float32, R*OC)
	for _, tc := range []struct{ res, bias bool }{{true, true}, {true, false}, {false, true}, {false, false}} {
		var rs, bs []float32
		if tc.res {
			rs = res
		}
		if tc.bias {
			bs = bias
		}
		for i := range out {
			out[i] = float32(math.NaN()) // must be overwritten
		}
		matmulForward(FP32, out, rs, inp, w, bs, R, C, OC)
		checkClose(t, "matmul out", out, ref(tc.res, tc.bias))
	}

	G := randVec(r, R*OC, 1)
	di0, dw0, db0 := randVec(r, R*C, 1), randVec(r, OC*C, 1), randVec(r, OC, 1)
	di, dw, db := append([]float32(nil), di0...), append([]float32(nil), dw0...), append([]float32(nil), db0...)
	matmulBackward(FP32, di, dw, db, G, inp, w, R, C, OC, 1)
	f := func() float64 { return dot(ref(true, true), G) }
	checkGrad(t, "matmul dinp", added(di, di0), i64, f, nil)
	nan := nans(R * C)
	matmulBackward(FP32, nan, make([]float32, OC*C), nil, G, inp, w, R, C, OC, 0)
	checkGrad(t, "matmul dinp (beta 0)", to64(nan), i64, f, nil)
	checkGrad(t, "matmul dw", added(dw, dw0), w64, f, nil)
	checkGrad(t, "matmul dbias", added(db, db0), b64, f, nil)
}

// Widths 8 (all vector kernel, where there is one), 13 (vector + scalar tail)
// and 3 (scalar only).
func TestLayerNormLayer(t *testing.T) {
	for _, C := range []int{8, 13, 3} {
		testLayerNorm(t, C)
	}
}

func testLayerNorm(t *testing.T, C int) {
	r := rand.New(rand.NewPCG(5, uint64(C)))
	R := 6
	inp := randVec(r, R*C, 2)
	for i := range inp {
		inp[i] += float32(i%C) - 3 // non-zero row means
	}
	w, b := randVec(r, C, 1), randVec(r, C, 1)
	out, mean, rstd := make([]float32, R*C), make([]float32, R), make([]float32, R)
	layernormForward(out, mean, rstd, inp, w, b, R, C)
	i64, w64, b64 := to64(inp), to64(w), to64(b)
	ref := func() []float64 { return flat(refLayerNorm(unflat(i64, C), w64, b64)) }
	checkClose(t, "layernorm out", out, ref())

	G := randVec(r, R*C, 1)
	di0, dw0, db0 := randVec(r, R*C, 1), randVec(r, C, 1), randVec(r, C, 1)
	di, dw, db := append([]float32(nil), di0...), append([]float32(nil), dw0...), append([]float32(nil), db0...)
	layernormBackward(di, dw, db, G, inp, mean, rstd, w, R, C)
	f := func() float64 { return dot(ref(), G) }
	checkGrad(t, "layernorm dinp", added(di, di0), i64, f, nil)
	checkGrad(t, "layernorm dw", added(dw, dw0), w64, f, nil)
	checkGrad(t, "layernorm db", added(db, db0), b64, f, nil)
}

// TestAttentionLayer covers head sizes below 8 (scalar code only), a multiple
// of 32 (the vector kernels' wide blocks) and 8k+4 (vector and scalar columns).
func TestAttentionLayer(t *testing.T) {
	for _, s := range [][4]int{{2, 5, 8, 2}, {2, 7, 64, 2}, {1, 9, 40, 2}, {2, 3, 24, 1}} {
		t.Run(fmt.Sprintf("B%dT%dC%dH%d", s[0], s[1], s[2], s[3]), func(t *testing.T) {
			testAttention(t, s[0], s[1], s[2], s[3])
		})
	}
}

func testAttention(t *testing.T, B, T, C, H int) {
	r := rand.New(rand.NewPCG(7, 8))
	qkv := randVec(r, B*T*3*C, 1)
	Tp := attStride(T)
	out, att := make([]float32, B*T*C), nans(B*H*T*Tp)
	attentionForward(out, att, qkv, B, T, C, H)
	q64 := to64(qkv)
	ref := func() []float64 {
		var y []float64
		for b := 0; b < B; b++ {
			y = append(y, flat(refAttention(unflat(q64[b*T*3*C:(b+1)*T*3*C], 3*C), C, H))...)
		}
		return y
	}
	checkClose(t, "attention out", out, ref())
	for bh := 0; bh < B*H; bh++ {
		for i := 0; i < T; i++ {
			s := 0.0
			for j := 0; j < Tp; j++ {
				v := float64(att[(bh*T+i)*Tp+j])
				if j > i && v != 0 {
					t.Fatalf("att[%d][%d][%d] = %v above the diagonal", bh, i, j, v)
				}
				s += v
			}
			if math.Abs(s-1) > 1e-6 {
				t.Fatalf("att row (%d, %d) sums to %v", bh, i, s)
			}
		}
	}

	G := randVec(r, B*T*C, 1)
	dq0 := randVec(r, len(qkv), 1)
	dq := append([]float32(nil), dq0...)
	attentionBackward(dq, nans(B*H*T*Tp), G, att, qkv, B, T, C, H, 1)
	checkGrad(t, "attention dqkv", added(dq, dq0), q64, func() float64 { return dot(ref(), G) }, nil)
	dq = nans(len(qkv))
	attentionBackward(dq, nans(B*H*T*Tp), G, att, qkv, B, T, C, H, 0)
	checkGrad(t, "attention dqkv (beta 0)", to64(dq), q64, func() float64 { return dot(ref(), G) }, nil)
}

func TestGeluLayer(t *testing.T) {
	n := 121
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i-60) / 10 // -6 .. 6
	}
	out, deriv := make([]float32, n), make([]float32, n)
	geluForward(out, deriv, x)
	out2 := make([]float32, n)
	geluForward(out2, nil, x)
	want := make([]float64, n)
	for i, v := range x {
		want[i] = refGelu(float64(v))
	}
	checkClose(t, "gelu out", out, want)
	checkClose(t, "gelu out (no deriv)", out2, want)
	r := rand.New(rand.NewPCG(9, 10))
	G := randVec(r, n, 1)
	d0 := randVec(r, n, 1)
	d := append([]float32(nil), d0...)
	geluBackward(d, G, deriv, 1)
	x64 := to64(x)
	f := func() float64 {
		s := 0.0
		for i, v := range x64 {
			s += refGelu(v) * float64(G[i])
		}
		return s
	}
	checkGrad(t, "gelu dinp", added(d, d0), x64, f, nil)
	d = append([]float32(nil), G...)
	geluBackward(d, d, deriv, 0) // in place
	checkGrad(t, "gelu dinp (beta 0, in place)", to64(d), x64, f, nil)
}

func TestReadoutAndMSE(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	B, N, C := 2, 3, 8
	lnf, w, bias := randVec(r, B*N*C, 1), randVec(r, C, 1), randVec(r, 1, 1)
	preds := make([]float32, B*N)
	readoutForward(preds, lnf, w, bias, B*N, C)
	l64, w64, b64 := to64(lnf), to64(w), to64(bias)
	ref := func() []float64 {
		var p []float64
		for _, y := range refLinear(unflat(l64, C), w64, b64, 1) {
			p = append(p, y[0])
		}
		return p
	}
	checkClose(t, "readout preds", preds, ref())

	ys := randVec(r, B*N, 1)
	dpreds := make([]float32, B*N)
	loss := mseForward(dpreds, preds, ys, nil, B, N)
	mse := func() float64 {
		s := 0.0
		for i, p := range ref() {
			e := p - float64(ys[i])
			s += e * e
		}
		return s / float64(B*N)
	}
	if math.Abs(float64(loss)-mse()) > 1e-5*mse() {
		t.Errorf("mse = %v, want %v", loss, mse())
	}
	dl0, dw0, db0 := randVec(r, B*N*C, 1), randVec(r, C, 1), randVec(r, 1, 1)
	dl, dw, db := append([]float32(nil), dl0...), append([]float32(nil), dw0...), append([]float32(nil), db0...)
	readoutBackward(dl, dw, db, dpreds, lnf, w, B*N, C)
	checkGrad(t, "readout+mse dlnf", added(dl, dl0), l64, mse, nil)
	checkGrad(t, "readout+mse dw", added(dw, dw0), w64, mse, nil)
	checkGrad(t, "readout+mse dbias", added(db, db0), b64, mse, nil)
}

// xRows, xRowsInto and expandXRows move the x-token (even) rows.
func TestXRows(t *testing.T) {
	R, C := 5, 8
	r := rand.New(rand.NewPCG(13, 14))
	full := randVec(r, 2*R*C, 1)
	x := nans(R * C)
	xRows(x, full, R, C)
	back := nans(2 * R * C)
	xRowsInto(back, x, R, C)
	buf := append(slices.Clone(x), nans(R*C)...)
	expandXRows(buf, R, C)
	for j := 0; j < 2*R; j++ {
		for c := 0; c < C; c++ {
			want := float32(0)
			if j%2 == 0 {
				want = full[j*C+c]
			}
			if back[j*C+c] != want || buf[j*C+c] != want {
				t.Fatalf("row %d col %d: xRowsInto %v, expandXRows %v, want %v", j, c, back[j*C+c], buf[j*C+c], want)
			}
		}
	}
}

// expf against math.Exp on a dense grid.
func TestFastMath(t *testing.T) {
	worst := 0.0
	for x := -87.0; x <= 88.5; x += 0.001 {
		got := float64(expf(float32(x)))
		want := math.Exp(float64(float32(x)))
		worst = math.Max(worst, math.Abs(got-want)/want)
	}
	if worst > 3e-7 {
		t.Errorf("expf max relative error %.3g, want <= 3e-7", worst)
	}
	t.Logf("expf max relative error %.3g", worst)
	if expf(-100) != 0 || !math.IsInf(float64(expf(100)), 1) || expf(0) != 1 {
		t.Errorf("expf(-100, 100, 0) = %v %v %v", expf(-100), expf(100), expf(0))
	}
}

// The vector kernels (where the CPU has them) against float64 math on a dense
// grid, including the clamped ranges: GELU to 2e-7 * max(1, |x|), its derivative
// to 2e-6, exp to 3e-7 relative.
func TestVectorMath(t *testing.T) {
	n := 80001
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i-n/2) / 2000 // -20 .. 20
	}
	out, deriv := make([]float32, n), make([]float32, n)
	// First the scalar code on the whole grid, then the vector kernel (if any)
	// with the scalar code on the remainder.
	geluScalar(out, deriv, x)
	checkGeluGrid(t, "scalar", x, out, deriv)
	k := geluVec(out, deriv, x)
	t.Logf("vector GELU covered %d of %d values", k, n)
	geluScalar(out[k:], deriv[k:], x[k:])
	checkGeluGrid(t, "vector", x, out, deriv)
	out2 := make([]float32, n)
	k = geluVec(out2, nil, x)
	geluScalar(out2[k:], nil, x[k:])
	for i := range out {
		if out2[i] != out[i] {
			t.Fatalf("gelu without deriv differs at %v: %v vs %v", x[i], out2[i], out[i])
		}
	}
	src := make([]float32, 20000)
	for i := range src {
		src[i] = float32(i)/100 - 190 // -190 .. 10
	}
	dst := make([]float32, len(src))
	const shift, scale = 3, 0.5
	k = expShiftVec(dst, src, shift, scale)
	for i := k; i < len(src); i++ {
		dst[i] = expf((src[i] - shift) * scale)
	}
	for i, v := range src {
		arg := float64((v - shift) * scale)
		want := math.Exp(arg)
		if arg < -87 {
			if dst[i] > 2e-38 {
				t.Fatalf("exp(%v) = %v, want <= 2e-38", arg, dst[i])
			}
			continue
		}
		if math.Abs(float64(dst[i])-want) > 3e-7*want {
			t.Fatalf("exp(%v) = %v, want %v", arg, dst[i], want)
		}
	}
}

func checkGeluGrid(t *testing.T, impl string, x, out, deriv []float32) {
	t.Helper()
	for i, v := range x {
		xv := float64(v)
		want := refGelu(xv)
		h := 1e-6
		wantD := (refGelu(xv+h) - refGelu(xv-h)) / (2 * h)
		if math.Abs(float64(out[i])-want) > 2e-7*math.Max(1, math.Abs(xv)) || math.Abs(float64(deriv[i])-wantD) > 2e-6 {
			t.Fatalf("%s: gelu(%v) = %v, %v; want %v, %v", impl, v, out[i], deriv[i], want, wantD)
		}
	}
}

func nans(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.NaN())
	}
	return x
}

// addColSums (vector kernel plus scalar remainder) against a plain loop, bit for bit.
func TestAddColSums(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{1, 8, 45, 77} {
		rows, stride := 37, n+5
		src := randVec(r, rows*stride, 1)
		dst := randVec(r, n, 1)
		want := append([]float32(nil), dst...)
		for i := 0; i < rows; i++ {
			for j := 0; j < n; j++ {
				want[j] += src[i*stride+j]
			}
		}
		addColSums(dst, src, rows, stride)
		for j := range dst {
			if dst[j] != want[j] {
				t.Fatalf("n %d: column %d = %v, want %v", n, j, dst[j], want[j])
			}
		}
	}
}
