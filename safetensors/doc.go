// Package safetensors reads and writes the safetensors tensor file format.
//
// A file is an 8-byte little-endian unsigned header length N, N bytes of JSON
//
//	{"__metadata__": {"key": "value", ...},
//	 "wpe": {"dtype": "F32", "shape": [82, 256], "data_offsets": [0, 83968]}, ...}
//
// (padded with spaces so that the data starts 8-byte aligned), then the byte buffer
// that the data_offsets index, relative to its start. Tensors are little-endian and
// row-major.
//
// Tensors are float32 in memory. The writer writes F32. The reader accepts F32 and
// converts F16 and BF16 (exactly) and F64 (rounded to nearest float32); other dtypes
// (integers, BOOL, 8-bit floats) are rejected with an "unsupported dtype" error.
//
// # Validation
//
// Read is strict, as the reference implementation is: the header length must fit in
// the file (and be at most 100 MB); the header must be one JSON object starting with
// '{', followed only by whitespace; names must be unique; "__metadata__" must map
// strings to strings; every tensor needs exactly the keys dtype, shape and
// data_offsets; dimensions and offsets must be non-negative integers; end-begin must
// equal the product of the shape times the dtype size; and, sorted by offset, the
// tensors must tile the byte buffer exactly: no overlap, no gap, no bytes after the
// last tensor. Every error is an *Error naming the file and the problem. Sizes are
// checked against the file size before anything is allocated.
//
// WriteFile writes atomically: a temporary file in the same directory, fsync, rename,
// fsync of the directory.
package safetensors
