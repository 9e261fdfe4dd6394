package kernels

import (
	"math"
	"sync"
)

// bf16 matrix products.
//
// GemmBF16 computes what Gemm does with its operands rounded to bfloat16
// (round to nearest even; NaNs stay NaN) and float32 accumulation, the way the
// AVX512-BF16 instruction VDPBF16PS sums: op(A) and op(B) are converted once
// per call into "pair" matrices, whose dwords hold two bf16 values, the one of
// the even k index in the low half and the odd one in the high half, and each
// element of C is summed over K blocks of bf16KQ pairs (bf16KQ*2 = 256 values
// of k, like Gemm's K blocks), in increasing order:
//
//	S = 0
//	for each pair q of the block:
//	    S = S + a(2q+1) b(2q+1)   (the odd products first: VDPBF16PS's order)
//	    S = S + a(2q) b(2q)
//	C = C + S                     (C = S for the first block when beta = 0)
//
// Every sum is rounded to float32 and flushed to zero when it is subnormal,
// bf16 subnormals count as zero, and the products are exact (a product of
// two bf16 values fits in a float32). For odd k the last pair's odd value is
// 0. Thread count does not change the bits, as for Gemm.
//
// The assembly micro-kernel (8 x 32 tiles, VDPBF16PS) runs where the CPU has
// AVX512-BF16 and the float32 kernel is avx512; elsewhere a plain-Go
// micro-kernel, kernBF16Go, gives the same bits, more slowly. GemmBF16Ref is
// the naive triple loop, from float32 operands, that both are tested against,
// bit for bit.

// bf16 tile and K block: 8 x 32 tiles of C, K blocks of bf16KQ pairs.
const (
	bf16MR = 8
	bf16NR = 32
	bf16KQ = 128
	// bf16Cols is how many columns of a transposed B are converted together
	// (it divides bf16NR, so nPad).
	bf16Cols = 16
)

