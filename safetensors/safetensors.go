package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"icl/internal/named"
	"io"
	"math"
	"math/bits"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Error is the error type of every reader and writer in this package.
type Error struct {
	File string // path; "safetensors" when none is known
	Err  error
}

func (e *Error) Error() string {
	f := e.File
	if f == "" {
		f = "safetensors"
	}
	return f + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Tensor is a named float32 tensor in row-major order; len(Data) is the product of
// Shape (1 for a scalar with an empty Shape).
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// File is the content of a safetensors file.
type File struct {
	Name    string            // path given to ReadFile; "" after Read
	Meta    map[string]string // the "__metadata__" object; empty if absent
	Tensors []Tensor          // in data-offset order
	index   map[string]int
}

// Names returns the tensor names in data-offset order.
func (f *File) Names() []string {
	return named.Names(f.Tensors, tensorName)
}

func tensorName(t Tensor) string { return t.Name }

// Get returns the tensor called name.
func (f *File) Get(name string) (Tensor, bool) {
	return named.Find(&f.index, f.Tensors, tensorName, name)
}

// Float32 returns the data (not a copy) of the tensor called name, whose shape must
// equal shape, where -1 matches any size.
func (f *File) Float32(name string, shape ...int) ([]float32, error) {
	t, ok := f.Get(name)
	if !ok {
		return nil, &Error{File: f.Name, Err: fmt.Errorf("tensor %q missing (have: %s)", name, named.List(f.Names()))}
	}
	match := len(t.Shape) == len(shape)
	for i := 0; match && i < len(shape); i++ {
		match = shape[i] < 0 || shape[i] == t.Shape[i]
	}
	if !match {
		want := make([]string, len(shape))
		for i, s := range shape {
			want[i] = "*"
			if s >= 0 {
				want[i] = strconv.Itoa(s)
			}
		}
		return nil, &Error{File: f.Name, Err: fmt.Errorf("tensor %q has shape %v but [%s] is needed", name, t.Shape, strings.Join(want, " "))}
	}
	return t.Data, nil
}

// dtypeSize gives the element size of every dtype the format defines; supported
// marks the ones this package converts to float32.
var dtypeSize = map[string]int{
	"F64": 8, "F32": 4, "F16": 2, "BF16": 2,
	"I64": 8, "I32": 4, "I16": 2, "I8": 1,
	"U64": 8, "U32": 4, "U16": 2, "U8": 1,
	"BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1,
}

func supported(dtype string) bool {
	return dtype == "F32" || dtype == "F64" || dtype == "F16" || dtype == "BF16"
}

// maxHeader is the reference implementation's limit on the header length.
const maxHeader = 100_000_000

// entry is one tensor as the header describes it.
type entry struct {
	name       string
	dtype      string
	shape      []int
	begin, end int64
}

// ReadFile reads the safetensors file at path.
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	f, err := Read(fh, st.Size())
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.File = path
		}
		return nil, err
	}
	f.Name = path
	return f, nil
}

// Read reads a safetensors file of size bytes from r; size must be the true size
// (as from Stat or len), since it bounds every allocation.
func Read(r io.ReaderAt, size int64) (*File, error) {
	f, err := read(r, size)
	if err != nil {
		return nil, &Error{Err: err}
	}
	return f, nil
}

func readAt(r io.ReaderAt, b []byte, off int64) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("reading %d bytes at offset %d: %w", len(b), off, err)
}

func read(r io.ReaderAt, size int64) (*File, error) {
	if size < 8 {
		return nil, fmt.Errorf("truncated: file has %d bytes, need at least 8 for the header length: %w", size, io.ErrUnexpectedEOF)
	}
	var pre [8]byte
	if err := readAt(r, pre[:], 0); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint64(pre[:])
	if n > uint64(size-8) {
		return nil, fmt.Errorf("truncated: header says %d bytes, file has %d (%d after the 8-byte length): %w", n, size, size-8, io.ErrUnexpectedEOF)
	}
	if n > maxHeader {
		return nil, fmt.Errorf("header length %d exceeds the limit of %d bytes", n, maxHeader)
	}
	hdr := make([]byte, n)
	if err := readAt(r, hdr, 8); err != nil {
		return nil, err
	}
	meta, entries, err := parseHeader(hdr)
	if err != nil {
		return nil, err
	}
	bodyStart := 8 + int64(n)
	bodySize := size - bodyStart
	for _, e := range entries {
		if err := e.check(bodySize); err != nil {
			return nil, err
		}
	}
	if err := checkTiling(entries, bodySize); err != nil {
		return nil, err
	}
	f := &File{Meta: meta, Tensors: make([]Tensor, len(entries)), index: make(map[string]int, len(entries))}
	buf := make([]byte, 1<<16) // a multiple of every dtype size
	for i, e := range entries {
		t, err := readTensor(r, bodyStart, e, buf)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", e.name, err)
		}
		f.Tensors[i] = t
		f.index[e.name] = i
	}
	return f, nil
}

