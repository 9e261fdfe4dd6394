package kernels

import (
	"fmt"
	"sync"
)

// parThreshold is the flop count (2mnk) below which Gemm runs on the calling
// goroutine alone: below it, waking workers costs more than it saves.
const parThreshold = 1 << 21

// readsTransAInPlace reports whether a direct kernel should read a transposed A
// (stored (k, m), row stride lda) in place rather than pack it. In place, each
// step of the micro-kernel reads mr floats from a new row of A; when rows lie a
// multiple of 4 KiB apart they fall into a few cache sets and evict each other.
func readsTransAInPlace(lda int) bool { return lda%1024 != 0 }

// Gemm computes C = beta*C + op(A)*op(B), row-major, where op(A) is (m, k) and
// op(B) is (k, n). With transA, A is stored (k, m) and op(A) = A^T; likewise B.
// lda, ldb, ldc are the row strides of A, B and C as stored. beta must be 0 or 1;
// with beta = 0, C is written without being read (NaNs in C do not leak).
//
// Every element of C is summed in the same order whatever the number of
// goroutines, so results are identical bit for bit for any GOMAXPROCS or
// SetThreads. Different kernels (see Kernel) may differ in the last bits.
//
// Gemm is safe for concurrent use on disjoint C.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
	kr := current.Load()
	if kr.id == kRef {
		GemmRef(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmPacked(kr, transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc, nil)
}

// InitFunc sets the block C[i0:i1, j0:j1] of a GemmInit call (row i of the
// block at c[i*ldc:]) to the values the product is added to.
type InitFunc func(c []float32, ldc, i0, i1, j0, j1 int)

// GemmInit computes C = I + op(A)*op(B) as Gemm does with beta = 1, where I is
// set by init: Gemm calls init once for each block of C that one goroutine
// computes, just before the block's first product, from any goroutine of the
// pool, with the blocks disjoint and covering C. Setting C block by block,
// while the block is about to be used, spares a separate pass over C (for a
// bias or a residual, say). Results depend only on what init writes, not on
// the blocks or the number of goroutines. With the "ref" kernel init is called
// once for all of C.
func GemmInit(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, init InitFunc, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, 1, c, ldc)
	kr := current.Load()
	if kr.id == kRef || k == 0 {
		if m > 0 && n > 0 {
			init(c, ldc, 0, m, 0, n)
		}
		GemmRef(transA, transB, m, n, k, a, lda, b, ldb, 1, c, ldc)
		return
	}
	gemmPacked(kr, transA, transB, m, n, k, a, lda, b, ldb, 1, c, ldc, init)
}

// checkArgs panics on arguments that would make Gemm read or write out of
// bounds; the assembly kernels do no bounds checks of their own.
func checkArgs(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if beta != 0 && beta != 1 {
		panic(fmt.Sprintf("kernels: beta = %v, must be 0 or 1", beta))
	}
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	checkMat("A", transA, m, k, a, lda)
	checkMat("B", transB, k, n, b, ldb)
	checkMat("C", false, m, n, c, ldc)
}

// checkMat checks a matrix whose op is (r, s), stored (s, r) when trans.
func checkMat(name string, trans bool, r, s int, x []float32, ld int) {
	if trans {
		r, s = s, r
	}
	if r == 0 || s == 0 {
		return
	}
	if ld < s {
		panic(fmt.Sprintf("kernels: ld%s = %d < %d columns", name, ld, s))
	}
	if need := (r-1)*ld + s; len(x) < need {
		panic(fmt.Sprintf("kernels: len(%s) = %d, need at least %d for %dx%d with stride %d", name, len(x), need, r, s, ld))
	}
}

// workspace holds the packed panels of one Gemm call.
type workspace struct {
	a, b []float32
}

var wsPool = sync.Pool{New: func() any { return new(workspace) }}