// ToBF16 rounds f to the nearest bfloat16 (ties to even) and returns its bits,
// as VCVTNEPS2BF16 does: a float32 subnormal becomes a zero of its sign; a NaN
// stays a NaN (quiet, with f's sign and upper payload); infinities stay
// infinite; values past the largest finite bf16 round to infinity.
func ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7f800000 == 0 {
		return uint16(b>>16) & 0x8000
	}
	if b&0x7fffffff > 0x7f800000 {
		return uint16((b | 0x00400000) >> 16)
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

// FromBF16 returns the float32 whose upper 16 bits are h (exact).
func FromBF16(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// pairOf packs two float32 values as a pair dword: bf16(even) in the low half.
func pairOf(even, odd float32) uint32 {
	return uint32(ToBF16(even)) | uint32(ToBF16(odd))<<16
}

// bf16Operand is the float32 value of a bf16 operand as VDPBF16PS reads it:
// subnormals are zero.
func bf16Operand(h uint16) float64 {
	if h&0x7f80 == 0 {
		return 0
	}
	return float64(FromBF16(h))
}

// flushSubnormal returns x, or a zero of x's sign when x is subnormal.
func flushSubnormal(x float32) float32 {
	b := math.Float32bits(x)
	if b&0x7f800000 == 0 {
		return math.Float32frombits(b & 0x80000000)
	}
	return x
}

// dpPair returns s after one VDPBF16PS lane step with pair dwords a and b: s
// plus the odd product, rounded and flushed, plus the even product, rounded
// and flushed. The float64 sums are exact for the operands a model meets (a
// bf16 product has 16 significant bits; a sum of it and a float32 fits in 53
// bits unless their exponents lie more than 29 apart, where the smaller one
// cannot change the float32 result), so each rounding is the float32 one.
func dpPair(s float32, a, b uint32) float32 {
	s = flushSubnormal(float32(float64(s) + bf16Operand(uint16(a>>16))*bf16Operand(uint16(b>>16))))
	return flushSubnormal(float32(float64(s) + bf16Operand(uint16(a))*bf16Operand(uint16(b))))
}

// pairRowsGo: dst[j] = pairOf(r0[j], r1[j]) for j < n; r1 nil reads zeros.
func pairRowsGo(dst []uint32, r0, r1 []float32, n int) {
	dst, r0 = dst[:n], r0[:n]
	if r1 == nil {
		for j, v := range r0 {
			dst[j] = uint32(ToBF16(v))
		}
		return
	}
	r1 = r1[:n]
	for j := range dst {
		dst[j] = pairOf(r0[j], r1[j])
	}
}

// pairColsGo: dst[q] = pairOf(r[2q], r[2q+1]) for 2q+1 < k, and for odd k
// dst[k/2] = pairOf(r[k-1], 0).
func pairColsGo(dst []uint32, r []float32, k int) {
	r = r[:k]
	q := 0
	for ; 2*q+1 < k; q++ {
		dst[q] = pairOf(r[2*q], r[2*q+1])
	}
	if k%2 == 1 {
		dst[q] = uint32(ToBF16(r[k-1]))
	}
}

// kernBF16Go is the plain-Go micro-kernel: the 8 x 32 tile C = (acc ? C : 0)
// + S of the assembly kernel, S[i][j] the dpPair sum over q < kq of
// a[i*rsa+q*csa] and b[q*rsb+j], from zero.
func kernBF16Go(kq int, a []uint32, rsa, csa int, b []uint32, rsb int, c []float32, ldc int, acc bool) {
	var s [bf16MR][bf16NR]float32
	for q := 0; q < kq; q++ {
		bq := b[q*rsb : q*rsb+bf16NR]
		for i := 0; i < bf16MR; i++ {
			ai := a[i*rsa+q*csa]
			si := &s[i]
			for j, bv := range bq {
				si[j] = dpPair(si[j], ai, bv)
			}
		}
	}
	for i := 0; i < bf16MR; i++ {
		row := c[i*ldc : i*ldc+bf16NR]
		if acc {
			for j := range row {
				row[j] += s[i][j]
			}
		} else {
			copy(row, s[i][:])
		}
	}
}

// GemmBF16 computes C = beta*C + op(A)*op(B) as Gemm does (same arguments,
// beta 0 or 1), with bf16 operands and float32 accumulation, summed as the
// package's bf16 notes say.
func GemmBF16(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
	if current.Load().id == kRef {
		GemmBF16Ref(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc, nil)
		return
	}
	gemmBF16(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc, nil)
}

// GemmInitBF16 is GemmInit with bf16 operands: C = I + op(A)*op(B), I set
// block by block by init as GemmInit says.
func GemmInitBF16(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, init InitFunc, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, 1, c, ldc)
	if current.Load().id == kRef || k == 0 {
		GemmBF16Ref(transA, transB, m, n, k, a, lda, b, ldb, 1, c, ldc, init)
		return
	}
	gemmBF16(transA, transB, m, n, k, a, lda, b, ldb, 1, c, ldc, init)
}

// GemmBF16Ref is the naive triple loop that GemmBF16 is tested against: it
// converts each operand as it reads it and sums exactly as the package's bf16
// notes say. With init not nil, C is first set by init(c, ldc, 0, m, 0, n)
// and beta must be 1.
func GemmBF16Ref(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, init InitFunc) {
	if beta != 0 && beta != 1 {
		panic("kernels: beta must be 0 or 1")
	}
	if init != nil && m > 0 && n > 0 {
		init(c, ldc, 0, m, 0, n)
	}
	at := func(i, p int) float32 {
		if p >= k {
			return 0
		}
		if transA {
			return a[p*lda+i]
		}
		return a[i*lda+p]
	}
	bt := func(p, j int) float32 {
		if p >= k {
			return 0
		}
		if transB {
			return b[j*ldb+p]
		}
		return b[p*ldb+j]
	}
	kq := (k + 1) / 2
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			if k == 0 && beta == 0 {
				c[i*ldc+j] = 0
			}
			for q0 := 0; q0 < kq; q0 += bf16KQ {
				var s float32
				for q := q0; q < min(q0+bf16KQ, kq); q++ {
					s = dpPair(s, pairOf(at(i, 2*q), at(i, 2*q+1)), pairOf(bt(2*q, j), bt(2*q+1, j)))
				}
				if q0 == 0 && beta == 0 {
					c[i*ldc+j] = s
				} else {
					c[i*ldc+j] += s
				}
			}
		}
	}
}

