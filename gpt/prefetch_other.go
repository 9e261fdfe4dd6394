//go:build !amd64 || purego

package gpt

// prefetchRows hints the cache lines of the rows x[r*stride : r*stride+width],
// r < rows, into the caches ahead of their use; here it does nothing.
func prefetchRows(x []float32, rows, stride, width int) {}
