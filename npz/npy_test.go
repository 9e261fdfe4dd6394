package npz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"icl/internal/memlimit"
)

// le8 is the little-endian float64 encoding of vs.
func le8(vs ...float64) string {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return string(b)
}

// npyBytes builds an .npy file by hand: version 1.0 and the given dict, padded with
// spaces and '\n' to a 64-byte boundary, followed by data.
func npyBytes(dict, data string) []byte {
	hlen := len(dict) + 1
	pad := 64 - (10+hlen)%64
	h := dict + strings.Repeat(" ", pad) + "\n"
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	return append(append(b, h...), data...)
}

// The golden files are written out from the format specification and numpy's
// writer (sorted keys, 21-digit growth padding of the first axis, 64-byte alignment).
var goldenNPY = []struct {
	name string
	a    Array
	file string
}{
	{
		// np.save(f, np.arange(6, dtype='<f8').reshape(2, 3)): dict of 59 bytes,
		// 20 growth spaces + 38 alignment spaces + '\n' = 118 = 0x76 header bytes.
		"arange23",
		NewFloat64("", []int{2, 3}, []float64{0, 1, 2, 3, 4, 5}),
		"\x93NUMPY\x01\x00\x76\x00" +
			"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }" + strings.Repeat(" ", 58) + "\n" +
			"\x00\x00\x00\x00\x00\x00\x00\x00" + "\x00\x00\x00\x00\x00\x00\xf0\x3f" +
			"\x00\x00\x00\x00\x00\x00\x00\x40" + "\x00\x00\x00\x00\x00\x00\x08\x40" +
			"\x00\x00\x00\x00\x00\x00\x10\x40" + "\x00\x00\x00\x00\x00\x00\x14\x40",
	},
	{
		// np.save(f, np.int64(7)): shape (), no growth padding, 55 + 62 + 1 = 118.
		"scalar",
		NewInt64("", []int{}, []int64{7}),
		"\x93NUMPY\x01\x00\x76\x00" +
			"{'descr': '<i8', 'fortran_order': False, 'shape': (), }" + strings.Repeat(" ", 62) + "\n" +
			"\x07\x00\x00\x00\x00\x00\x00\x00",
	},
	{
		// np.save(f, np.array([1.5, -2], dtype='<f4')): 57 + 20 + 40 + 1 = 118.
		"f4vector",
		NewFloat32("", []int{2}, []float32{1.5, -2}),
		"\x93NUMPY\x01\x00\x76\x00" +
			"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" + strings.Repeat(" ", 60) + "\n" +
			"\x00\x00\xc0\x3f" + "\x00\x00\x00\xc0",
	},
}

func TestGoldenNPY(t *testing.T) {
	for _, g := range goldenNPY {
		var buf bytes.Buffer
		if err := EncodeNPY(&buf, g.a); err != nil {
			t.Fatalf("%s: %v", g.name, err)
		}
		if got := buf.String(); got != g.file {
			t.Errorf("%s: encoded\n%q\nwant\n%q", g.name, got, g.file)
		}
		if (strings.Index(g.file, "\n")+1)%64 != 0 {
			t.Errorf("%s: golden header not 64-aligned", g.name)
		}
		a, err := DecodeNPY(strings.NewReader(g.file), g.name)
		if err != nil {
			t.Fatalf("%s: %v", g.name, err)
		}
		g.a.Name = g.name
		if !reflect.DeepEqual(a, g.a) {
			t.Errorf("%s: decoded %+v, want %+v", g.name, a, g.a)
		}
	}
}

