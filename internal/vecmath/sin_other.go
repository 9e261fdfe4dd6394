//go:build !amd64 || purego || amd64.v3

package vecmath

const useAVX2, hasAVX2 = false, false

func sinAVX2(dst, src *float64, n int, tab *[25][4]uint64) int { panic("vecmath: no AVX2") }

func sinAVX512(dst, src *float64, n int, tab *[25][4]uint64) int { panic("vecmath: no AVX2") }
