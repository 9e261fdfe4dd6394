package kernels

// Gemm computes C = beta*C + op(A)*op(B), row-major, where op(A) is (m, k) and
// op(B) is (k, n). With transA, A is stored (k, m) and op(A) = A^T; likewise B.
// lda, ldb, ldc are the row strides of A, B and C as stored. beta must be 0 or 1.
//
// Every element of C is summed in the same order whatever the number of
// goroutines, so results are identical bit for bit for any GOMAXPROCS.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// Placeholder: the tuned implementation replaces this.
	GemmRef(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
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
