package gpt

import (
	"math"
	"sync"

	"icl/gpt/kernels"
)

// Causal multi-head self-attention on the layout the QKV product writes:
// qkv (B,T,3C) holds q, k and v of every token (each C wide, heads contiguous),
// and a head's q, k and v rows are read in place, 3C apart. Row blocks of 4
// query positions go through the tile operation (tile.go): S = q k^T against a
// transposed copy of the head's k (hs x Tp, the only copy), the softmax over
// whole rows padded to a multiple of 8, and out = P v. Only the causal half
// is computed: the row block t0..t0+3 needs keys 0..t0+3.
//
// att (B,H,T,Tp) keeps the probabilities with rows Tp = attStride(T) apart,
// zero from column t+1 on in row t, which the products rely on.

// attStride is the row stride of attention's (B,H,T,Tp) buffers: T rounded up
// to a multiple of 16, so that row blocks of S fill whole vectors.
func attStride(T int) int { return (T + 15) &^ 15 }

// gatherAbove is the sequence length above which a head's rows are copied
// into contiguous scratch before the products that read them as B (once per
// row block). Rows 3C apart map to few L1 sets when 3C*4 bytes shares a large
// power of two with the set stride (at C = 256, 82 rows of one head fall into 8
// sets); up to this length they fit whatever the stride.
const gatherAbove = 48

// headRows returns the T rows src[t*stride : t*stride+hs] as B rows for the
// tile operation: in place (ldb = stride) for short sequences, else copied into
// buf (T, hs).
func headRows(buf, src []float32, T, hs, stride int) ([]float32, int) {
	if T <= gatherAbove {
		return src, stride
	}
	kernels.CopyRows(buf, src, T, hs, hs, stride)
	return buf[:T*hs], hs
}

// scatterHead sets (acc false) or adds to (acc true) the rows
// dst[t*stride : t*stride+hs] the rows of src (T, hs).
func scatterHead(dst, src []float32, T, hs, stride int, acc bool) {
	if !acc {
		kernels.CopyRows(dst, src, T, hs, stride, hs)
		return
	}
	for t := 0; t < T; t++ {
		d, s := dst[t*stride:t*stride+hs], src[t*hs:(t+1)*hs]
		for i, x := range s {
			d[i] += x
		}
	}
}

// prefetchHead hints into the caches the rows of head bh%H of prompt bh/H
// in x (B,T,parts*C), each of its parts (q, k, v of qkv; the one of a (B,T,C)
// gradient): the next head's reads, issued while this head computes, so that
// activations stored long before (the backward pass reads the forward's) come
// from memory in the background rather than one stall at a time.
func prefetchHead(x []float32, bh, T, C, H, parts int) {
	b, h, hs := bh/H, bh%H, C/H
	for p := 0; p < parts; p++ {
		prefetchRows(x[b*T*parts*C+p*C+h*hs:], T, parts*C, hs)
	}
}

// attScratch holds one goroutine's transposed head (hs x Tp).
var attScratch = sync.Pool{New: func() any { return new([]float32) }}

func getScratch(n int) *[]float32 {
	p := attScratch.Get().(*[]float32)
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	*p = (*p)[:n]
	return p
}

// transposeHead sets dst (hs, Tp) to the transpose of the T rows src[t*stride :
// t*stride+hs], and its columns T..Tp-1 to zero.
func transposeHead(dst, src []float32, T, hs, stride, Tp int) {
	r8, c8 := transposeVec(dst, Tp, src, stride, T, hs)
	for c := 0; c < hs; c++ {
		d := dst[c*Tp : (c+1)*Tp]
		t0 := r8
		if c >= c8 {
			t0 = 0
		}
		for t := t0; t < T; t++ {
			d[t] = src[t*stride+c]
		}
		clear(d[T:])
	}
}

// softmaxRows turns rows t0 .. t0+rows-1 (rows <= 4) of P (T, Tp) into the
// causal softmax of their entries, each scaled by scale: row t keeps its
// first t+1 entries and is zero after. The vector kernel takes the block's
// rows over n entries (a multiple of 8 covering every valid one), masking the
// invalid ones itself; spare stands in for rows past the block's.
func softmaxRows(P []float32, t0, rows, n, Tp int, scale float32, spare []float32) {
	var r [4][]float32
	for i := range r {
		if i < rows {
			r[i] = P[(t0+i)*Tp : (t0+i)*Tp+n]
		} else {
			r[i] = spare[:n]
		}
	}
	zeroFrom := n // the kernel zeroes each row's entries past t up to n
	if !softmax4Vec(&r, n, t0+1, scale) {
		for i := 0; i < rows; i++ {
			softmaxRow(r[i][:t0+i+1], scale)
		}
		zeroFrom = 0
	}
	if zeroFrom < Tp {
		for i := 0; i < rows; i++ {
			t := t0 + i
			clear(P[t*Tp+max(t+1, zeroFrom) : (t+1)*Tp])
		}
	}
}