// grow returns s resliced to n, or a new slice when s cannot hold n.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// gemm holds one call of the blocked algorithm.
type gemm struct {
	kr             *kernel
	transA, transB bool
	m, n, k        int
	a, b, c        []float32
	lda, ldb, ldc  int
	pa, pb         []float32 // packed A (when packedA) and packed B, one K block
	packedA        bool      // A is packed (else the kernel reads it in place)
	lateA          bool      // A is packed by the block that uses it, not up front
	mp, np         int       // micro-panels of A, panels of B
	mcP, ncP       int       // tile block size in micro-panels and panels
	tilesN         int
	init           InitFunc // sets each block of C before its first K block, or nil
}

// gemmPacked is the blocked algorithm. For each K block [pc, pc+kc), taken in
// increasing order, it packs op(B)[pc:pc+kc, :] into nr-column panels (zero-
// padded at the edge) and, unless the kernel reads a non-transposed A in
// place, op(A)[:, pc:pc+kc] into mr-row micro-panels; then it runs the
// micro-kernel over every mr x nr tile of C. Tiles are grouped into blocks of
// mcP x ncP tiles that goroutines claim one at a time. Every tile runs the same
// arithmetic whoever computes it, so the grouping cannot change a bit.
func gemmPacked(kr *kernel, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, init InitFunc) {
	if emptyProduct(m, n, k, beta, c, ldc) {
		return
	}
	g := gemm{kr: kr, transA: transA, transB: transB, m: m, n: n, k: k,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, init: init,
		packedA: !kr.direct || (transA && !readsTransAInPlace(lda))}
	mr, nr := kr.mr, kr.nr
	g.mp, g.np = ceilDiv(m, mr), ceilDiv(n, nr)
	kcMax := min(kr.kc, k)

	ws := wsPool.Get().(*workspace)
	if g.packedA {
		ws.a = grow(ws.a, g.mp*mr*kcMax)
	}
	ws.b = grow(ws.b, g.np*nr*kcMax)
	g.pa, g.pb = ws.a, ws.b

	t := Threads()
	par := t > 1 && 2*m*n*k >= parThreshold
	g.mcP, g.ncP = kr.mc/mr, kr.nc/nr
	if par { // enough blocks for the goroutines to balance dynamically
		for ceilDiv(g.mp, g.mcP)*ceilDiv(g.np, g.ncP) < 4*t && g.mcP > 4 {
			g.mcP = (g.mcP + 1) / 2
		}
		for ceilDiv(g.mp, g.mcP)*ceilDiv(g.np, g.ncP) < 4*t && g.ncP > 4 {
			g.ncP = (g.ncP + 1) / 2
		}
	}
	g.tilesN = ceilDiv(g.np, g.ncP)
	// When each block spans all of N, its rows of A are used by it alone:
	// packing them just before use keeps the packed panels in cache.
	g.lateA = g.packedA && g.tilesN == 1
	tiles := ceilDiv(g.mp, g.mcP) * g.tilesN

	nkb := ceilDiv(k, kcMax)
	switch {
	case (!g.packedA || g.lateA) && nkb*g.np*nr*kcMax <= maxPackAll:
		// A is read in place or packed by the block that uses it: pack B for
		// all K blocks at once, then let each tile block run through the K
		// blocks in order, its block of C staying in cache. Two parallel
		// regions per call, however large k is.
		ws.b = grow(ws.b, nkb*g.np*nr*kcMax)
		g.pb = ws.b
		if par {
			gp := new(gemm) // only the parallel path lets the call escape to the heap
			*gp = g
			gp.allK(beta, tiles, nkb)
		} else {
			g.packAllK(0, nkb*g.np)
			g.blocksAllK(0, tiles, nkb, beta)
		}
	case par:
		gp := new(gemm)
		*gp = g
		gp.parallel(beta, tiles, t)
	default:
		for pc := 0; pc < k; pc += kcMax {
			kc := min(kcMax, k-pc)
			acc := beta == 1 || pc > 0
			g.pack(0, g.npa()+g.np, pc, kc)
			for tile := 0; tile < tiles; tile++ {
				g.block(tile, pc, kc, acc, g.pb)
			}
		}
	}
	wsPool.Put(ws)
}