// TestHeaderAlignment checks numpy's padding rule for many shapes: the data starts at
// a multiple of 64, the header ends in '\n', and the dict is followed by at least the
// growth padding.
func TestHeaderAlignment(t *testing.T) {
	shapes := [][]int{{}, {0}, {1}, {7}, {123456789}, {3, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}
	for i := 0; i < 40; i++ {
		s := make([]int, i)
		for j := range s {
			s[j] = j * 1000
		}
		shapes = append(shapes, s)
	}
	for _, s := range shapes {
		h, err := formatHeader("<f8", s)
		if err != nil {
			t.Fatal(err)
		}
		if len(h)%64 != 0 || h[len(h)-1] != '\n' {
			t.Errorf("shape %v: header of %d bytes, last %q", s, len(h), h[len(h)-1])
		}
		hl := int(binary.LittleEndian.Uint16(h[8:10]))
		if hl+10 != len(h) {
			t.Errorf("shape %v: header length field %d, header %d", s, hl, len(h))
		}
		parsed, err := parseHeader(string(h[10:]))
		if err != nil {
			t.Fatalf("shape %v: %v", s, err)
		}
		if len(parsed.shape) != len(s) || (len(s) > 0 && !reflect.DeepEqual(parsed.shape, s)) {
			t.Errorf("shape %v parsed as %v", s, parsed.shape)
		}
		dictEnd := bytes.IndexByte(h, '}') + 1
		if len(s) > 0 {
			growth := 21 - len(pyShape(s[:1])) + 3 // pyShape gives "(n,)"
			if trail := len(h) - 1 - dictEnd; trail < growth {
				t.Errorf("shape %v: %d trailing spaces, want at least %d", s, trail, growth)
			}
		}
	}
}

// randArray fills an array of the given dtype and shape with values covering the
// dtype's range, and special floats.
func randArray(r *rand.Rand, name, descr string, shape []int) Array {
	n := 1
	for _, s := range shape {
		n *= s
	}
	a := Array{Name: name, Shape: shape, DType: descr}
	dt, err := parseDType(descr)
	if err != nil {
		panic(err)
	}
	if dt.isFloat() {
		a.Float = make([]float64, n)
		special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 1e-310, math.MaxFloat64}
		for i := range a.Float {
			v := r.NormFloat64() * math.Pow(10, float64(r.IntN(20)-10))
			if i < len(special) {
				v = special[i]
			}
			if dt.size == 4 {
				v = float64(float32(v))
			}
			a.Float[i] = v
		}
		return a
	}
	a.Int = make([]int64, n)
	lo, hi := intRange(dt)
	for i := range a.Int {
		switch i {
		case 0:
			a.Int[i] = lo
		case 1:
			a.Int[i] = hi
		default:
			span := uint64(hi - lo)
			if span == math.MaxUint64 {
				a.Int[i] = int64(r.Uint64())
			} else {
				a.Int[i] = lo + int64(r.Uint64N(span+1))
			}
		}
	}
	return a
}

// sameArray compares arrays, floats bitwise.
func sameArray(t *testing.T, got, want Array) {
	t.Helper()
	if got.Name != want.Name || got.DType != want.DType || len(got.Shape) != len(want.Shape) {
		t.Fatalf("got %s %s %v, want %s %s %v", got.Name, got.DType, got.Shape, want.Name, want.DType, want.Shape)
	}
	for i := range got.Shape {
		if got.Shape[i] != want.Shape[i] {
			t.Fatalf("%s: shape %v, want %v", want.Name, got.Shape, want.Shape)
		}
	}
	if (got.Float == nil) != (want.Float == nil) || len(got.Float) != len(want.Float) || len(got.Int) != len(want.Int) {
		t.Fatalf("%s: data kinds/lengths differ: %d %d vs %d %d", want.Name, len(got.Float), len(got.Int), len(want.Float), len(want.Int))
	}
	for i := range got.Float {
		if math.Float64bits(got.Float[i]) != math.Float64bits(want.Float[i]) {
			t.Fatalf("%s: Float[%d] = %v, want %v", want.Name, i, got.Float[i], want.Float[i])
		}
	}
	for i := range got.Int {
		if got.Int[i] != want.Int[i] {
			t.Fatalf("%s: Int[%d] = %v, want %v", want.Name, i, got.Int[i], want.Int[i])
		}
	}
}

var allDTypes = []string{"<f8", "<f4", "<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1", "|b1"}

var testShapes = [][]int{{}, {0}, {5}, {2, 3}, {2, 0, 3}, {1, 2, 3, 4}, {3000}}