// check validates one entry against the body size.
func (e *entry) check(bodySize int64) error {
	size, ok := dtypeSize[e.dtype]
	if !ok {
		return fmt.Errorf("tensor %q: unknown dtype %q", e.name, e.dtype)
	}
	if !supported(e.dtype) {
		return fmt.Errorf("tensor %q: unsupported dtype %s (this reader reads F32, F64, F16, BF16 as float32)", e.name, e.dtype)
	}
	if e.begin > e.end {
		return fmt.Errorf("tensor %q: data_offsets [%d, %d] end before they begin", e.name, e.begin, e.end)
	}
	if e.end > bodySize {
		return fmt.Errorf("tensor %q: data_offsets [%d, %d] run past the end of the data (%d bytes): %w", e.name, e.begin, e.end, bodySize, io.ErrUnexpectedEOF)
	}
	nbytes, ok := byteSize(e.shape, size)
	if !ok {
		return fmt.Errorf("tensor %q: shape %v x %d bytes overflows", e.name, e.shape, size)
	}
	if e.end-e.begin != nbytes {
		return fmt.Errorf("tensor %q: data_offsets [%d, %d] do not match shape %v x %d bytes = %d", e.name, e.begin, e.end, e.shape, size, nbytes)
	}
	return nil
}

// byteSize returns prod(shape)*size, or false on overflow past 2^62.
func byteSize(shape []int, size int) (int64, bool) {
	p := uint64(size)
	for _, s := range shape {
		if s < 0 {
			return 0, false
		}
		hi, lo := bits.Mul64(p, uint64(s))
		if hi != 0 || lo > 1<<62 {
			return 0, false
		}
		p = lo
	}
	return int64(p), true
}

// checkTiling sorts entries by offset and checks that they cover [0, bodySize)
// exactly once.
func checkTiling(entries []entry, bodySize int64) error {
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].begin != entries[j].begin {
			return entries[i].begin < entries[j].begin
		}
		return entries[i].end < entries[j].end
	})
	var pos int64
	for i, e := range entries {
		switch {
		case e.begin < pos:
			p := entries[i-1]
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] overlap tensor %q [%d, %d]", e.name, e.begin, e.end, p.name, p.begin, p.end)
		case e.begin > pos:
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] leave a gap of %d bytes after offset %d", e.name, e.begin, e.end, e.begin-pos, pos)
		}
		pos = e.end
	}
	if pos != bodySize {
		return fmt.Errorf("%d bytes of data after the last tensor (data is %d bytes, tensors cover %d)", bodySize-pos, bodySize, pos)
	}
	return nil
}

// readTensor reads and converts the data of e, using buf as scratch.
func readTensor(r io.ReaderAt, bodyStart int64, e entry, buf []byte) (Tensor, error) {
	size := dtypeSize[e.dtype]
	t := Tensor{Name: e.name, Shape: e.shape, Data: make([]float32, (e.end-e.begin)/int64(size))}
	chunk := int64(len(buf))
	out := t.Data
	for off := e.begin; off < e.end; {
		b := buf[:min(chunk, e.end-off)]
		if err := readAt(r, b, bodyStart+off); err != nil {
			return Tensor{}, err
		}
		switch e.dtype {
		case "F32":
			for i := range len(b) / 4 {
				out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		case "F64":
			for i := range len(b) / 8 {
				out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
			}
		case "F16":
			for i := range len(b) / 2 {
				out[i] = f16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
			}
		case "BF16":
			for i := range len(b) / 2 {
				out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
			}
		}
		out = out[len(b)/size:]
		off += int64(len(b))
	}
	return t, nil
}

// f16ToF32 converts an IEEE 754 binary16 value to float32 (exactly).
func f16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch exp {
	case 0x1f: // Inf, NaN (payload kept)
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	case 0: // zero, subnormal: mant * 2^-24
		v := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// parseHeader walks the JSON header with a token decoder, so that duplicate keys,
// wrong types and unknown fields are caught rather than silently merged.
func parseHeader(hdr []byte) (map[string]string, []entry, error) {
	if len(hdr) == 0 || hdr[0] != '{' {
		return nil, nil, fmt.Errorf("header is not a JSON object (starts with %q)", firstBytes(hdr))
	}
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	bad := func(err error) error { return fmt.Errorf("invalid JSON header: %v", err) }
	if _, err := dec.Token(); err != nil {
		return nil, nil, bad(err)
	}
	meta := map[string]string{}
	var entries []entry
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, bad(err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, nil, bad(fmt.Errorf("unexpected %v", tok))
		}
		if seen[key] {
			return nil, nil, fmt.Errorf("duplicate name %q in header", key)
		}
		seen[key] = true
		if key == "__metadata__" {
			if meta, err = parseMeta(dec); err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := parseEntry(dec, key)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, nil, bad(err)
	}
	rest := bytes.Trim(hdr[dec.InputOffset():], " \t\r\n")
	if len(rest) != 0 {
		return nil, nil, fmt.Errorf("header has %q after the JSON object (only space padding is allowed)", firstBytes(rest))
	}
	return meta, entries, nil
}

func firstBytes(b []byte) string {
	if len(b) > 16 {
		return string(b[:16]) + "..."
	}
	return string(b)
}

// expectDelim reads one token that must be the delimiter d.
func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("invalid JSON header: %v", err)
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return fmt.Errorf("%s: want %q, found %s", what, d, describe(tok))
	}
	return nil
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return strconv.Quote(string(v))
	case string:
		return "string " + strconv.Quote(v)
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%v", v)
	}
}

