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
