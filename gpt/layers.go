package gpt

import (
	"math"

	"icl/gpt/kernels"
)

// Layer functions. Shapes are given as (rows, columns) of row-major slices; R is a
// number of rows (B*T for activations). Forward functions overwrite their outputs;
// backward functions add into every parameter gradient they produce (llm.c style).
// The gradient with respect to a layer's input is added too, except where a beta
// argument (0 or 1, as in kernels.Gemm) lets the caller overwrite a scratch
// buffer instead of zeroing it first.

// Grains: the least work worth a goroutine, in rows or columns.
const (
	rowGrain = 16
	colGrain = 16
)

// encoderForward: out (B,T,C) = z (B,T,d) w^T + bias + wpe[t], with
// w (C,d), bias (C), wpe (>=T, C).
func encoderForward(out, z, w, bias, wpe []float32, B, T, d, C int) {
	parallelFor(B*T, rowGrain, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			t := r % T
			o := out[r*C : (r+1)*C]
			p := wpe[t*C : (t+1)*C]
			for c := range o {
				o[c] = bias[c] + p[c]
			}
		}
	})
	kernels.Gemm(false, true, B*T, C, d, z, d, w, d, 1, out, C)
}

// encoderBackward adds the gradients of encoderForward: dw (C,d), dbias (C),
// dwpe (>=T, C), from dout (B,T,C) and z (B,T,d).
func encoderBackward(dw, dbias, dwpe, dout, z []float32, B, T, d, C int) {
	kernels.Gemm(true, false, C, d, B*T, dout, C, z, d, 1, dw, d)
	colSumAdd(dbias, dout, B*T, C)
	parallelFor(T, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			addColSums(dwpe[t*C:(t+1)*C], dout[t*C:], B, T*C) // sum over b of dout[b, t, :]
		}
	})
}

// colSumAdd: dst (n) += sum over rows of src (R, n). Each column is summed in row
// order by one goroutine.
func colSumAdd(dst, src []float32, R, n int) {
	parallelFor(n, colGrain, func(lo, hi int) {
		addColSums(dst[lo:hi], src[lo:], R, n)
	})
}

// matmulForward: out (R,OC) = res + inp (R,C) w^T + bias, with w (OC,C),
// bias (OC) or nil, res (R,OC) or nil (then taken as 0). out may not alias inp.
// out is set to res + bias block by block inside the product (kernels.GemmInit),
// while the block is in cache. The product runs at precision prec.
func matmulForward(prec Precision, out, res, inp, w, bias []float32, R, C, OC int) {
	init := func(c []float32, ldc, i0, i1, j0, j1 int) {
		rows, n := i1-i0, j1-j0
		o := c[i0*ldc+j0:]
		switch {
		case res != nil && bias != nil:
			addRows(o, res[i0*OC+j0:], bias[j0:j1], rows, ldc, OC)
		case res != nil:
			kernels.CopyRows(o, res[i0*OC+j0:], rows, n, ldc, OC)
		case bias != nil:
			kernels.CopyRows(o, bias[j0:j1], rows, n, ldc, 0)
		default:
			for r := 0; r < rows; r++ {
				clear(o[r*ldc : r*ldc+n])
			}
		}
	}
	if prec == BF16 {
		kernels.GemmInitBF16(false, true, R, OC, C, inp, C, w, C, init, out, OC)
		return
	}
	kernels.GemmInit(false, true, R, OC, C, inp, C, w, C, init, out, OC)
}

// matmulBackward computes the gradients of matmulForward: dinp (R,C) =
// beta*dinp + dout w (beta 0 or 1; with 0 dinp's old contents are ignored), and
// adds dw (OC,C) += dout^T inp and dbias (OC) += column sums of dout (skipped if
// nil). The gradient with respect to res is dout itself and is left to the caller.
// Both products run at precision prec.
func matmulBackward(prec Precision, dinp, dw, dbias, dout, inp, w []float32, R, C, OC int, beta float32) {
	gemm := kernels.Gemm
	if prec == BF16 {
		gemm = kernels.GemmBF16
	}
	gemm(false, false, R, C, OC, dout, OC, w, C, beta, dinp, C)
	gemm(true, false, OC, C, R, dout, OC, inp, C, 1, dw, C)
	if dbias != nil {
		colSumAdd(dbias, dout, R, OC)
	}
}