// bf16Workspace holds the pair matrices of one GemmBF16 call.
type bf16Workspace struct{ a, b []uint32 }

var bf16Pool = sync.Pool{New: func() any { return new(bf16Workspace) }}

// bf16Call is one GemmBF16 call after its operands are converted: ab is op(A)
// as a pair matrix, element (i, q) at ab[i*rsa+q*csa], with mPad rows (rows
// past m zero); bb is op(B) as a kq x nPad pair matrix, row stride nPad
// (columns past n zero).
type bf16Call struct {
	asm      bool
	m, n, kq int
	ab, bb   []uint32
	rsa, csa int
	// a32, when not nil, is A (m, k) itself, row stride lda: each block of
	// tiles converts its own rows into a buffer of its goroutine
	// (blockRows), ab is unused, and rsa, csa are kq, 1.
	a32      []float32
	lda, k   int
	nPad     int
	c        []float32
	ldc      int
	beta     float32
	init     InitFunc
	mt, nt   int // tiles down and across C
	mcT, ncT int // tiles per block
	tilesN   int // blocks across N
}

// conversion work, in values, below which the calling goroutine converts alone.
const serialConvert = 1 << 14

func gemmBF16(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, init InitFunc) {
	if emptyProduct(m, n, k, beta, c, ldc) {
		return
	}
	kq := (k + 1) / 2
	mPad, nPad := ceilDiv(m, bf16MR)*bf16MR, ceilDiv(n, bf16NR)*bf16NR
	ws := bf16Pool.Get().(*bf16Workspace)
	defer bf16Pool.Put(ws)
	ws.b = grow(ws.b, kq*nPad)
	g := bf16Call{asm: useBF16Asm(), m: m, n: n, kq: kq, bb: ws.b, nPad: nPad,
		c: c, ldc: ldc, beta: beta, init: init}
	t := Threads()
	par := func(items, work int, fn func(lo, hi int)) {
		if t > 1 && work > serialConvert {
			run(items, max(1, items/(4*t)), fn)
		} else {
			fn(0, items)
		}
	}

	// Tiles, in blocks of mcT x ncT that goroutines claim one at a time;
	// each block runs through the K blocks in order.
	mt, nt := mPad/bf16MR, nPad/bf16NR
	g.mt, g.nt = mt, nt
	g.mcT, g.ncT = 12, 16
	if t > 1 && 2*m*n*k >= parThreshold {
		for ceilDiv(mt, g.mcT)*ceilDiv(nt, g.ncT) < 4*t && g.mcT > 2 {
			g.mcT = (g.mcT + 1) / 2
		}
		for ceilDiv(mt, g.mcT)*ceilDiv(nt, g.ncT) < 4*t && g.ncT > 2 {
			g.ncT = (g.ncT + 1) / 2
		}
	}
	g.tilesN = ceilDiv(nt, g.ncT)

	// op(A) into pairs.
	if !transA && g.tilesN == 1 {
		// One block across N: each block of tiles converts its own rows
		// of A (blockRows) right before it uses them, so that their pairs
		// stay in the cache (at most lazyRowBytes of them, with the
		// tile rows of a block cut to fit); no row is converted twice.
		g.rsa, g.csa = kq, 1
		g.a32, g.lda, g.k = a, lda, k
		g.mcT = max(1, min(g.mcT, lazyRowBytes/(4*kq*bf16MR)))
	} else if !transA { // (m, k): each row's pairs are contiguous; row i at ab[i*kq:]
		ws.a = grow(ws.a, mPad*kq)
		g.ab, g.rsa, g.csa = ws.a, kq, 1
		par(m, m*k, func(lo, hi int) {
			if lda == k && k%2 == 0 { // the rows' pairs are one run of pairs: one call
				pairCols(g.ab[lo*kq:hi*kq], a[lo*k:hi*k], (hi-lo)*k)
				return
			}
			for i := lo; i < hi; i++ {
				pairCols(g.ab[i*kq:(i+1)*kq], a[i*lda:], k)
			}
		})
		clear(g.ab[m*kq : mPad*kq])
	} else { // stored (k, m): rows 2q and 2q+1 make pair row q, at ab[q*mPad:]
		ws.a = grow(ws.a, kq*mPad)
		g.ab, g.rsa, g.csa = ws.a, 1, mPad
		par(kq, m*k, func(lo, hi int) {
			pairRowsRange(g.ab, mPad, a, lda, lo, hi, m, k)
		})
	}
	// op(B) into a kq x nPad pair matrix.
	if !transB { // (k, n): rows 2q and 2q+1 make pair row q
		par(kq, n*k, func(lo, hi int) {
			pairRowsRange(g.bb, nPad, b, ldb, lo, hi, n, k)
		})
	} else { // stored (n, k): row j holds column j's pairs, written nPad apart
		// bf16Cols columns at a time, their pairs transposed through tmp so
		// that each pair row of bb is written bf16Cols values at a time.
		par(nPad/bf16Cols, n*k, func(lo, hi int) {
			var tmp [bf16Cols][bf16KQ]uint32
			for jb := lo; jb < hi; jb++ {
				j0 := jb * bf16Cols
				for q0 := 0; q0 < kq; q0 += bf16KQ {
					nq := min(bf16KQ, kq-q0)
					for c := range bf16Cols {
						if j := j0 + c; j < n {
							pairCols(tmp[c][:nq], b[j*ldb+2*q0:], min(2*nq, k-2*q0))
						} else {
							clear(tmp[c][:nq])
						}
					}
					for q := range nq {
						row := g.bb[(q0+q)*nPad+j0 : (q0+q)*nPad+j0+bf16Cols]
						for c := range row {
							row[c] = tmp[c][q]
						}
					}
				}
			}
		})
	}

	blocks := ceilDiv(mt, g.mcT) * g.tilesN
	if t > 1 && 2*m*n*k >= parThreshold {
		run(blocks, 1, g.blocks)
	} else {
		g.blocks(0, blocks)
	}
}

