//go:build !amd64 || purego

package kernels

const (
	hasAVX2   = false
	hasAVX512 = false
)

// micro runs the portable micro-kernel; other kernels do not exist here.
func micro(id kernelID, k int, a []float32, rsa, csa int, b, c []float32, ldc int, acc bool) {
	if id != kGo {
		panic("kernels: assembly kernel selected in a build without assembly")
	}
	kernGo(k, a, b, c, ldc, acc)
}

// CopyRows sets dst[r*ldd+j] = src[r*lds+j] for r < rows, j < n.
func CopyRows(dst, src []float32, rows, n, ldd, lds int) {
	for r := 0; r < rows; r++ {
		copy(dst[r*ldd:r*ldd+n], src[r*lds:r*lds+n])
	}
}

// packTransA6 packs np full 6-row micro-panels of a transposed A (stored
// (k, m), row stride lda) over kc steps into dst: dst[q*6*kc+p*6+i] =
// src[p*lda+q*6+i].
func packTransA6(dst, src []float32, kc, lda, np int) {
	for p := 0; p < kc; p++ {
		s := src[p*lda : p*lda+np*6]
		for q := 0; q < np; q++ {
			d := dst[q*6*kc+p*6 : q*6*kc+p*6+6 : q*6*kc+p*6+6]
			s6 := s[q*6 : q*6+6 : q*6+6]
			d[0], d[1], d[2], d[3], d[4], d[5] = s6[0], s6[1], s6[2], s6[3], s6[4], s6[5]
		}
	}
}
