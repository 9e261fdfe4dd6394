//go:build amd64 && !purego

package probe

import "golang.org/x/sys/cpu"

// gramBlockAVX512 sets the 4 x 16 block of gramUpper at c (rows ldc apart)
// from the columns of a at ai (4 of them) and aj (16), rows lda apart, over k
// >= 1 rows. A term whose alpha a[l][i] is 0 is added (as +-0), which leaves
// a sum that starts at +0 as it is: the same bits as leaving it out.
//
//go:noescape
func gramBlockAVX512(c *float64, ldc int, ai, aj *float64, lda, k int, alpha float64)

// gramColAVX512 sets dst[r], r < 8*blocks (blocks 1 or 4), to element
// (i0 + r, j) of gramUpper, a's column i0 at ai and j at aj: the rows of a
// column past the last 16-column block.
//
//go:noescape
func gramColAVX512(dst *float64, ai, aj *float64, lda, k, blocks int, alpha float64)

var useGramAVX512 = cpu.X86.HasAVX512F