const lnEps = 1e-5

// layernormForward: out (R,C) = (inp - mean) * rstd * w + b per row, storing
// mean (R) and rstd (R) = 1/sqrt(var + 1e-5), var the biased variance (two-pass).
// Vector kernels do the first C - C%8 columns of every row.
func layernormForward(out, mean, rstd, inp, w, b []float32, R, C int) {
	parallelFor(R, rowGrain, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			x := inp[r*C : (r+1)*C]
			m := sum(x) / float32(C)
			rs := float32(1 / math.Sqrt(float64(sqDev(x, m)/float32(C)+lnEps)))
			lnNorm(out[r*C:(r+1)*C], x, w, b, m, rs)
			mean[r], rstd[r] = m, rs
		}
	})
}

// layernormBackward adds the gradients of layernormForward into dinp (R,C),
// dw (C) and db (C), given dout (R,C) and the forward's inp, mean, rstd and w.
// With dnorm = dout*w and xhat = (inp - mean)*rstd:
// dinp += rstd * (dnorm - mean(dnorm) - xhat*mean(dnorm*xhat)),
// dw += sum over rows of dout*xhat, db += sum over rows of dout.
func layernormBackward(dinp, dw, db, dout, inp, mean, rstd, w []float32, R, C int) {
	parallelFor(R, rowGrain, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			x := inp[r*C : (r+1)*C]
			g := dout[r*C : (r+1)*C]
			m, rs := mean[r], rstd[r]
			s1, s2 := lnDots(g, w, x, m) // sum dnorm, sum dnorm*(x - m)
			s1 /= float32(C)
			s2 = s2 * rs / float32(C)
			lnBwdRow(dinp[r*C:(r+1)*C], g, w, x, m, rs, s1, s2)
		}
	})
	// Parameter gradients: columns in blocks of 8, so the vector/scalar split of
	// a column does not depend on the goroutine split.
	parallelFor((C+7)/8, colGrain/8, func(lo, hi int) {
		lo, hi = lo*8, min(hi*8, C)
		gw, gb := dw[lo:hi], db[lo:hi]
		for r := 0; r < R; r++ {
			x := inp[r*C+lo : r*C+hi]
			lnCol(gw, gb, dout[r*C+lo:r*C+hi], x, mean[r], rstd[r])
		}
	})
}

const geluK = 0.7978845608028654 // sqrt(2/pi)

// geluForward: out (n) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), and if
// deriv is not nil, deriv (n) = d out / d x. Blocks of 8 go to the vector
// kernel where there is one; the split into blocks does not depend on the
// number of goroutines, so neither do the results.
func geluForward(out, deriv, inp []float32) {
	n := len(inp)
	nb := n / 8
	parallelFor(nb, 128, func(lo, hi int) {
		a, b := lo*8, hi*8
		var d []float32
		if deriv != nil {
			d = deriv[a:b]
		}
		gelu(out[a:b], d, inp[a:b])
	})
	var d []float32
	if deriv != nil {
		d = deriv[nb*8 : n]
	}
	gelu(out[nb*8:n], d, inp[nb*8:n])
}

// geluScalar is geluForward without the vector kernel. With e = exp(2u) and
// q = 1/(e + 1): tanh u = 1 - 2q, so GELU(x) = x e q and its derivative
// (1 + tanh u)/2 + x/2 (1 - tanh^2 u) du/dx = e q (1 + x q 2 du/dx), free of the
// cancellation in 1 - tanh^2 u near |tanh u| = 1.
func geluScalar(out, deriv, inp []float32) {
	for i, x := range inp {
		x2 := x * x
		a := 2 * geluK * x * (1 + 0.044715*x2) // 2u
		a = min(max(a, -87), 40)               // as in vecmath_amd64.s GELUQ
		e := expf(a)
		q := 1 / (e + 1)
		eq := e * q
		out[i] = x * eq
		if deriv != nil {
			deriv[i] = eq * (1 + x*q*(2*geluK+6*geluK*0.044715*x2))
		}
	}
}