func parseMeta(dec *json.Decoder) (map[string]string, error) {
	meta := map[string]string{}
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("invalid JSON header: %v", err)
	}
	if tok == nil {
		return meta, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("__metadata__: want an object of strings, found %s", describe(tok))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("invalid JSON header: %v", err)
		}
		k, _ := tok.(string)
		if _, dup := meta[k]; dup {
			return nil, fmt.Errorf("__metadata__: duplicate key %q", k)
		}
		if tok, err = dec.Token(); err != nil {
			return nil, fmt.Errorf("invalid JSON header: %v", err)
		}
		v, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("__metadata__: value of %q must be a string, found %s", k, describe(tok))
		}
		meta[k] = v
	}
	return meta, expectDelim(dec, '}', "__metadata__")
}

func parseEntry(dec *json.Decoder, name string) (entry, error) {
	e := entry{name: name}
	where := fmt.Sprintf("tensor %q", name)
	if err := expectDelim(dec, '{', where); err != nil {
		return e, err
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return e, fmt.Errorf("invalid JSON header: %v", err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return e, fmt.Errorf("%s: duplicate key %q", where, key)
		}
		seen[key] = true
		switch key {
		case "dtype":
			if tok, err = dec.Token(); err != nil {
				return e, fmt.Errorf("invalid JSON header: %v", err)
			}
			s, ok := tok.(string)
			if !ok {
				return e, fmt.Errorf("%s: dtype must be a string, found %s", where, describe(tok))
			}
			e.dtype = s
		case "shape":
			dims, err := intList(dec, where+": shape", -1)
			if err != nil {
				return e, err
			}
			e.shape = make([]int, len(dims))
			for i, d := range dims {
				e.shape[i] = int(d)
			}
		case "data_offsets":
			offs, err := intList(dec, where+": data_offsets", 2)
			if err != nil {
				return e, err
			}
			e.begin, e.end = offs[0], offs[1]
		default:
			return e, fmt.Errorf("%s: unexpected key %q (want dtype, shape, data_offsets)", where, key)
		}
	}
	if err := expectDelim(dec, '}', where); err != nil {
		return e, err
	}
	for _, k := range []string{"dtype", "shape", "data_offsets"} {
		if !seen[k] {
			return e, fmt.Errorf("%s: missing key %q", where, k)
		}
	}
	return e, nil
}

// intList reads a JSON array of non-negative integers (each below 2^62), of length
// want if want >= 0.
func intList(dec *json.Decoder, where string, want int) ([]int64, error) {
	if err := expectDelim(dec, '[', where); err != nil {
		return nil, err
	}
	var out []int64
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("invalid JSON header: %v", err)
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%s: want non-negative integers, found %s", where, describe(tok))
		}
		v, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil || v < 0 || v > 1<<62 {
			return nil, fmt.Errorf("%s: %s is not a non-negative integer below 2^62", where, num)
		}
		out = append(out, v)
	}
	if err := expectDelim(dec, ']', where); err != nil {
		return nil, err
	}
	if want >= 0 && len(out) != want {
		return nil, fmt.Errorf("%s: want %d integers, found %d", where, want, len(out))
	}
	return out, nil
}
