//go:build !amd64 || purego

package vecmath

const useExpFMA, hasAVX512 = false, false

func expFMA(dst, src *float64, n int, tab *[20][4]uint64) int { panic("vecmath: no FMA") }

func expAVX512(dst, src *float64, n int, tab *[20][4]uint64) int { panic("vecmath: no FMA") }
