// Package npz reads and writes NumPy's .npy and .npz array files.
//
// An .npy file holds one array: the magic string "\x93NUMPY", a version (1.0, 2.0 or
// 3.0), a little-endian header length (uint16 for 1.0, uint32 otherwise), and a Python
// dict literal such as
//
//	{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
//
// padded with spaces and a final '\n' so that the data starts at a multiple of 64
// bytes. The raw array data follows. An .npz file is a zip archive of .npy files, one
// per array, named "<name>.npy"; np.savez stores them, np.savez_compressed deflates
// them. Both are read, and both are written (WriteNPZ, WriteNPZCompressed).
//
// # Data model
//
// An Array keeps float data as []float64 (Array.Float) and integer and boolean data as
// []int64 (Array.Int), always in C (row-major) order, with DType naming the on-disk
// element type. Readable dtypes: f4, f8, i1, i2, i4, i8, u1, u2, u4, u8 (values above
// MaxInt64 are an error) and b1, little- or big-endian. The reader converts to the
// in-memory form; an array read as "<f4" therefore round-trips exactly. Arrays are
// written little-endian in C order, in the dtype DType names (float64 values written
// as "<f4" are rounded to nearest; integers are range-checked for narrower types).
// Object, string, complex, datetime and structured dtypes are rejected with an error
// naming the dtype.
//
// fortran_order=True arrays are read and transposed into C order, so Shape and data
// always mean the same thing as numpy's a.shape and a.ravel(order='C'). The writer
// always writes fortran_order=False. Headers are byte-identical to numpy's
// (format 1.0, sorted keys, the 21-digit growth-axis padding, 64-byte alignment).
//
// # Reading archives
//
// ReadNPZ and DecodeNPZ read an archive's zip directory only; each array is read
// when it is first asked for, by name (File.Array, Float64, Float32, Int64, Get),
// or all at once (File.All), and kept. An entry that no one asks for is never
// inflated, so an archive with arrays a command does not use costs it nothing
// and cannot fail it. File.Arrays is for Files built by hand.
//
// # Robustness
//
// Every reader returns an *Error naming the file (or the label passed in) and the
// problem; malformed, truncated or hostile input never panics. Sizes declared in a
// header are checked against the file or zip entry before any allocation: an .npz
// entry's .npy header must account for exactly the size the zip directory
// declares, and an entry that inflates past that size is an error. Before any
// data is read, the memory the array will take (every element held in 8 bytes,
// whatever its dtype on disk) is checked against what the process can have
// (package icl/internal/memlimit); more is refused with an error wrapping a
// *memlimit.Error. Data of unknown length (a plain io.Reader, a deflated entry) is
// read in chunks so a lying header cannot force a large allocation. ReadNPY and
// .npz entries must end exactly where the array data ends; DecodeNPY reads one
// array from a stream and leaves any following bytes unread. Zip checksums are
// verified when an entry is read.
package npz