// softmaxRow sets x = exp((x - max x) scale) / sum in plain Go.
func softmaxRow(x []float32, scale float32) {
	mx := x[0]
	for _, v := range x[1:] {
		mx = max(mx, v)
	}
	var s float32
	for i, v := range x {
		x[i] = expf((v - mx) * scale)
		s += x[i]
	}
	inv := 1 / s
	for i := range x {
		x[i] *= inv
	}
}

// softmaxBwdRows sets rows t0 .. t0+rows-1 (rows <= 4) of dS (T, Tp), each
// over its first n entries, to scale P (dS - sum(P dS)) in place, from the
// softmax's output P (T, Tp); P is zero from column t+1 on in row t, so dS
// is too. spare (2n long) stands in for rows past the block's.
func softmaxBwdRows(dS, P []float32, t0, rows, n, Tp int, scale float32, spare []float32) {
	var d, a [4][]float32
	for i := range d {
		if i < rows {
			d[i], a[i] = dS[(t0+i)*Tp:(t0+i)*Tp+n], P[(t0+i)*Tp:(t0+i)*Tp+n]
		} else {
			d[i], a[i] = spare[:n], spare[n:2*n]
		}
	}
	if softmaxBwd4Vec(&d, &a, n, scale) {
		return
	}
	for i := 0; i < rows; i++ {
		var s float32
		for j, v := range a[i] {
			s += v * d[i][j]
		}
		for j, v := range a[i] {
			d[i][j] = v * (d[i][j] - s) * scale
		}
	}
}

// attentionForward: out (B,T,C) = softmax(q k^T / sqrt(hs), causal) v per head,
// from qkv (B,T,3C); att (B,H,T,Tp) receives the probabilities.
func attentionForward(out, att, qkv []float32, B, T, C, H int) {
	hs := C / H
	scale := float32(1 / math.Sqrt(float64(hs)))
	C3, Tp := 3*C, attStride(T)
	parallelFor(B*H, 1, func(lo, hi int) {
		kp := getScratch(hs*Tp + 2*T*hs)
		defer attScratch.Put(kp)
		kt, vbuf := (*kp)[:hs*Tp], (*kp)[hs*Tp:hs*Tp+T*hs] // (hs, Tp), (T, hs)
		y := (*kp)[hs*Tp+T*hs:]                            // (T, hs): the head's output, copied to out once
		tl := newTiler(max(2*Tp, hs))
		a, c := &tl.a, &tl.c
		for bh := lo; bh < hi; bh++ {
			b, h := bh/H, bh%H
			base := b*T*C3 + h*hs // q of token 0; k at +C, v at +2C
			if bh+1 < hi {
				prefetchHead(qkv, bh+1, T, C, H, 3)
			}
			transposeHead(kt, qkv[base+C:], T, hs, C3, Tp)
			v, ldv := headRows(vbuf, qkv[base+2*C:], T, hs, C3)
			P := att[bh*T*Tp : (bh+1)*T*Tp]
			for t0 := 0; t0 < T; t0 += 4 {
				rows := min(4, T-t0)
				kEnd := t0 + rows // keys 0..kEnd-1 are visible to the block
				// S = q k^T over whole vectors of keys.
				for i := 0; i < rows; i++ {
					a[i] = qkv[base+(t0+i)*C3:]
					c[i] = P[(t0+i)*Tp:]
				}
				n := min((kEnd+7)&^7, Tp)
				tl.run(hs, 1, kt, Tp, rows, n, false)
				softmaxRows(P, t0, rows, n, Tp, scale, tl.spare)
				// out = P v: P[t, j] = 0 for j > t.
				for i := 0; i < rows; i++ {
					a[i] = P[(t0+i)*Tp:]
					c[i] = y[(t0+i)*hs:]
				}
				tl.run(kEnd, 1, v, ldv, rows, hs, false)
			}
			scatterHead(out[b*T*C+h*hs:], y, T, hs, C, false)
		}
	})
}

