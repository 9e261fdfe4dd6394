//go:build !amd64 || purego

package gpt

func geluVec(out, deriv, inp []float32) int { return 0 }

func expShiftVec(dst, src []float32, shift, scale float32) int { return 0 }

func colSumVec(dst, src []float32, rows, stride int) int { return 0 }

func sumVec(x []float32) (float32, int) { return 0, 0 }

func sqDevVec(x []float32, m float32) (float32, int) { return 0, 0 }

func lnNormVec(out, x, w, b []float32, m, rs float32) int { return 0 }

func lnDotsVec(g, w, x []float32, m float32) (s1, s2 float32, k int) { return 0, 0, 0 }

func lnBwdRowVec(d, g, w, x []float32, m, rs, s1, s2 float32) int { return 0 }

func lnColVec(gw, gb, g, x []float32, m, rs float32) int { return 0 }

func addRowVec(dst, src, row []float32, rows, ldd, lds int) int { return 0 }

func mulVec(dst, x, y []float32) int { return 0 }

var hasAVX2, hasAVX512 = false, false

func tileVec(kern tileKernel, k int, a *[4][]float32, csa int, b []float32, ldb int, c *[4][]float32, spare []float32, rows, n int, acc bool) int {
	return 0
}

func transposeVec(dst []float32, ldd int, src []float32, lds, rows, cols int) (int, int) {
	return 0, 0
}

func softmax4Vec(rows *[4][]float32, n, valid0 int, scale float32) bool { return false }

func softmaxBwd4Vec(d, a *[4][]float32, n int, scale float32) bool { return false }