// pairRowsRange sets pair rows [lo, hi) of dst (row stride ld, w values and
// zeros to ld) from the rows of x (k of them, w values each, row stride ldx):
// pair row q holds rows 2q and 2q+1, and zeros for row k when k is odd.
func pairRowsRange(dst []uint32, ld int, x []float32, ldx, lo, hi, w, k int) {
	full := min(hi, k/2) // pair rows with both rows in x
	if full > lo {
		pairRowsN(dst[lo*ld:], ld, x[2*lo*ldx:], ldx, full-lo, w)
	}
	for q := max(lo, full); q < hi; q++ { // the last pair row of an odd k
		pairRows(dst[q*ld:], x[2*q*ldx:], nil, w)
	}
	if w < ld {
		for q := lo; q < hi; q++ {
			clear(dst[q*ld+w : (q+1)*ld])
		}
	}
}

// blocks runs tile blocks [lo, hi).
func (g *bf16Call) blocks(lo, hi int) {
	var tmp [bf16MR * bf16NR]float32
	mt, nt := g.mt, g.nt
	var rows *[]uint32
	if g.a32 != nil {
		rows = bf16Rows.Get().(*[]uint32)
		defer bf16Rows.Put(rows)
	}
	for blk := lo; blk < hi; blk++ {
		bm, bn := blk/g.tilesN, blk%g.tilesN
		i0, i1 := bm*g.mcT, min((bm+1)*g.mcT, mt)
		j0, j1 := bn*g.ncT, min((bn+1)*g.ncT, nt)
		ab, row0 := g.ab, 0 // tile row r's pairs at ab[(r-row0)*rsa:]
		if g.a32 != nil {
			row0 = i0 * bf16MR
			ab = g.blockRows(rows, row0, i1*bf16MR)
		}
		acc0 := g.beta == 1
		if g.init != nil {
			g.init(g.c, g.ldc, i0*bf16MR, min(i1*bf16MR, g.m), j0*bf16NR, min(j1*bf16NR, g.n))
			acc0 = true
		}
		for q0 := 0; q0 < g.kq; q0 += bf16KQ {
			nq := min(bf16KQ, g.kq-q0)
			acc := acc0 || q0 > 0
			for jt := j0; jt < j1; jt++ {
				col := jt * bf16NR
				nv := min(bf16NR, g.n-col)
				bp := g.bb[q0*g.nPad+col:]
				for it := i0; it < i1; it++ {
					row := it * bf16MR
					mv := min(bf16MR, g.m-row)
					ap := ab[(row-row0)*g.rsa+q0*g.csa:]
					if mv == bf16MR && nv == bf16NR {
						g.micro(nq, ap, bp, g.c[row*g.ldc+col:], g.ldc, acc)
						continue
					}
					g.micro(nq, ap, bp, tmp[:], bf16NR, false)
					for i := 0; i < mv; i++ {
						dst := g.c[(row+i)*g.ldc+col : (row+i)*g.ldc+col+nv]
						src := tmp[i*bf16NR : i*bf16NR+nv]
						if acc {
							for j := range dst {
								dst[j] += src[j]
							}
						} else {
							copy(dst, src)
						}
					}
				}
			}
		}
	}
}