func TestRoundTripNPY(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	for _, descr := range allDTypes {
		for _, shape := range testShapes {
			a := randArray(r, "a", descr, shape)
			var buf bytes.Buffer
			if err := EncodeNPY(&buf, a); err != nil {
				t.Fatalf("%s %v: %v", descr, shape, err)
			}
			got, err := DecodeNPY(&buf, "a")
			if err != nil {
				t.Fatalf("%s %v: %v", descr, shape, err)
			}
			sameArray(t, got, a)
			if buf.Len() != 0 {
				t.Errorf("%s %v: %d bytes left unread", descr, shape, buf.Len())
			}
			path := filepath.Join(dir, "a.npy")
			if err := WriteNPY(path, a); err != nil {
				t.Fatal(err)
			}
			got, err = ReadNPY(path)
			if err != nil {
				t.Fatal(err)
			}
			sameArray(t, got, a)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d files after writes, want 1 (temporary files left?)", len(ents))
	}
}

// TestDecodeStreamOfArrays reads several arrays written back to back, as repeated
// np.save calls on one file produce.
func TestDecodeStreamOfArrays(t *testing.T) {
	var buf bytes.Buffer
	for i := 0; i < 3; i++ {
		if err := EncodeNPY(&buf, NewInt64("", []int{1}, []int64{int64(i)})); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		a, err := DecodeNPY(&buf, "s")
		if err != nil || a.Int[0] != int64(i) {
			t.Fatalf("array %d: %v %v", i, a.Int, err)
		}
	}
}

// TestFortranOrder checks the transpose against a direct index computation.
func TestFortranOrder(t *testing.T) {
	// [[0, 1, 2], [3, 4, 5]] in column-major order is 0 3 1 4 2 5.
	f := npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", le8(0, 3, 1, 4, 2, 5))
	a, err := DecodeNPY(bytes.NewReader(f), "f")
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0, 1, 2, 3, 4, 5}; !reflect.DeepEqual(a.Float, want) {
		t.Errorf("2x3 fortran: got %v, want %v", a.Float, want)
	}
	for _, shape := range [][]int{{2, 3, 4}, {1, 5, 1, 2}, {4, 1}, {6}} {
		n := 1
		for _, s := range shape {
			n *= s
		}
		// Element k of the column-major data has multi-index (first axis fastest);
		// store its row-major index there, so the result must read 0, 1, 2, ...
		var data []byte
		for k := 0; k < n; k++ {
			rem, cidx := k, 0
			idx := make([]int, len(shape))
			for j := range shape {
				idx[j] = rem % shape[j]
				rem /= shape[j]
			}
			for j := range shape {
				cidx = cidx*shape[j] + idx[j]
			}
			data = binary.LittleEndian.AppendUint32(data, uint32(cidx))
		}
		f := npyBytes("{'descr': '<i4', 'fortran_order': True, 'shape': "+pyShape(shape)+", }", string(data))
		a, err := DecodeNPY(bytes.NewReader(f), "f")
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range a.Int {
			if v != int64(i) {
				t.Fatalf("shape %v: element %d = %d", shape, i, v)
			}
		}
	}
}

func TestBigEndianAndConversions(t *testing.T) {
	be := func(vs ...uint64) string {
		var b []byte
		for _, v := range vs {
			b = binary.BigEndian.AppendUint64(b, v)
		}
		return string(b)
	}
	cases := []struct {
		dict, data string
		dtype      string
		float      []float64
		ints       []int64
	}{
		{"{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be(math.Float64bits(1.5), math.Float64bits(-3)), "<f8", []float64{1.5, -3}, nil},
		{"{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", "\xff\xff\xff\xfe\x00\x00\x01\x00", "<i4", nil, []int64{-2, 256}},
		{"{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", "\xfe\xff\xff\xff\x00\x01\x00\x00", "<i4", nil, []int64{-2, 256}},
		{"{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }", "\xff\xff", "<u2", nil, []int64{65535}},
		{"{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", "\x00\x01\x02", "|b1", nil, []int64{0, 1, 1}},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "\x00\x00\xc0\x3f", "<f4", []float64{1.5}, nil},
	}
	for _, c := range cases {
		a, err := DecodeNPY(bytes.NewReader(npyBytes(c.dict, c.data)), "x")
		if err != nil {
			t.Fatalf("%s: %v", c.dict, err)
		}
		if a.DType != c.dtype || !reflect.DeepEqual(a.Float, c.float) || !reflect.DeepEqual(a.Int, c.ints) {
			t.Errorf("%s: got %s %v %v, want %s %v %v", c.dict, a.DType, a.Float, a.Int, c.dtype, c.float, c.ints)
		}
	}
}

