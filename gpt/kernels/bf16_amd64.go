//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate python3 gen_bf16_amd64.py

var hasAVX512BF16 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512BF16

// kernBF16AVX512 computes an 8x32 tile with VDPBF16PS; see bf16_amd64.s.
//
//go:noescape
func kernBF16AVX512(kq int, a *uint32, rsa, csa int, b *uint32, rsb int, c *float32, ldc int, acc int)

//go:noescape
func pairRowsAVX512(dst *uint32, r0, r1 *float32, n int)

//go:noescape
func pairRowsNAVX512(dst *uint32, ldd int, src *float32, lds, rows, n int)

//go:noescape
func pairColsAVX512(dst *uint32, r *float32, kq int)

// microBF16 runs the assembly bf16 micro-kernel; the caller guarantees that
// the CPU has AVX512-BF16 and that a, b and c hold the tile's elements.
func microBF16(kq int, a []uint32, rsa, csa int, b []uint32, rsb int, c []float32, ldc int, acc bool) {
	ac := 0
	if acc {
		ac = 1
	}
	_, _ = a[(bf16MR-1)*rsa+(kq-1)*csa], b[(kq-1)*rsb+bf16NR-1]
	_ = c[(bf16MR-1)*ldc+bf16NR-1]
	kernBF16AVX512(kq, &a[0], rsa, csa, &b[0], rsb, &c[0], ldc, ac)
}

// pairRows sets dst[j] = pairOf(r0[j], r1[j]) for j < n (r1 nil: zeros).
func pairRows(dst []uint32, r0, r1 []float32, n int) {
	v := 0
	if hasAVX512BF16 && r1 != nil {
		v = n &^ 15
		if v > 0 {
			_, _, _ = dst[v-1], r0[v-1], r1[v-1]
			pairRowsAVX512(&dst[0], &r0[0], &r1[0], v)
		}
	}
	if v < n {
		if r1 == nil {
			pairRowsGo(dst[v:], r0[v:], nil, n-v)
		} else {
			pairRowsGo(dst[v:], r0[v:], r1[v:], n-v)
		}
	}
}

// pairRowsN sets, for r < rows, dst[r*ldd:r*ldd+n] to the pairs of rows 2r
// and 2r+1 of src (row stride lds), as pairRows does row by row, in one
// assembly call where the CPU has AVX512-BF16.
func pairRowsN(dst []uint32, ldd int, src []float32, lds, rows, n int) {
	if rows <= 0 || n <= 0 {
		return
	}
	v := 0
	if hasAVX512BF16 {
		v = n &^ 15
		if v > 0 {
			_, _ = dst[(rows-1)*ldd+v-1], src[(2*rows-1)*lds+v-1]
			pairRowsNAVX512(&dst[0], ldd, &src[0], lds, rows, v)
		}
	}
	if v < n {
		for r := 0; r < rows; r++ {
			pairRowsGo(dst[r*ldd+v:], src[2*r*lds+v:], src[(2*r+1)*lds+v:], n-v)
		}
	}
}

// pairCols sets dst[q] = pairOf(r[2q], r[2q+1]) over the k values of r (an
// odd k's last pair has 0 for its odd value).
func pairCols(dst []uint32, r []float32, k int) {
	v := 0
	if hasAVX512BF16 {
		v = (k / 32) * 16 // pairs done 16 at a time
		if v > 0 {
			_, _ = dst[v-1], r[2*v-1]
			pairColsAVX512(&dst[0], &r[0], v)
		}
	}
	if 2*v < k {
		pairColsGo(dst[v:], r[2*v:], k-2*v)
	}
}