// maxPackAll bounds, in floats, the packed B that gemmPacked keeps for all K
// blocks at once (4 MiB). Past it, the K-block loop with one packed B block
// shared by all goroutines is faster: a weight gradient's packed inp of
// 5248 x 256 floats (5.4 MiB), streamed once per tile block, was measured
// slower than packing one K block at a time.
const maxPackAll = 1 << 20

// serialPack is the packing work, in floats, below which the calling goroutine
// packs alone rather than start a parallel region for it.
const serialPack = 1 << 15

// allK packs op(B) for all nkb K blocks into g.pb (K block kb at offset
// kb*np*nr*kc_max) and then runs every tile block through all K blocks in
// increasing order, on the pool.
func (g *gemm) allK(beta float32, tiles, nkb int) {
	items := nkb * g.np
	if items*g.kr.nr*min(g.kr.kc, g.k) > serialPack {
		run(items, max(1, items/(8*Threads())), g.packAllK)
	} else {
		g.packAllK(0, items)
	}
	run(tiles, 1, func(lo, hi int) { g.blocksAllK(lo, hi, nkb, beta) })
}

// packAllK packs items [lo, hi) of allK: item kb*np + r is panel r of K block kb.
func (g *gemm) packAllK(lo, hi int) {
	nr, np := g.kr.nr, g.np
	kcMax := min(g.kr.kc, g.k)
	region := np * nr * kcMax
	for it := lo; it < hi; it++ {
		kb, r := it/np, it%np
		pc := kb * kcMax
		kc := min(kcMax, g.k-pc)
		g.packB(g.pb[kb*region+r*nr*kc:kb*region+(r+1)*nr*kc], r, pc, kc)
	}
}

// blocksAllK runs tile blocks [lo, hi) of allK through all K blocks.
func (g *gemm) blocksAllK(lo, hi, nkb int, beta float32) {
	kcMax := min(g.kr.kc, g.k)
	region := g.np * g.kr.nr * kcMax
	for tile := lo; tile < hi; tile++ {
		for kb := 0; kb < nkb; kb++ {
			pc := kb * kcMax
			g.block(tile, pc, min(kcMax, g.k-pc), beta == 1 || pc > 0, g.pb[kb*region:])
		}
	}
}

// parallel is the K-block loop of gemmPacked on t goroutines: packing and
// tile blocks are each split over the pool, with a barrier between them.
func (g *gemm) parallel(beta float32, tiles, t int) {
	kcMax := min(g.kr.kc, g.k)
	items := g.npa() + g.np
	for pc := 0; pc < g.k; pc += kcMax {
		kc := min(kcMax, g.k-pc)
		acc := beta == 1 || pc > 0
		run(items, max(1, items/(8*t)), func(lo, hi int) { g.pack(lo, hi, pc, kc) })
		run(tiles, 1, func(lo, hi int) {
			for tile := lo; tile < hi; tile++ {
				g.block(tile, pc, kc, acc, g.pb)
			}
		})
	}
}

// npa is the number of A micro-panels to pack up front per K block.
func (g *gemm) npa() int {
	if g.packedA && !g.lateA {
		return g.mp
	}
	return 0
}

// pack packs items [lo, hi) of one K block: first the npa() micro-panels of
// A, then the np panels of B.
func (g *gemm) pack(lo, hi, pc, kc int) {
	nr, npa := g.kr.nr, g.npa()
	if lo < npa {
		g.packAPanels(g.pa, lo, min(hi, npa), pc, kc)
		lo = min(hi, npa)
	}
	for q := lo; q < hi; q++ {
		r := q - npa
		g.packB(g.pb[r*nr*kc:(r+1)*nr*kc], r, pc, kc)
	}
}