// TestHeaderVariants accepts dicts numpy accepts but does not write.
func TestHeaderVariants(t *testing.T) {
	data := le8(1, 2)
	dicts := []string{
		"{'shape': (2,), 'fortran_order': False, 'descr': '<f8'}",
		`{"descr": "<f8", "fortran_order": False, "shape": (2,)}`,
		"{'descr':'<f8','fortran_order':False,'shape':(2,),}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2L,), }",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, ), }",
		"{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }",
	}
	for _, d := range dicts {
		a, err := DecodeNPY(bytes.NewReader(npyBytes(d, data)), "v")
		if err != nil {
			t.Errorf("%s: %v", d, err)
			continue
		}
		if !reflect.DeepEqual(a.Float, []float64{1, 2}) {
			t.Errorf("%s: got %v", d, a.Float)
		}
	}
	// Format 2.0 and 3.0 have a 4-byte header length; 1.0 without alignment padding.
	dict := "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n"
	for _, pre := range []string{"\x93NUMPY\x02\x00", "\x93NUMPY\x03\x00"} {
		f := []byte(pre)
		f = binary.LittleEndian.AppendUint32(f, uint32(len(dict)))
		f = append(append(f, dict...), data...)
		if a, err := DecodeNPY(bytes.NewReader(f), "v"); err != nil || a.Float[1] != 2 {
			t.Errorf("version %q: %v %v", pre[6:], a.Float, err)
		}
	}
	f := binary.LittleEndian.AppendUint16([]byte("\x93NUMPY\x01\x00"), uint16(len(dict)))
	f = append(append(f, dict...), data...)
	if _, err := DecodeNPY(bytes.NewReader(f), "v"); err != nil {
		t.Errorf("unaligned header: %v", err)
	}
}

