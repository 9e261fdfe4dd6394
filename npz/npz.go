package npz

import (
	"icl/atomicfile"

	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// File is the content of an .npz archive.
type File struct {
	Name   string  // path or label, used in error messages
	Arrays []Array // in archive order
	index  map[string]int
}

// Names returns the array names in archive order.
func (f *File) Names() []string {
	names := make([]string, len(f.Arrays))
	for i, a := range f.Arrays {
		names[i] = a.Name
	}
	return names
}

// Get returns the array called name.
func (f *File) Get(name string) (Array, bool) {
	if f.index == nil {
		f.buildIndex()
	}
	i, ok := f.index[name]
	if !ok {
		return Array{}, false
	}
	return f.Arrays[i], true
}

func (f *File) buildIndex() {
	f.index = make(map[string]int, len(f.Arrays))
	for i, a := range f.Arrays {
		if _, dup := f.index[a.Name]; !dup {
			f.index[a.Name] = i
		}
	}
}

func (f *File) errorf(format string, args ...any) error {
	return &Error{File: f.Name, Err: fmt.Errorf(format, args...)}
}

// lookup returns the array called name with its shape checked against want, in
// which -1 matches any size; an empty want accepts any shape.
func (f *File) lookup(name string, want []int) (Array, error) {
	a, ok := f.Get(name)
	if !ok {
		return Array{}, f.errorf("array %q missing (have: %s)", name, listNames(f.Names()))
	}
	if len(want) == 0 {
		return a, nil
	}
	if len(a.Shape) != len(want) {
		return Array{}, f.errorf("array %q has shape %s but %d dimensions %s are needed", name, pyShape(a.Shape), len(want), wantShape(want))
	}
	for i, w := range want {
		if w >= 0 && a.Shape[i] != w {
			return Array{}, f.errorf("array %q has shape %s but %s is needed", name, pyShape(a.Shape), wantShape(want))
		}
	}
	return a, nil
}

// listNames lists up to 12 names for an error message.
func listNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	const most = 12
	if len(names) > most {
		return strings.Join(names[:most], ", ") + fmt.Sprintf(", ... (%d more)", len(names)-most)
	}
	return strings.Join(names, ", ")
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
func (f *File) Float64(name string, shape ...int) ([]float64, []int, error) {
	a, err := f.lookup(name, shape)
	if err != nil {
		return nil, nil, err
	}
	if a.Int != nil {
		return nil, nil, f.errorf("array %q has dtype %s but a float array (<f8 or <f4) is needed", name, a.DType)
	}
	return a.Float, a.Shape, nil
}

// Float32 is like Float64 but returns a float32 copy of the data.
func (f *File) Float32(name string, shape ...int) ([]float32, []int, error) {
	a, err := f.lookup(name, shape)
	if err != nil {
		return nil, nil, err
	}
	if a.Int != nil {
		return nil, nil, f.errorf("array %q has dtype %s but a float array (<f8 or <f4) is needed", name, a.DType)
	}
	return a.Float32(), a.Shape, nil
}

// Int64 returns the data (not a copy) and shape of the integer or boolean array
// called name, with the same shape check as Float64.
func (f *File) Int64(name string, shape ...int) ([]int64, []int, error) {
	a, err := f.lookup(name, shape)
	if err != nil {
		return nil, nil, err
	}
	if a.Float != nil {
		return nil, nil, f.errorf("array %q has dtype %s but an integer array is needed", name, a.DType)
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

// ReadNPZ reads the .npz archive at path.
func ReadNPZ(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	return DecodeNPZ(fh, st.Size(), path)
}

// DecodeNPZ reads an .npz archive of size bytes from r (size must be the true
// size, as from Stat or len: it bounds allocations); name labels errors and
// becomes File.Name. Every entry must be a "<name>.npy" file holding exactly one
// array; directory entries are skipped; duplicate names are an error.
func DecodeNPZ(r io.ReaderAt, size int64, name string) (*File, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &Error{File: name, Err: fmt.Errorf("not a valid .npz (zip) archive: %w", err)}
	}
	f := &File{Name: name, index: make(map[string]int, len(zr.File))}
	for _, ze := range zr.File {
		if strings.HasSuffix(ze.Name, "/") && ze.UncompressedSize64 == 0 {
			continue
		}
		a, err := decodeEntry(ze, size)
		if err != nil {
			return nil, &Error{File: name, Err: fmt.Errorf("entry %q: %w", ze.Name, err)}
		}
		if _, dup := f.index[a.Name]; dup {
			return nil, &Error{File: name, Err: fmt.Errorf("entry %q: duplicate array name %q", ze.Name, a.Name)}
		}
		f.index[a.Name] = len(f.Arrays)
		f.Arrays = append(f.Arrays, a)
	}
	return f, nil
}

func decodeEntry(ze *zip.File, archiveSize int64) (Array, error) {
	if !strings.HasSuffix(ze.Name, ".npy") {
		return Array{}, errors.New("not an .npy file (want <name>.npy)")
	}
	if ze.Method != zip.Store && ze.Method != zip.Deflate {
		return Array{}, fmt.Errorf("unsupported compression method %d (want stored or deflate)", ze.Method)
	}
	declared := ze.UncompressedSize64
	if declared > 1<<62 {
		return Array{}, fmt.Errorf("declared size %d is too large", declared)
	}
	rc, err := ze.Open()
	if err != nil {
		return Array{}, err
	}
	defer rc.Close()
	// A stored entry no larger than the archive can be allocated at once; a
	// deflated entry's size is only a claim, so its data is read in chunks.
	prealloc := ze.Method == zip.Store && int64(declared) <= archiveSize
	a, used, err := decodeNPY(rc, int64(declared), prealloc)
	if err != nil {
		return Array{}, err
	}
	// Reading to EOF makes archive/zip verify the size and the CRC-32.
	var one [1]byte
	n, err := io.ReadAtLeast(rc, one[:], 1)
	if n > 0 {
		return Array{}, fmt.Errorf("trailing bytes after the array data (the entry declares %d bytes, the array is %d)", declared, used)
	}
	if err != io.EOF {
		return Array{}, fmt.Errorf("after the array data: %w", err)
	}
	a.Name = strings.TrimSuffix(ze.Name, ".npy")
	return a, nil
}
