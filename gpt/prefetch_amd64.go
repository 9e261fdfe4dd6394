//go:build amd64 && !purego

package gpt

//go:noescape
func prefetchRowsAsm(p *float32, rows, stride, width int)

// prefetchRows hints the cache lines of the rows x[r*stride : r*stride+width],
// r < rows, into the caches ahead of their use: a hint that changes no value.
// The rows must lie within x.
func prefetchRows(x []float32, rows, stride, width int) {
	if rows <= 0 || width <= 0 {
		return
	}
	_ = x[(rows-1)*stride+width-1]
	prefetchRowsAsm(&x[0], rows, stride, width)
}
