//go:build !amd64 || purego

package vecmath

func addRows16AVX2(dst, src *float64, idx *int32, rows, n int) {
	panic("vecmath: AVX2 kernel in a build without assembly")
}

func addRows4AVX2(dst, src *float64, idx *int32, rows, n int) {
	panic("vecmath: AVX2 kernel in a build without assembly")
}
