package vecmath

import "math"

// LogLikScratch is the length of the scratch LogLikRows needs for rows of n.
func LogLikScratch(n int) int { return 9 * 8 * ((n + 7) / 8) }

// LogLikRows sets, for each row r < rows, ll[r*n+i] to the running sum a_i
// of the Gaussian log-likelihood terms of points 0..i-1:
//
//	a_0 = 0,  a_{i+1} = a_i - ((y[i] - f[r*n+i])^2 inv[r] + lg[r])
//
// with every operation rounded in that order (no fused multiply-add), and
// raises lmax[i] to the largest a_i over the rows. scratch needs
// LogLikScratch(n) values. The AVX-512 kernel runs eight rows at a time, one
// row a lane (8 x 8 blocks transposed in registers), each row's sums still
// in point order: the same bits as the plain loop.
func LogLikRows(ll, lmax, f, y, inv, lg, scratch []float64, rows, n int) {
	if rows <= 0 || n <= 0 {
		return
	}
	_, _, _, _ = ll[rows*n-1], f[rows*n-1], inv[rows-1], lg[rows-1]
	_, _ = lmax[n-1], y[n-1]
	r := 0
	if hasAVX512 && rows >= 8 {
		nb := (n + 7) / 8
		ypad, lm := scratch[:8*nb], scratch[8*nb:LogLikScratch(n)]
		copy(ypad, y[:n])
		clear(ypad[n:])
		for i := range lm {
			lm[i] = math.Inf(-1)
		}
		groups := rows / 8
		logLikRowsAVX512(&ll[0], &lm[0], &f[0], &ypad[0], &inv[0], &lg[0], groups, n)
		for i := range lmax[:n] {
			for _, v := range lm[8*i : 8*i+8] {
				if v > lmax[i] {
					lmax[i] = v
				}
			}
		}
		r = 8 * groups
	}
	logLikRowsGo(ll[r*n:], lmax, f[r*n:], y, inv[r:], lg[r:], rows-r, n)
}

func logLikRowsGo(ll, lmax, f, y, inv, lg []float64, rows, n int) {
	for r := 0; r < rows; r++ {
		fr, lr := f[r*n:(r+1)*n], ll[r*n:(r+1)*n]
		acc := 0.0
		for i, yi := range y[:n] {
			lr[i] = acc
			if acc > lmax[i] {
				lmax[i] = acc
			}
			d := yi - fr[i]
			acc -= float64(float64(d*d)*inv[r]) + lg[r] // conversions: each product rounded
		}
	}
}