// lazyRowBytes bounds the pair rows of A that a block of tiles converts at
// once, so that they stay in L1 beside a panel of B.
const lazyRowBytes = 16 << 10

// bf16Rows holds a goroutine's pair rows of A for one block of tiles.
var bf16Rows = sync.Pool{New: func() any { return new([]uint32) }}

// blockRows converts rows [r0, r1) of A (a32; rows past m are zero) into
// pairs in *buf, row r at (r-r0)*kq, and returns them.
func (g *bf16Call) blockRows(buf *[]uint32, r0, r1 int) []uint32 {
	kq, k := g.kq, g.k
	*buf = grow(*buf, (r1-r0)*kq)
	ab := *buf
	mv := min(r1, g.m)
	if g.lda == k && k%2 == 0 { // the rows' pairs are one run of pairs: one call
		pairCols(ab[:(mv-r0)*kq], g.a32[r0*k:mv*k], (mv-r0)*k)
	} else {
		for i := r0; i < mv; i++ {
			pairCols(ab[(i-r0)*kq:(i-r0+1)*kq], g.a32[i*g.lda:], k)
		}
	}
	clear(ab[(mv-r0)*kq:])
	return ab
}

func (g *bf16Call) micro(kq int, a, b []uint32, c []float32, ldc int, acc bool) {
	if g.asm {
		microBF16(kq, a, g.rsa, g.csa, b, g.nPad, c, ldc, acc)
		return
	}
	kernBF16Go(kq, a, g.rsa, g.csa, b, g.nPad, c, ldc, acc)
}

// BF16Kernel names the micro-kernel GemmBF16 uses: "avx512bf16" (VDPBF16PS),
// "go" (plain Go, the same bits) or "ref" (GemmBF16Ref, with ICL_GEMM=ref).
func BF16Kernel() string {
	switch {
	case current.Load().id == kRef:
		return "ref"
	case useBF16Asm():
		return "avx512bf16"
	}
	return "go"
}

// HasBF16 reports whether this CPU runs GemmBF16 in hardware (AVX512-BF16);
// without it GemmBF16 gives the same bits from plain Go, many times slower.
func HasBF16() bool { return hasAVX512BF16 }

// useBF16Asm reports whether GemmBF16 runs the assembly kernel: the CPU has
// AVX512-BF16 and the float32 kernel chosen is avx512 (ICL_GEMM=go or avx2
// selects the plain-Go bf16 kernel).
func useBF16Asm() bool { return hasAVX512BF16 && current.Load().id == kAVX512 }
