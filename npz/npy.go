package npz

import (
	"path/filepath"

	"icl/atomicfile"
	"icl/internal/memlimit"

	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// Error is the error type of every reader and writer in this package. It names the
// file (a path, or the label given to a Decode function) and the problem.
type Error struct {
	File string // path or label; "npz" when none was given
	Err  error  // the problem; may wrap io.ErrUnexpectedEOF, zip errors, os errors
}

func (e *Error) Error() string {
	f := e.File
	if f == "" {
		f = "npz"
	}
	return f + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

func wrapErr(file string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{File: file, Err: err}
}

// Array is one n-dimensional array in C (row-major) order.
//
// Exactly one of Float and Int holds the data, according to DType: float dtypes
// ("<f8", "<f4") use Float, integer and boolean dtypes ("<i8", "<i4", "<i2", "|i1",
// "<u8", "<u4", "<u2", "|u1", "|b1") use Int. len(data) must equal the product of
// Shape (1 for a scalar, Shape == nil or empty).
type Array struct {
	Name  string
	Shape []int
	// DType is the element type on disk, as a numpy descr. Readers set the
	// little-endian form of the file's dtype (a ">f8" array reads as "<f8"). Writers
	// write this type; "" means "<f8" when Float is set and "<i8" otherwise.
	DType string
	Float []float64 // data of float arrays
	Int   []int64   // data of integer and boolean arrays (booleans are 0 or 1)
}

// NewFloat64 returns a "<f8" array that shares data.
func NewFloat64(name string, shape []int, data []float64) Array {
	return Array{Name: name, Shape: shape, DType: "<f8", Float: data}
}

// NewFloat32 returns a "<f4" array holding a float64 copy of data (exact).
func NewFloat32(name string, shape []int, data []float32) Array {
	f := make([]float64, len(data))
	for i, v := range data {
		f[i] = float64(v)
	}
	return Array{Name: name, Shape: shape, DType: "<f4", Float: f}
}

// NewInt64 returns a "<i8" array that shares data.
func NewInt64(name string, shape []int, data []int64) Array {
	return Array{Name: name, Shape: shape, DType: "<i8", Int: data}
}

// Len returns the number of elements the shape describes (1 for a scalar), or -1
// if a dimension is negative or the product overflows.
func (a Array) Len() int {
	n, _, err := numElems(a.Shape, 1)
	if err != nil {
		return -1
	}
	return int(n)
}

// Float32 returns the float data converted to float32 (rounded to nearest), or nil
// for an integer array.
func (a Array) Float32() []float32 {
	if a.Float == nil {
		return nil
	}
	f := make([]float32, len(a.Float))
	for i, v := range a.Float {
		f[i] = float32(v)
	}
	return f
}

// dtype returns the dtype a will be written as.
func (a Array) dtype() (dtype, error) {
	descr := a.DType
	if descr == "" {
		descr = "<i8"
		if a.Float != nil {
			descr = "<f8"
		}
	}
	dt, err := parseDType(descr)
	if err != nil {
		return dtype{}, err
	}
	if dt.big {
		return dtype{}, fmt.Errorf("descr %q: only little-endian arrays are written", descr)
	}
	return dt, nil
}

// Validate reports whether a can be written: a known little-endian dtype, a
// non-negative shape whose product matches the length of the data slice the dtype
// uses, the other slice nil, and integer values within the dtype's range.
func (a Array) Validate() error {
	dt, err := a.dtype()
	if err != nil {
		return fmt.Errorf("array %q: %v", a.Name, err)
	}
	n, _, err := numElems(a.Shape, dt.size)
	if err != nil {
		return fmt.Errorf("array %q: %v", a.Name, err)
	}
	if dt.isFloat() {
		if a.Int != nil {
			return fmt.Errorf("array %q: dtype %s is a float type but Int is set", a.Name, dt.canonical())
		}
		if int64(len(a.Float)) != n {
			return fmt.Errorf("array %q: shape %s has %d elements but Float has %d", a.Name, pyShape(a.Shape), n, len(a.Float))
		}
		return nil
	}
	if a.Float != nil {
		return fmt.Errorf("array %q: dtype %s is an integer type but Float is set", a.Name, dt.canonical())
	}
	if int64(len(a.Int)) != n {
		return fmt.Errorf("array %q: shape %s has %d elements but Int has %d", a.Name, pyShape(a.Shape), n, len(a.Int))
	}
	lo, hi := intRange(dt)
	for i, v := range a.Int {
		if v < lo || v > hi {
			return fmt.Errorf("array %q: element %d = %d is out of range [%d, %d] of dtype %s", a.Name, i, v, lo, hi, dt.canonical())
		}
	}
	return nil
}

// intRange is the range of int64 values representable in an integer dtype.
func intRange(dt dtype) (lo, hi int64) {
	switch dt.kind {
	case 'b':
		return 0, 1
	case 'u':
		if dt.size == 8 {
			return 0, math.MaxInt64
		}
		return 0, 1<<(8*dt.size) - 1
	default:
		if dt.size == 8 {
			return math.MinInt64, math.MaxInt64
		}
		return -1 << (8*dt.size - 1), 1<<(8*dt.size-1) - 1
	}
}

// chunkBytes is the read/write buffer size; a multiple of every item size.
const chunkBytes = 1 << 16

// EncodeNPY writes a as an .npy file (format 1.0, C order, little-endian) to w.
// The bytes are identical to numpy's np.save of the same array.
func EncodeNPY(w io.Writer, a Array) error {
	if err := a.Validate(); err != nil {
		return &Error{Err: err}
	}
	if err := encodeNPY(w, a); err != nil {
		return &Error{Err: fmt.Errorf("array %q: %w", a.Name, err)}
	}
	return nil
}

// encodeNPY writes a, which must be valid.
func encodeNPY(w io.Writer, a Array) error {
	dt, _ := a.dtype()
	hdr, err := formatHeader(dt.canonical(), a.Shape)
	if err != nil {
		return err
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	buf := make([]byte, 0, chunkBytes)
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	le := binary.LittleEndian
	if dt.isFloat() {
		for _, v := range a.Float {
			if len(buf)+8 > chunkBytes {
				if err := flush(); err != nil {
					return err
				}
			}
			if dt.size == 4 {
				buf = le.AppendUint32(buf, math.Float32bits(float32(v)))
			} else {
				buf = le.AppendUint64(buf, math.Float64bits(v))
			}
		}
		return flush()
	}
	for _, v := range a.Int {
		if len(buf)+8 > chunkBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		switch dt.size {
		case 1:
			buf = append(buf, byte(v))
		case 2:
			buf = le.AppendUint16(buf, uint16(v))
		case 4:
			buf = le.AppendUint32(buf, uint32(v))
		default:
			buf = le.AppendUint64(buf, uint64(v))
		}
	}
	return flush()
}

// DecodeNPY reads one .npy array from r; name labels errors and becomes Array.Name.
// It reads exactly the header and the data and leaves any following bytes unread.
// Since r's length is unknown, data is read in chunks: memory grows only with the
// bytes actually present.
func DecodeNPY(r io.Reader, name string) (Array, error) {
	a, _, err := decodeNPY(r, -1, false)
	if err != nil {
		return Array{}, wrapErr(name, err)
	}
	a.Name = name
	return a, nil
}

// readFull reads len(b) bytes, describing a short read as truncation of what.
func readFull(r io.Reader, b []byte, what string) error {
	n, err := io.ReadFull(r, b)
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated in %s: got %d of %d bytes: %w", what, n, len(b), io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

// npyHead is a parsed .npy preamble: the header dict, the number of elements and
// data bytes it declares, and the bytes the preamble took.
type npyHead struct {
	header
	n, nbytes int64
	consumed  int64
}

// decodeNPY reads one array. limit is the number of bytes available in r (the file
// or zip entry size), or -1 if unknown. With prealloc, limit is trusted and the data
// slice is allocated at once. It returns the number of bytes consumed.
func decodeNPY(r io.Reader, limit int64, prealloc bool) (Array, int64, error) {
	h, err := readHead(r, limit)
	if err != nil {
		return Array{}, 0, err
	}
	if err := checkMemory(h, prealloc); err != nil {
		return Array{}, 0, err
	}
	a, err := readData(r, h, prealloc)
	if err != nil {
		return Array{}, 0, err
	}
	return a, h.consumed + h.nbytes, nil
}

// readHead reads the preamble of an .npy file: magic, version, header length and
// header dict. limit is as for decodeNPY; a header or data larger than limit is an
// error wrapping io.ErrUnexpectedEOF.
func readHead(r io.Reader, limit int64) (npyHead, error) {
	var pre [12]byte
	if err := readFull(r, pre[:8], "the magic string"); err != nil {
		return npyHead{}, err
	}
	if string(pre[:6]) != magic {
		return npyHead{}, fmt.Errorf("not an .npy file: starts with %q, want %q", pre[:6], magic)
	}
	major, minor := pre[6], pre[7]
	var hlen, prefix int64
	switch {
	case major == 1 && minor == 0:
		if err := readFull(r, pre[8:10], "the header length"); err != nil {
			return npyHead{}, err
		}
		hlen, prefix = int64(binary.LittleEndian.Uint16(pre[8:10])), 10
	case (major == 2 || major == 3) && minor == 0:
		if err := readFull(r, pre[8:12], "the header length"); err != nil {
			return npyHead{}, err
		}
		hlen, prefix = int64(binary.LittleEndian.Uint32(pre[8:12])), 12
	default:
		return npyHead{}, fmt.Errorf("unsupported .npy format version %d.%d (want 1.0, 2.0 or 3.0)", major, minor)
	}
	if limit >= 0 && prefix+hlen > limit {
		return npyHead{}, fmt.Errorf("truncated: header length is %d bytes but only %d follow: %w", hlen, limit-prefix, io.ErrUnexpectedEOF)
	}
	if hlen > maxHeaderLen {
		return npyHead{}, fmt.Errorf("header length %d exceeds the limit of %d bytes", hlen, maxHeaderLen)
	}
	hb := make([]byte, hlen)
	if err := readFull(r, hb, "the header"); err != nil {
		return npyHead{}, err
	}
	hd, err := parseHeader(string(hb))
	if err != nil {
		return npyHead{}, err
	}
	h := npyHead{header: hd, consumed: prefix + hlen}
	if h.n, h.nbytes, err = numElems(h.shape, h.dt.size); err != nil {
		return npyHead{}, err
	}
	if limit >= 0 && h.nbytes > limit-h.consumed {
		return npyHead{}, fmt.Errorf("truncated: shape %s of %s needs %d data bytes, only %d present: %w",
			pyShape(h.shape), h.descr, h.nbytes, limit-h.consumed, io.ErrUnexpectedEOF)
	}
	return h, nil
}

// checkMemoryAbove is the estimate below which checkMemory does not ask memlimit:
// reading the system's figures costs more than such an array.
const checkMemoryAbove = 1 << 20

// memoryNeed estimates the peak bytes of reading the data h declares: every
// element is held in 8 bytes (float64 or int64, whatever its dtype on disk);
// without prealloc the slice grows as data arrives, its old and new backing
// arrays both alive while it is copied (at most twice its final size, see
// grow); a Fortran-order array is copied once more into C order.
func memoryNeed(h npyHead, prealloc bool) (bytes float64, copies int) {
	copies = 1
	if !prealloc {
		copies = 2
	}
	if h.fortran && len(h.shape) > 1 {
		copies++
	}
	return float64(copies) * 8 * float64(h.n), copies
}

// checkMemory refuses, before any of it is read, data that the header declares
// larger than the memory this process can have (package memlimit): a hostile or
// mistaken header must not get the process killed for memory. The error is a
// *memlimit.Error.
func checkMemory(h npyHead, prealloc bool) error {
	need, copies := memoryNeed(h, prealloc)
	if need < checkMemoryAbove {
		return nil
	}
	return memlimit.Check("reading the array", memlimit.Part{
		What:     fmt.Sprintf("its %d elements at 8 bytes each in memory (%d copies while read)", h.n, copies),
		Bytes:    need,
		Settings: fmt.Sprintf("the .npy header's shape %s of %s", pyShape(h.shape), h.descr),
	})
}

// readData reads the data of h from r and returns the array in C order. With
// prealloc the data slice is allocated at once; otherwise it grows with the bytes
// that actually arrive, so a header that claims more than r holds costs no more
// than what r holds.
func readData(r io.Reader, h npyHead, prealloc bool) (Array, error) {
	a := Array{Shape: h.shape, DType: h.dt.canonical()}
	capacity := h.n
	if !prealloc {
		capacity = min(h.n, chunkBytes)
	}
	if h.dt.isFloat() {
		a.Float = make([]float64, 0, capacity)
	} else {
		a.Int = make([]int64, 0, capacity)
	}
	buf := make([]byte, min(h.nbytes, chunkBytes))
	for done := int64(0); done < h.nbytes; {
		b := buf[:min(int64(len(buf)), h.nbytes-done)]
		if got, err := io.ReadFull(r, b); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return Array{}, fmt.Errorf("truncated: shape %s of %s needs %d data bytes, got %d: %w",
					pyShape(h.shape), h.descr, h.nbytes, done+int64(got), io.ErrUnexpectedEOF)
			}
			return Array{}, fmt.Errorf("reading array data: %w", err)
		}
		items := len(b) / h.dt.size
		var err error
		if h.dt.isFloat() {
			a.Float = appendFloats(grow(a.Float, items, h.n), b, h.dt)
		} else if a.Int, err = appendInts(grow(a.Int, items, h.n), b, h.dt); err != nil {
			return Array{}, err
		}
		done += int64(len(b))
	}
	if h.fortran && len(h.shape) > 1 {
		if a.Float != nil {
			a.Float = fortranToC(a.Float, h.shape)
		} else {
			a.Int = fortranToC(a.Int, h.shape)
		}
	}
	return a, nil
}

// grow returns s with room for add more elements, never more than n in all: the
// capacity doubles up to n, so the old and the new backing arrays together never
// exceed twice n elements (what memoryNeed counts).
func grow[T any](s []T, add int, n int64) []T {
	if cap(s)-len(s) >= add {
		return s
	}
	c := min(n, max(2*int64(cap(s)), int64(len(s)+add)))
	t := make([]T, len(s), c)
	copy(t, s)
	return t
}

func byteOrder(dt dtype) binary.ByteOrder {
	if dt.big {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// appendFloats decodes b (a whole number of items) and appends the values to dst.
func appendFloats(dst []float64, b []byte, dt dtype) []float64 {
	bo := byteOrder(dt)
	if dt.size == 4 {
		for i := 0; i+4 <= len(b); i += 4 {
			dst = append(dst, float64(math.Float32frombits(bo.Uint32(b[i:]))))
		}
		return dst
	}
	for i := 0; i+8 <= len(b); i += 8 {
		dst = append(dst, math.Float64frombits(bo.Uint64(b[i:])))
	}
	return dst
}

// appendInts decodes b (a whole number of items) and appends the values to dst.
func appendInts(dst []int64, b []byte, dt dtype) ([]int64, error) {
	bo := byteOrder(dt)
	signed := dt.kind == 'i'
	for i := 0; i+dt.size <= len(b); i += dt.size {
		var v int64
		switch dt.size {
		case 1:
			if signed {
				v = int64(int8(b[i]))
			} else {
				v = int64(b[i])
			}
		case 2:
			u := bo.Uint16(b[i:])
			if signed {
				v = int64(int16(u))
			} else {
				v = int64(u)
			}
		case 4:
			u := bo.Uint32(b[i:])
			if signed {
				v = int64(int32(u))
			} else {
				v = int64(u)
			}
		default:
			u := bo.Uint64(b[i:])
			if !signed && u > math.MaxInt64 {
				return nil, fmt.Errorf("element %d = %d of a uint64 array does not fit in int64", len(dst), u)
			}
			v = int64(u)
		}
		if dt.kind == 'b' && v != 0 {
			v = 1
		}
		dst = append(dst, v)
	}
	return dst, nil
}

// fortranToC reorders column-major data of the given shape into row-major order.
func fortranToC[T any](src []T, shape []int) []T {
	dst := make([]T, len(src))
	if len(src) == 0 {
		return dst
	}
	nd := len(shape)
	cstride := make([]int, nd) // (nd) C-order strides in elements
	s := 1
	for j := nd - 1; j >= 0; j-- {
		cstride[j] = s
		s *= shape[j]
	}
	idx := make([]int, nd)
	pos := 0
	for k := range src {
		dst[pos] = src[k]
		for j := 0; j < nd; j++ { // advance the multi-index, first axis fastest
			idx[j]++
			pos += cstride[j]
			if idx[j] < shape[j] {
				break
			}
			pos -= idx[j] * cstride[j]
			idx[j] = 0
		}
	}
	return dst
}

// ReadNPY reads the .npy file at path. The file must end where the array data ends.
// The returned Array's Name is the file's base name without ".npy".
func ReadNPY(path string) (Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return Array{}, &Error{File: path, Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Array{}, &Error{File: path, Err: err}
	}
	a, used, err := decodeNPY(bufio.NewReaderSize(f, chunkBytes), st.Size(), true)
	if err != nil {
		return Array{}, &Error{File: path, Err: err}
	}
	if extra := st.Size() - used; extra != 0 {
		return Array{}, &Error{File: path, Err: fmt.Errorf("%d trailing bytes after the array data", extra)}
	}
	a.Name = strings.TrimSuffix(filepath.Base(path), ".npy")
	return a, nil
}

// WriteNPY writes a to path atomically (a temporary file in the same directory,
// fsync, rename, fsync of the directory).
func WriteNPY(path string, a Array) error {
	if err := a.Validate(); err != nil {
		return &Error{File: path, Err: err}
	}
	return wrapErr(path, atomicfile.Write(path, func(w io.Writer) error { return encodeNPY(w, a) }))
}
