//go:build !amd64 || purego

package probe

const useGramAVX512 = false

func gramBlockAVX512(c *float64, ldc int, ai, aj *float64, lda, k int, alpha float64) {
	panic("probe: no AVX-512")
}

func gramColAVX512(dst *float64, ai, aj *float64, lda, k, blocks int, alpha float64) {
	panic("probe: no AVX-512")
}
