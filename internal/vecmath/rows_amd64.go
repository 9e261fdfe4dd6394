//go:build amd64 && !purego

package vecmath

// addRows16AVX2 is AddRows over dst[0:16] (row stride n in src, rows >= 1).
//
//go:noescape
func addRows16AVX2(dst, src *float64, idx *int32, rows, n int)

// addRows4AVX2 is AddRows over dst[0:4].
//
//go:noescape
func addRows4AVX2(dst, src *float64, idx *int32, rows, n int)