// packAPanels packs A micro-panels [q0, q1) of one K block into pa, panel q
// at pa[q*mr*kc:].
func (g *gemm) packAPanels(pa []float32, q0, q1, pc, kc int) {
	mr := g.kr.mr
	if g.transA {
		// A stored (k, m): walk its rows once for a group of micro-panels
		// rather than striding through k rows for each panel.
		const group = 32
		for q := q0; q < q1; q += group {
			g.packATrans(pa, q, min(q+group, q1), pc, kc)
		}
		return
	}
	for q := q0; q < q1; q++ {
		g.packA(pa[q*mr*kc:(q+1)*mr*kc], q, pc, kc)
	}
}

// packATrans packs micro-panels [q0, q1) of a transposed A (stored (k, m))
// into pa, panel q at pa[q*mr*kc:], with the layout of packA.
func (g *gemm) packATrans(pa []float32, q0, q1, pc, kc int) {
	mr := g.kr.mr
	if mr == 6 { // the assembly kernels' panels: full ones in one sweep
		full := min(q1, g.m/6)
		if full > q0 {
			packTransA6(pa[q0*6*kc:], g.a[pc*g.lda+q0*6:], kc, g.lda, full-q0)
		}
		for q := max(q0, full); q < q1; q++ {
			g.packA(pa[q*mr*kc:(q+1)*mr*kc], q, pc, kc)
		}
		return
	}
	i0, i1 := q0*mr, min(q1*mr, g.m)
	for p := 0; p < kc; p++ {
		off := (pc + p) * g.lda
		src := g.a[off+i0 : off+i1]
		for q := q0; q < q1; q++ {
			d := pa[q*mr*kc+p*mr : q*mr*kc+p*mr+mr]
			s := src[(q-q0)*mr:]
			if len(s) >= mr {
				copy(d, s)
				continue
			}
			copy(d, s)
			clear(d[len(s):])
		}
	}
}