func TestBadNPY(t *testing.T) {
	d := func(descr, fortran, shape string) string {
		return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }"
	}
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"magic", []byte("\x93NUMPZ\x01\x00\x00\x00"), "not an .npy file"},
		{"version", []byte("\x93NUMPY\x04\x00\x00\x00"), "unsupported .npy format version 4.0"},
		{"minor", []byte("\x93NUMPY\x01\x01\x00\x00"), "unsupported .npy format version 1.1"},
		{"object", npyBytes(d("'|O'", "False", "(1,)"), "12345678"), "object arrays are not supported"},
		{"complex", npyBytes(d("'<c16'", "False", "(1,)"), ""), "complex"},
		{"string", npyBytes(d("'<U3'", "False", "(1,)"), ""), "string arrays"},
		{"float16", npyBytes(d("'<f2'", "False", "(1,)"), "\x00\x00"), "unsupported item size"},
		{"structured", npyBytes("{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,), }", le8(1)), "structured dtypes"},
		{"native", npyBytes(d("'=f8'", "False", "(1,)"), le8(1)), "native byte order"},
		{"pipe8", npyBytes(d("'|f8'", "False", "(1,)"), le8(1)), "only valid for 1-byte"},
		{"nodescr", npyBytes("{'fortran_order': False, 'shape': (1,), }", le8(1)), `missing key "descr"`},
		{"noshape", npyBytes("{'descr': '<f8', 'fortran_order': False, }", le8(1)), `missing key "shape"`},
		{"extrakey", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1, }", le8(1)), `unexpected key "x"`},
		{"dupkey", npyBytes("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", le8(1)), "duplicate key"},
		{"fortran", npyBytes(d("'<f8'", "0", "(1,)"), le8(1)), "fortran_order must be True or False"},
		{"negative", npyBytes(d("'<f8'", "False", "(-1,)"), le8(1)), "non-negative integer"},
		{"list", npyBytes(d("'<f8'", "False", "[1]"), le8(1)), "not a list"},
		{"int", npyBytes(d("'<f8'", "False", "(1)"), le8(1)), "not a tuple"},
		{"float", npyBytes(d("'<f8'", "False", "(1.0,)"), le8(1)), "want ',' or ')'"},
		{"huge dim", npyBytes(d("'<f8'", "False", "(99999999999999999999,)"), le8(1)), "too large"},
		{"overflow", npyBytes(d("'<f8'", "False", "(4611686018427387904, 4611686018427387904)"), le8(1)), "too many elements"},
		{"too many dims", npyBytes(d("'<f8'", "False", "("+strings.Repeat("1, ", 65)+")"), le8(1)), "more than 64 dimensions"},
		{"trailing text", npyBytes(d("'<f8'", "False", "(1,)")+" x", le8(1)), "unexpected text after the dict"},
		{"unterminated", npyBytes("{'descr': '<f8", ""), "unterminated string"},
		{"escape", npyBytes(d(`'<f\8'`, "False", "(1,)"), le8(1)), "escapes"},
		{"not a dict", npyBytes("['<f8']", ""), "want '{'"},
		{"empty dict", npyBytes("{}", ""), "missing key"},
		{"u8 overflow", npyBytes(d("'<u8'", "False", "(1,)"), "\xff\xff\xff\xff\xff\xff\xff\xff"), "does not fit in int64"},
		{"short data", npyBytes(d("'<f8'", "False", "(2,)"), le8(1)), "needs 16 data bytes"},
		// DecodeNPY cannot know the stream's length: it refuses the claim as
		// more than the memory there is (TestLyingHeaderMemory); ReadNPY, as
		// more than the file holds.
		{"huge claim", npyBytes(d("'<f8'", "False", "(1000000000000,)"), le8(1)), "shape (1000000000000,) of <f8"},
		{"long header", append([]byte("\x93NUMPY\x02\x00\x00\x00\x00\x01"), make([]byte, 100)...), "header length"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		_, err := DecodeNPY(bytes.NewReader(c.file), "bad.npy")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "bad.npy: ") {
			t.Errorf("%s: DecodeNPY error %v, want one containing %q", c.name, err, c.want)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: error %T is not *Error", c.name, err)
		}
		path := filepath.Join(dir, "bad.npy")
		if err := os.WriteFile(path, c.file, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadNPY(path); err == nil || !strings.HasPrefix(err.Error(), path+": ") {
			t.Errorf("%s: ReadNPY error %v", c.name, err)
		}
	}
	// A file with bytes after the data is rejected by ReadNPY.
	path := filepath.Join(dir, "trail.npy")
	os.WriteFile(path, []byte(goldenNPY[0].file+"x"), 0o644)
	if _, err := ReadNPY(path); err == nil || !strings.Contains(err.Error(), "1 trailing bytes") {
		t.Errorf("trailing byte: %v", err)
	}
	if _, err := ReadNPY(filepath.Join(dir, "missing.npy")); err == nil || !strings.Contains(err.Error(), "missing.npy") {
		t.Errorf("missing file: %v", err)
	}
}

func TestTruncatedNPY(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.npy")
	for _, g := range goldenNPY {
		for n := 0; n < len(g.file); n++ {
			prefix := g.file[:n]
			_, err := DecodeNPY(strings.NewReader(prefix), "t.npy")
			if err == nil {
				t.Fatalf("%s: prefix %d decoded without error", g.name, n)
			}
			if !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "bad header") {
				t.Errorf("%s: prefix %d: %v", g.name, n, err)
			}
			if err := os.WriteFile(path, []byte(prefix), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadNPY(path); err == nil {
				t.Fatalf("%s: ReadNPY of prefix %d succeeded", g.name, n)
			}
		}
	}
}

