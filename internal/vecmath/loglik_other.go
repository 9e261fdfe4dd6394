//go:build !amd64 || purego

package vecmath

func logLikRowsAVX512(ll, lm, f, y, inv, lg *float64, groups, n int) {
	panic("vecmath: AVX-512 kernel in a build without assembly")
}