// emptyProduct does a product with no terms (m, n or k zero): with k = 0
// and beta = 0 it zeroes C. It reports whether there was nothing more to do.
func emptyProduct(m, n, k int, beta float32, c []float32, ldc int) bool {
	if m == 0 || n == 0 {
		return true
	}
	if k != 0 {
		return false
	}
	if beta == 0 {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
	}
	return true
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// maxKC bounds every kernel's K block; block keeps an edge panel of A on its
// stack.
const maxKC = 256

// block runs the micro-kernel over one block of tiles, K block [pc, pc+kc),
// with that K block's B panels packed in pb.
// Edge tiles are computed in full into a scratch tile (the packed panels are
// zero-padded) and only their valid part is merged into C, with the same
// single addition the kernel itself would do.
func (g *gemm) block(tile, pc, kc int, acc bool, pb []float32) {
	mr, nr := g.kr.mr, g.kr.nr
	tm, tn := tile/g.tilesN, tile%g.tilesN
	i0, i1 := tm*g.mcP, min((tm+1)*g.mcP, g.mp)
	j0, j1 := tn*g.ncP, min((tn+1)*g.ncP, g.np)
	var tmp [6 * 32]float32
	if g.init != nil && pc == 0 {
		g.init(g.c, g.ldc, i0*mr, min(i1*mr, g.m), j0*nr, min(j1*nr, g.n))
		acc = true
	}
	pa := g.pa
	if g.lateA {
		// Block-private panels, at offsets that do not depend on kc: in
		// allK, blocks run different K blocks at the same time.
		pa = g.pa[i0*mr*(min(g.kr.kc, g.k)-kc):]
		g.packAPanels(pa, i0, i1, pc, kc)
	}
	var edge [6 * maxKC]float32 // last micro-panel of A, packed, when A is read in place
	edgeReady := false
	for jp := j0; jp < j1; jp++ {
		bp := pb[jp*nr*kc : (jp+1)*nr*kc]
		col := jp * nr
		nv := min(nr, g.n-col)
		for ip := i0; ip < i1; ip++ {
			row := ip * mr
			mv := min(mr, g.m-row)
			var ap []float32
			rsa, csa := 1, mr
			switch {
			case g.packedA:
				ap = pa[ip*mr*kc : (ip+1)*mr*kc]
			case mv == mr && g.transA:
				ap, rsa, csa = g.a[pc*g.lda+row:], 1, g.lda
			case mv == mr:
				ap, rsa, csa = g.a[row*g.lda+pc:], g.lda, 1
			default:
				ap = edge[:mr*kc]
				if !edgeReady {
					g.packA(ap, ip, pc, kc)
					edgeReady = true
				}
			}
			if mv == mr && nv == nr {
				micro(g.kr.id, kc, ap, rsa, csa, bp, g.c[row*g.ldc+col:], g.ldc, acc)
				continue
			}
			micro(g.kr.id, kc, ap, rsa, csa, bp, tmp[:], nr, false)
			for i := 0; i < mv; i++ {
				dst := g.c[(row+i)*g.ldc+col : (row+i)*g.ldc+col+nv]
				src := tmp[i*nr : i*nr+nv]
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

// packA packs micro-panel q (rows q*mr.. of op(A), at most mr of them) over
// columns [pc, pc+kc) into dst, stored k-major (dst[p*mr+i]); rows past m are
// zero.
func (g *gemm) packA(dst []float32, q, pc, kc int) {
	mr := g.kr.mr
	i0 := q * mr
	mv := min(mr, g.m-i0)
	dst = dst[:mr*kc]
	if g.transA { // A stored (k, m): row p of storage holds op(A)[:, p]
		for p := 0; p < kc; p++ {
			d := dst[p*mr : p*mr+mr]
			off := (pc+p)*g.lda + i0
			src := g.a[off : off+mv]
			for i, v := range src {
				d[i] = v
			}
			for i := mv; i < mr; i++ {
				d[i] = 0
			}
		}
		return
	}
	for i := 0; i < mv; i++ {
		off := (i0+i)*g.lda + pc
		src := g.a[off : off+kc]
		for p, v := range src {
			dst[p*mr+i] = v
		}
	}
	for i := mv; i < mr; i++ {
		for p := 0; p < kc; p++ {
			dst[p*mr+i] = 0
		}
	}
}

// packB packs panel r (columns r*nr.. of op(B), at most nr of them) over rows
// [pc, pc+kc) into dst, stored k-major (dst[p*nr+j]); columns past n are zero.
func (g *gemm) packB(dst []float32, r, pc, kc int) {
	nr := g.kr.nr
	j0 := r * nr
	nv := min(nr, g.n-j0)
	dst = dst[:nr*kc]
	if !g.transB { // B stored (k, n)
		off := pc*g.ldb + j0
		if nv == nr {
			CopyRows(dst, g.b[off:], kc, nr, nr, g.ldb)
			return
		}
		for p := 0; p < kc; p++ {
			d := dst[p*nr : p*nr+nr]
			copy(d, g.b[off+p*g.ldb:off+p*g.ldb+nv])
			clear(d[nv:])
		}
		return
	}
	// B stored (n, k): row j of storage holds op(B)[:, j]. Four rows at a time.
	j := 0
	for ; j+4 <= nv; j += 4 {
		off := (j0+j)*g.ldb + pc
		r0 := g.b[off : off+kc]
		r1 := g.b[off+g.ldb : off+g.ldb+kc]
		r2 := g.b[off+2*g.ldb : off+2*g.ldb+kc]
		r3 := g.b[off+3*g.ldb : off+3*g.ldb+kc]
		for p := range r0 {
			d := dst[p*nr+j : p*nr+j+4 : p*nr+j+4]
			d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
		}
	}
	for ; j < nv; j++ {
		off := (j0+j)*g.ldb + pc
		src := g.b[off : off+kc]
		for p, v := range src {
			dst[p*nr+j] = v
		}
	}
	for j := nv; j < nr; j++ {
		for p := 0; p < kc; p++ {
			dst[p*nr+j] = 0
		}
	}
}

// GemmRef is the naive triple loop that Gemm is tested against.
func GemmRef(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if beta != 0 && beta != 1 {
		panic("kernels: beta must be 0 or 1")
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = s
			} else {
				c[i*ldc+j] += s
			}
		}
	}
}
