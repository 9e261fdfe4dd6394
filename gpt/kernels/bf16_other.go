//go:build !amd64 || purego

package kernels

const hasAVX512BF16 = false

func microBF16(kq int, a []uint32, rsa, csa int, b []uint32, rsb int, c []float32, ldc int, acc bool) {
	panic("kernels: bf16 assembly kernel selected in a build without assembly")
}

func pairRows(dst []uint32, r0, r1 []float32, n int) { pairRowsGo(dst, r0, r1, n) }

func pairRowsN(dst []uint32, ldd int, src []float32, lds, rows, n int) {
	for r := 0; r < rows; r++ {
		pairRowsGo(dst[r*ldd:], src[2*r*lds:], src[(2*r+1)*lds:], n)
	}
}

func pairCols(dst []uint32, r []float32, k int) { pairColsGo(dst, r, k) }
