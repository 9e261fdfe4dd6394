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

// copyRows sets dst[r*ldd+j] = src[r*lds+j] for r < rows, j < n.
func copyRows(dst, src []float32, rows, n, ldd, lds int) {
	for r := 0; r < rows; r++ {
		copy(dst[r*ldd:r*ldd+n], src[r*lds:r*lds+n])
	}
}
