//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate python3 gen_amd64.py

var (
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = cpu.X86.HasAVX512F
)

// kernAVX2 computes a 6x16 tile; see kernel_amd64.s.
//
//go:noescape
func kernAVX2(k int, a *float32, rsa, csa int, b, c *float32, ldc int, acc int)

// kernAVX512 computes a 6x32 tile; see kernel_amd64.s.
//
//go:noescape
func kernAVX512(k int, a *float32, rsa, csa int, b, c *float32, ldc int, acc int)

// micro runs kernel id, k >= 1, on the mr x k block of op(A) whose element
// (i, p) is a[i*rsa+p*csa] and on the packed k x nr panel b, storing the tile
// into c (!acc) or adding it to c (acc), with row stride ldc. The Go kernel
// takes only packed A (rsa = 1, csa = mr). The caller guarantees that a, b
// and c are long enough.
func micro(id kernelID, k int, a []float32, rsa, csa int, b, c []float32, ldc int, acc bool) {
	ac := 0
	if acc {
		ac = 1
	}
	switch id {
	case kAVX2:
		kernAVX2(k, &a[0], rsa, csa, &b[0], &c[0], ldc, ac)
	case kAVX512:
		kernAVX512(k, &a[0], rsa, csa, &b[0], &c[0], ldc, ac)
	default:
		kernGo(k, a, b, c, ldc, acc)
	}
}

//go:noescape
func copyRowsAVX2(dst, src *float32, rows, n, ldd, lds int)

// CopyRows sets dst[r*ldd+j] = src[r*lds+j] for r < rows, j < n, with vector
// moves when n is a multiple of 8 (Go's copy calls memmove, slow for short
// rows). lds may be 0 to repeat one row. The caller guarantees the lengths.
func CopyRows(dst, src []float32, rows, n, ldd, lds int) {
	if rows == 0 || n == 0 {
		return
	}
	if hasAVX2 && n%8 == 0 {
		_, _ = dst[(rows-1)*ldd+n-1], src[(rows-1)*lds+n-1]
		copyRowsAVX2(&dst[0], &src[0], rows, n, ldd, lds)
		return
	}
	for r := 0; r < rows; r++ {
		copy(dst[r*ldd:r*ldd+n], src[r*lds:r*lds+n])
	}
}

//go:noescape
func packTransA6AVX2(dst, src *float32, kc, lda, np int)

// packTransA6 packs np full 6-row micro-panels of a transposed A (stored
// (k, m), row stride lda) over kc steps into dst: dst[q*6*kc+p*6+i] =
// src[p*lda+q*6+i]. It reads the rows of src in order. The caller guarantees
// np, kc >= 1.
func packTransA6(dst, src []float32, kc, lda, np int) {
	_, _ = dst[np*6*kc-1], src[(kc-1)*lda+np*6-1]
	packTransA6AVX2(&dst[0], &src[0], kc, lda, np)
}