// geluBackward: dinp (n) = beta*dinp + dout*deriv (beta 0 or 1), with deriv
// from geluForward. With beta 0, dinp may be dout.
func geluBackward(dinp, dout, deriv []float32, beta float32) {
	parallelFor(len(dinp), 1024, func(lo, hi int) {
		d, g, k := dinp[lo:hi], dout[lo:hi], deriv[lo:hi]
		if beta == 0 {
			mul(d, g, k)
			return
		}
		for i := range d {
			d[i] += g[i] * k[i]
		}
	})
}

// readoutForward: preds (R) = lnf[j, :] . w + bias, with lnf (R,C) the final
// LayerNorm's output at the x-tokens (R = B*N, row b*N + i for token 2i of
// prompt b), w (C), bias (1).
func readoutForward(preds, lnf, w, bias []float32, R, C int) {
	for j := 0; j < R; j++ {
		x := lnf[j*C : (j+1)*C]
		var s float32
		for c, v := range x {
			s += v * w[c]
		}
		preds[j] = s + bias[0]
	}
}

// readoutBackward adds the gradients of readoutForward into dlnf (R,C), dw (C)
// and dbias (1), given dpreds (R).
func readoutBackward(dlnf, dw, dbias, dpreds, lnf, w []float32, R, C int) {
	parallelFor(R, rowGrain, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			d := dlnf[j*C : (j+1)*C]
			g := dpreds[j]
			for c := range d {
				d[c] += g * w[c]
			}
		}
	})
	parallelFor(C, colGrain, func(lo, hi int) {
		gw := dw[lo:hi]
		for j := 0; j < R; j++ {
			x := lnf[j*C+lo : j*C+hi]
			g := dpreds[j]
			for c := range gw {
				gw[c] += g * x[c]
			}
		}
	})
	var s float32
	for _, g := range dpreds[:R] {
		s += g
	}
	dbias[0] += s
}

// xRows sets dst (R,C) to the x-token rows of src (2R,C): the even rows, as
// token 2i of a prompt of T = 2N tokens is row 2(b*N + i) of (B,T,C).
func xRows(dst, src []float32, R, C int) {
	kernels.CopyRows(dst, src, R, C, C, 2*C)
}

// xRowsInto sets the x-token rows of dst (2R,C) to the rows of src (R,C) and
// its y-token rows to zero.
func xRowsInto(dst, src []float32, R, C int) {
	for j := 0; j < R; j++ {
		copy(dst[2*j*C:(2*j+1)*C], src[j*C:(j+1)*C])
		clear(dst[(2*j+1)*C : (2*j+2)*C])
	}
}

// expandXRows spreads the R rows of buf (R,C), in place, to the x-token rows
// of buf (2R,C) and zeroes the y-token rows: row j moves to row 2j, last row
// first, so no row is overwritten before it is moved.
func expandXRows(buf []float32, R, C int) {
	for j := R - 1; j >= 0; j-- {
		if j > 0 {
			copy(buf[2*j*C:(2*j+1)*C], buf[j*C:(j+1)*C])
		}
		clear(buf[(2*j+1)*C : (2*j+2)*C])
	}
}

// mseForward returns the weighted mean squared error over B prompts of N
// values, mean over b, i of w[b] (preds[b,i] - ys[b,i])^2 (w nil: all 1), and,
// if dpreds is not nil, writes its gradient dpreds (B,N) = 2 w[b] (preds - ys) / (B N).
func mseForward(dpreds, preds, ys, w []float32, B, N int) float32 {
	n := B * N
	var s float64
	for b := 0; b < B; b++ {
		wb := 1.0
		if w != nil {
			wb = float64(w[b])
		}
		var sb float64
		for i := b * N; i < (b+1)*N; i++ {
			d := float64(preds[i]) - float64(ys[i])
			sb += d * d
		}
		s += wb * sb
	}
	if dpreds != nil {
		k := 2 / float32(n)
		for b := 0; b < B; b++ {
			kb := k
			if w != nil {
				kb *= w[b]
			}
			for i := b * N; i < (b+1)*N; i++ {
				dpreds[i] = kb * (preds[i] - ys[i])
			}
		}
	}
	return float32(s / float64(n))
}