// attentionBackward sets dqkv (B,T,3C) = beta*dqkv + the gradient of
// attentionForward (beta 0 or 1), given dout (B,T,C) and the forward's att and
// qkv; datt (B,H,T,Tp) is scratch. With dP = dout v^T and s_t = sum_j
// P[t,j] dP[t,j], the gradient before the softmax is dS = scale P (dP - s)
// (zero above the diagonal, as P is), and dq = dS k, dk = dS^T q, dv = P^T dout.
func attentionBackward(dqkv, datt, dout, att, qkv []float32, B, T, C, H int, beta float32) {
	hs := C / H
	scale := float32(1 / math.Sqrt(float64(hs)))
	C3, Tp := 3*C, attStride(T)
	acc := beta != 0 // add into dqkv
	parallelFor(B*H, 1, func(lo, hi int) {
		vp := getScratch(hs*Tp + 6*T*hs)
		defer attScratch.Put(vp)
		vt, sb := (*vp)[:hs*Tp], (*vp)[hs*Tp:] // (hs, Tp), 3 x (T, hs)
		// dq, dk and dv of the head are formed in contiguous scratch (T, hs)
		// and added to dqkv once: rows written in place, 3C apart, would
		// each miss the cache.
		gq, gk, gv := sb[3*T*hs:4*T*hs], sb[4*T*hs:5*T*hs], sb[5*T*hs:6*T*hs]
		sb = sb[:3*T*hs]
		tl := newTiler(max(2*Tp, hs))
		a, c := &tl.a, &tl.c
		for bh := lo; bh < hi; bh++ {
			b, h := bh/H, bh%H
			base := b*T*C3 + h*hs
			dy := dout[b*T*C+h*hs:] // row t at t*C
			if n := bh + 1; n < hi {
				prefetchHead(qkv, n, T, C, H, 3)
				prefetchHead(dout, n, T, C, H, 1)
				prefetchRows(att[n*T*Tp:], 1, 0, T*Tp)
			}
			transposeHead(vt, qkv[base+2*C:], T, hs, C3, Tp)
			q, ldq := headRows(sb[:T*hs], qkv[base:], T, hs, C3)
			k, ldk := headRows(sb[T*hs:2*T*hs], qkv[base+C:], T, hs, C3)
			dyb, ldy := headRows(sb[2*T*hs:], dy, T, hs, C)
			P := att[bh*T*Tp : (bh+1)*T*Tp]
			dS := datt[bh*T*Tp : (bh+1)*T*Tp]
			for t0 := 0; t0 < T; t0 += 4 {
				rows := min(4, T-t0)
				kEnd := t0 + rows
				// dP = dout v^T, then dS in place.
				for i := 0; i < rows; i++ {
					a[i] = dy[(t0+i)*C:]
					c[i] = dS[(t0+i)*Tp:]
				}
				n := min((kEnd+7)&^7, Tp)
				tl.run(hs, 1, vt, Tp, rows, n, false)
				softmaxBwdRows(dS, P, t0, rows, n, Tp, scale, tl.spare)
				// dq = dS k.
				for i := 0; i < rows; i++ {
					a[i] = dS[(t0+i)*Tp:]
					c[i] = gq[(t0+i)*hs:]
				}
				tl.run(kEnd, 1, k, ldk, rows, hs, false)
			}
			// dk = dS^T q and dv = P^T dout, by blocks of 4 keys j0..j0+3,
			// summing over queries t >= j0 (dS and P are zero for t < j).
			for j0 := 0; j0 < T; j0 += 4 {
				rows := min(4, T-j0)
				for i := 0; i < rows; i++ {
					a[i] = dS[j0*Tp+j0+i:]
					c[i] = gk[(j0+i)*hs:]
				}
				tl.run(T-j0, Tp, q[j0*ldq:], ldq, rows, hs, false)
				for i := 0; i < rows; i++ {
					a[i] = P[j0*Tp+j0+i:]
					c[i] = gv[(j0+i)*hs:]
				}
				tl.run(T-j0, Tp, dyb[j0*ldy:], ldy, rows, hs, false)
			}
			scatterHead(dqkv[base:], gq, T, hs, C3, acc)
			scatterHead(dqkv[base+C:], gk, T, hs, C3, acc)
			scatterHead(dqkv[base+2*C:], gv, T, hs, C3, acc)
		}
	})
}