// TestLyingHeaderMemory checks that a stream claiming a huge array does not make
// the reader allocate for the claim: a claim beyond the memory the process can
// have is refused from the header (a *memlimit.Error naming the shape), and one
// within it reads only the data that is there before failing as truncated.
func TestLyingHeaderMemory(t *testing.T) {
	withMemoryLimit(t, 1<<30)
	for _, c := range []struct {
		shape    string
		tooLarge bool
	}{
		{"(100000000000,)", true}, // 1.5 TiB in memory
		{"(10000000,)", false},    // 153 MiB in memory, within the limit
	} {
		f := npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': "+c.shape+", }", le8(1, 2, 3))
		var before, after runtimeMem
		before.read()
		for i := 0; i < 5; i++ {
			_, err := DecodeNPY(bytes.NewReader(f), "lie")
			var me *memlimit.Error
			if c.tooLarge && (!errors.As(err, &me) || !strings.Contains(err.Error(), "shape "+c.shape+" of <f8")) {
				t.Fatalf("%s: lying header: %v, want a *memlimit.Error naming the shape", c.shape, err)
			}
			if !c.tooLarge && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%s: lying header: %v, want a truncation", c.shape, err)
			}
		}
		after.read()
		if d := after.total - before.total; d > 20<<20 {
			t.Errorf("%s: 5 decodes of a lying header allocated %d bytes", c.shape, d)
		}
	}
}

// TestReadNPYMemory checks that ReadNPY refuses an array the file really holds
// but whose elements, widened to 8 bytes each, need more memory than the
// process can have, before allocating for it. The file is sparse: 256 MiB of
// |u1 zeros (2 GiB in memory) take no disk space.
func TestReadNPYMemory(t *testing.T) {
	withMemoryLimit(t, 1<<30)
	const n = 1 << 28
	path := filepath.Join(t.TempDir(), "big.npy")
	hdr := npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (268435456,), }", "")
	if err := os.WriteFile(path, hdr, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, int64(len(hdr))+n); err != nil {
		t.Fatal(err)
	}
	var before, after runtimeMem
	before.read()
	_, err := ReadNPY(path)
	after.read()
	var me *memlimit.Error
	if !errors.As(err, &me) || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), "shape (268435456,) of |u1") {
		t.Errorf("ReadNPY: %v, want a *memlimit.Error naming the file and the shape", err)
	}
	if d := after.total - before.total; d > 20<<20 {
		t.Errorf("refusing allocated %d bytes", d)
	}
}

func TestWriteErrors(t *testing.T) {
	cases := []struct {
		a    Array
		want string
	}{
		{NewFloat64("x", []int{2, 3}, make([]float64, 5)), "shape (2, 3) has 6 elements but Float has 5"},
		{NewInt64("x", []int{-1}, nil), "negative dimension"},
		{Array{Name: "x", DType: "<f8", Shape: []int{1}, Float: []float64{1}, Int: []int64{1}}, "Int is set"},
		{Array{Name: "x", DType: "<i8", Shape: []int{1}, Float: []float64{1}}, "Float is set"},
		{Array{Name: "x", DType: "<i4", Shape: []int{2}, Int: []int64{1, 1 << 40}}, "element 1 = 1099511627776 is out of range"},
		{Array{Name: "x", DType: "|b1", Shape: []int{1}, Int: []int64{2}}, "out of range"},
		{Array{Name: "x", DType: ">f8", Shape: []int{1}, Float: []float64{1}}, "only little-endian"},
		{Array{Name: "x", DType: "|O", Shape: []int{1}, Float: []float64{1}}, "object arrays"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		if err := EncodeNPY(io.Discard, c.a); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("EncodeNPY: %v, want %q", err, c.want)
		}
		path := filepath.Join(dir, "w.npy")
		if err := WriteNPY(path, c.a); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), path) {
			t.Errorf("WriteNPY: %v, want %q", err, c.want)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("failed WriteNPY left %s behind", path)
		}
	}
	if err := WriteNPY(filepath.Join(dir, "nodir", "x.npy"), NewFloat64("x", nil, []float64{1})); err == nil || !strings.Contains(err.Error(), "nodir") {
		t.Errorf("write into a missing directory: %v", err)
	}
	// DType "" is inferred from the data slice.
	var buf bytes.Buffer
	if err := EncodeNPY(&buf, Array{Shape: []int{1}, Int: []int64{3}}); err != nil || !strings.Contains(buf.String(), "'<i8'") {
		t.Errorf("inferred int dtype: %v", err)
	}
}
