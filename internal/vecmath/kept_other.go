//go:build !amd64 || purego

package vecmath

func keepAboveAVX512(dst *float64, mask *uint8, src *float64, rows, n int, shift *float64, lo float64) int {
	panic("vecmath: AVX-512 kernel in a build without assembly")
}

func accumulateKeptAVX512(num, den, w *float64, wlen int, mask *uint8, f *float64, rows, n int) int {
	panic("vecmath: AVX-512 kernel in a build without assembly")
}
