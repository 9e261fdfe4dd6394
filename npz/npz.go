package npz

import (
	"icl/atomicfile"
	"icl/internal/named"

	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// File is the content of an .npz archive: either arrays built by hand
// (Arrays), or the entries of an archive opened by ReadNPZ or DecodeNPZ, each
// read only when it is first asked for, by name.
type File struct {
	Name string // path or label, used in error messages
	// Arrays are the arrays of a File built by hand, in order. ReadNPZ and
	// DecodeNPZ leave it nil: their arrays are read by name (Array, Get,
	// Float64, Float32, Int64) or all at once (All).
	Arrays []Array
	index  map[string]int

	mu      sync.Mutex
	entries []*entry          // the archive's arrays, in archive order; nil for a File built by hand
	byName  map[string]*entry // entries by array name
	size    int64             // the archive's size in bytes
	closer  io.Closer         // the file ReadNPZ opened, or nil
	closed  bool
}

// entry is one array of an archive, read on first use.
type entry struct {
	ze   *zip.File
	name string // the array's name: the entry's name without ".npy"
	arr  *Array // the array, once read
	err  error  // why it cannot be read, once that is known for good
}

// lazy reports whether f reads its arrays from an archive.
func (f *File) lazy() bool { return f.byName != nil }

// Names returns the array names in archive order.
func (f *File) Names() []string {
	if f.lazy() {
		names := make([]string, len(f.entries))
		for i, e := range f.entries {
			names[i] = e.name
		}
		return names
	}
	return named.Names(f.Arrays, arrayName)
}

func arrayName(a Array) string { return a.Name }

// Has reports whether f holds an array called name, without reading it.
func (f *File) Has(name string) bool {
	if f.lazy() {
		_, ok := f.byName[name]
		return ok
	}
	_, ok := f.get(name)
	return ok
}

// Array returns the array called name, reading it from the archive on first
// use (the result is kept; later calls return the same Array). An entry is
// inflated only after its .npy header has been checked against the entry's
// declared size and its data against the memory the process can have
// (package memlimit); an entry that inflates past its declared size is an
// error.
func (f *File) Array(name string) (Array, error) {
	return f.lookup(name, nil, anyKind)
}

// Get returns the array called name and whether f holds one. For a File read
// from an archive it reads the entry as Array does; when that fails, Get still
// reports true (the archive holds the array) with a zero Array, and Array,
// Float64, Float32 and Int64 return the error. Use Has to test for an array and
// Array to read one.
func (f *File) Get(name string) (Array, bool) {
	if !f.lazy() {
		return f.get(name)
	}
	if !f.Has(name) {
		return Array{}, false
	}
	a, _ := f.Array(name)
	return a, true
}

// get looks name up in Arrays.
func (f *File) get(name string) (Array, bool) { return named.Find(&f.index, f.Arrays, arrayName, name) }

// All returns every array in archive order (for a File built by hand, Arrays),
// reading each entry as Array does. It stops at the first that cannot be read.
func (f *File) All() ([]Array, error) {
	if !f.lazy() {
		return f.Arrays, nil
	}
	out := make([]Array, 0, len(f.entries))
	for _, e := range f.entries {
		a, err := f.Array(e.name)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Close releases the file ReadNPZ opened. Arrays already read stay valid;
// arrays not yet read can no longer be. Close is a no-op for a File that holds
// no open file, and may be called more than once.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	if f.closer == nil {
		return nil
	}
	c := f.closer
	f.closer = nil
	if err := c.Close(); err != nil {
		return &Error{File: f.Name, Err: err}
	}
	return nil
}

func (f *File) errorf(format string, args ...any) error {
	return &Error{File: f.Name, Err: fmt.Errorf(format, args...)}
}

// kind is the kind of array an accessor needs.
type kind int

const (
	anyKind kind = iota
	floatKind
	intKind
)

// lookup returns the array called name with its shape checked against want, in
// which -1 matches any size (an empty want accepts any shape), and its dtype
// against k. An archive entry's shape and dtype are checked from its .npy
// header, before its data is read.
func (f *File) lookup(name string, want []int, k kind) (Array, error) {
	if !f.lazy() {
		a, ok := f.get(name)
		if !ok {
			return Array{}, f.errorf("array %q missing (have: %s)", name, named.List(f.Names()))
		}
		if err := f.check(name, a.Shape, a.DType, a.Float != nil, a.Int != nil, want, k); err != nil {
			return Array{}, err
		}
		return a, nil
	}
	e, ok := f.byName[name]
	if !ok {
		return Array{}, f.errorf("array %q missing (have: %s)", name, named.List(f.Names()))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e.arr != nil {
		if err := f.check(name, e.arr.Shape, e.arr.DType, e.arr.Float != nil, e.arr.Int != nil, want, k); err != nil {
			return Array{}, err
		}
		return *e.arr, nil
	}
	if e.err != nil {
		return Array{}, e.err
	}
	if f.closed {
		return Array{}, f.errorf("array %q: the file is closed", name)
	}
	a, err := f.readEntry(e, want, k)
	if err != nil {
		return Array{}, err
	}
	return a, nil
}

// check checks an array's shape against want and, from which of its data
// slices it has (or its dtype would fill), its kind against k.
func (f *File) check(name string, shape []int, descr string, hasFloat, hasInt bool, want []int, k kind) error {
	if len(want) > 0 {
		if len(shape) != len(want) {
			return f.errorf("array %q has shape %s but %d dimensions %s are needed", name, pyShape(shape), len(want), wantShape(want))
		}
		for i, w := range want {
			if w >= 0 && shape[i] != w {
				return f.errorf("array %q has shape %s but %s is needed", name, pyShape(shape), wantShape(want))
			}
		}
	}
	switch {
	case k == floatKind && hasInt:
		return f.errorf("array %q has dtype %s but a float array (<f8 or <f4) is needed", name, descr)
	case k == intKind && hasFloat:
		return f.errorf("array %q has dtype %s but an integer array is needed", name, descr)
	}
	return nil
}

// readEntry reads entry e, whose shape and kind must match want and k; f.mu is
// held. Errors in the entry's bytes are kept in e.err; a mismatch with want or
// k, or too little memory, is returned and not kept.
func (f *File) readEntry(e *entry, want []int, k kind) (Array, error) {
	fail := func(err error) (Array, error) {
		e.err = &Error{File: f.Name, Err: fmt.Errorf("entry %q: %w", e.ze.Name, err)}
		return Array{}, e.err
	}
	ze := e.ze
	declared := int64(ze.UncompressedSize64)
	rc, err := ze.Open()
	if err != nil {
		return fail(err)
	}
	defer rc.Close()
	h, err := readHead(rc, declared)
	if err != nil {
		return fail(err)
	}
	if used := h.consumed + h.nbytes; used != declared {
		return fail(fmt.Errorf("trailing bytes after the array data (the entry declares %d bytes, the array is %d)", declared, used))
	}
	if err := f.check(e.name, h.shape, h.dt.canonical(), h.dt.isFloat(), !h.dt.isFloat(), want, k); err != nil {
		return Array{}, err
	}
	// A stored entry that the archive holds in full can be allocated at once;
	// a deflated entry's size is only a claim, so its data is read in chunks.
	prealloc := ze.Method == zip.Store && ze.CompressedSize64 == ze.UncompressedSize64 && declared <= f.size
	if err := checkMemory(h, prealloc); err != nil {
		return Array{}, &Error{File: f.Name, Err: fmt.Errorf("entry %q: %w", ze.Name, err)}
	}
	a, err := readData(rc, h, prealloc)
	if err != nil {
		return fail(err)
	}
	// Reading to EOF makes archive/zip verify the size and the CRC-32; it
	// fails with zip.ErrFormat as soon as the entry inflates past its
	// declared size.
	var one [1]byte
	n, err := io.ReadAtLeast(rc, one[:], 1)
	switch {
	case n > 0 || errors.Is(err, zip.ErrFormat):
		return fail(fmt.Errorf("the entry inflates past its declared size of %d bytes", declared))
	case err != io.EOF:
		return fail(fmt.Errorf("after the array data: %w", err))
	}
	a.Name = e.name
	e.arr = &a
	return a, nil
}

// wantShape formats a wanted shape with * for wildcards: (*, *, 5).
func wantShape(want []int) string {
	parts := make([]string, len(want))
	for i, w := range want {
		if w < 0 {
			parts[i] = "*"
		} else {
			parts[i] = strconv.Itoa(w)
		}
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Float64 returns the data and shape of the float array called name. The data is
// the array's own slice, not a copy. If shape is given, the array must have
// len(shape) dimensions and match every non-negative entry (-1 matches any size).
// An archive entry's shape and dtype are checked before its data is read.
func (f *File) Float64(name string, shape ...int) ([]float64, []int, error) {
	a, err := f.lookup(name, shape, floatKind)
	if err != nil {
		return nil, nil, err
	}
	return a.Float, a.Shape, nil
}

// Float32 is like Float64 but returns a float32 copy of the data.
func (f *File) Float32(name string, shape ...int) ([]float32, []int, error) {
	a, err := f.lookup(name, shape, floatKind)
	if err != nil {
		return nil, nil, err
	}
	return a.Float32(), a.Shape, nil
}

// Int64 returns the data (not a copy) and shape of the integer or boolean array
// called name, with the same shape check as Float64.
func (f *File) Int64(name string, shape ...int) ([]int64, []int, error) {
	a, err := f.lookup(name, shape, intKind)
	if err != nil {
		return nil, nil, err
	}
	return a.Int, a.Shape, nil
}

// zipTime is the fixed modification time of written entries, so that output is a
// pure function of the arrays.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// EncodeNPZ writes arrays as an .npz archive to w, one "<name>.npy" entry per array
// in the given order; compress selects deflate (np.savez_compressed) over stored
// entries (np.savez). Names must be non-empty and distinct.
func EncodeNPZ(w io.Writer, compress bool, arrays ...Array) error {
	if err := validateAll(arrays); err != nil {
		return &Error{Err: err}
	}
	return wrapErr("", encodeNPZ(w, compress, arrays))
}

func validateAll(arrays []Array) error {
	seen := make(map[string]bool, len(arrays))
	for _, a := range arrays {
		if a.Name == "" {
			return errors.New("array with an empty name")
		}
		if seen[a.Name] {
			return fmt.Errorf("duplicate array name %q", a.Name)
		}
		seen[a.Name] = true
		if err := a.Validate(); err != nil {
			return err
		}
	}
	return nil
}

func encodeNPZ(w io.Writer, compress bool, arrays []Array) error {
	zw := zip.NewWriter(w)
	method := zip.Store
	if compress {
		method = zip.Deflate
	}
	for _, a := range arrays {
		ew, err := zw.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: method, Modified: zipTime})
		if err != nil {
			return fmt.Errorf("array %q: %w", a.Name, err)
		}
		if err := encodeNPY(ew, a); err != nil {
			return fmt.Errorf("array %q: %w", a.Name, err)
		}
	}
	return zw.Close()
}

// WriteNPZ writes arrays to path as an uncompressed .npz (like np.savez),
// atomically (temporary file in the same directory, fsync, rename, fsync of the
// directory).
func WriteNPZ(path string, arrays ...Array) error {
	return writeNPZ(path, false, arrays)
}

// WriteNPZCompressed is WriteNPZ with deflated entries (like np.savez_compressed).
func WriteNPZCompressed(path string, arrays ...Array) error {
	return writeNPZ(path, true, arrays)
}

func writeNPZ(path string, compress bool, arrays []Array) error {
	if err := validateAll(arrays); err != nil {
		return &Error{File: path, Err: err}
	}
	return wrapErr(path, atomicfile.Write(path, func(w io.Writer) error { return encodeNPZ(w, compress, arrays) }))
}

// ReadNPZ opens the .npz archive at path and reads its zip directory; the
// arrays are read when they are asked for (see File.Array), so an entry that
// is never asked for is never inflated. The file stays open until f.Close (or
// until f is garbage collected).
func ReadNPZ(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, &Error{File: path, Err: err}
	}
	f, err := DecodeNPZ(fh, st.Size(), path)
	if err != nil {
		fh.Close()
		return nil, err
	}
	f.closer = fh
	return f, nil
}

// DecodeNPZ opens an .npz archive of size bytes in r (size must be the true
// size, as from Stat or len: it bounds allocations); name labels errors and
// becomes File.Name. It reads the zip directory only: every entry must be a
// "<name>.npy" file, stored or deflated, and names must be distinct; directory
// entries are skipped. Each array is read from r when it is first asked for
// (see File.Array), so r must stay readable while f is in use.
func DecodeNPZ(r io.ReaderAt, size int64, name string) (*File, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &Error{File: name, Err: fmt.Errorf("not a valid .npz (zip) archive: %w", err)}
	}
	f := &File{Name: name, byName: make(map[string]*entry, len(zr.File)), size: size}
	for _, ze := range zr.File {
		if strings.HasSuffix(ze.Name, "/") && ze.UncompressedSize64 == 0 {
			continue
		}
		if err := checkEntry(ze); err != nil {
			return nil, &Error{File: name, Err: fmt.Errorf("entry %q: %w", ze.Name, err)}
		}
		e := &entry{ze: ze, name: strings.TrimSuffix(ze.Name, ".npy")}
		if _, dup := f.byName[e.name]; dup {
			return nil, &Error{File: name, Err: fmt.Errorf("entry %q: duplicate array name %q", ze.Name, e.name)}
		}
		f.byName[e.name] = e
		f.entries = append(f.entries, e)
	}
	return f, nil
}

// checkEntry checks what the zip directory says of an entry.
func checkEntry(ze *zip.File) error {
	if !strings.HasSuffix(ze.Name, ".npy") {
		return errors.New("not an .npy file (want <name>.npy)")
	}
	if ze.Method != zip.Store && ze.Method != zip.Deflate {
		return fmt.Errorf("unsupported compression method %d (want stored or deflate)", ze.Method)
	}
	if ze.UncompressedSize64 > 1<<62 {
		return fmt.Errorf("declared size %d is too large", ze.UncompressedSize64)
	}
	return nil
}
