//go:build amd64 && !purego

package vecmath

//go:noescape
func logLikRowsAVX512(ll, lm, f, y, inv, lg *float64, groups, n int)
