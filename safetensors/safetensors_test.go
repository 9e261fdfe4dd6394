package safetensors

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
)

// golden is written out by hand from the format: an 8-byte length (144 = 0x90), the
// 138-byte JSON header as Write lays it out plus 6 spaces of padding, then
// a = [1, -2.5] and the scalar b = 0.1 as little-endian float32.
const golden = "\x90\x00\x00\x00\x00\x00\x00\x00" +
	`{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}` +
	"      " +
	"\x00\x00\x80\x3f" + "\x00\x00\x20\xc0" + "\xcd\xcc\xcc\x3d"

var goldenTensors = []Tensor{
	{Name: "a", Shape: []int{2}, Data: []float32{1, -2.5}},
	{Name: "b", Shape: []int{}, Data: []float32{0.1}},
}

// build makes a file from a header (padded to 8 bytes) and a data buffer.
func build(hdr, data string) []byte {
	for len(hdr)%8 != 0 {
		hdr += " "
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	return append(append(b, hdr...), data...)
}

func readBytes(b []byte) (*File, error) { return Read(bytes.NewReader(b), int64(len(b))) }

func sameTensors(t *testing.T, got, want []Tensor) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d tensors, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Name != w.Name || len(g.Shape) != len(w.Shape) || len(g.Data) != len(w.Data) {
			t.Fatalf("tensor %d: %s %v (%d values), want %s %v (%d values)", i, g.Name, g.Shape, len(g.Data), w.Name, w.Shape, len(w.Data))
		}
		for j := range g.Shape {
			if g.Shape[j] != w.Shape[j] {
				t.Fatalf("tensor %s: shape %v, want %v", g.Name, g.Shape, w.Shape)
			}
		}
		for j := range g.Data {
			if math.Float32bits(g.Data[j]) != math.Float32bits(w.Data[j]) {
				t.Fatalf("tensor %s: Data[%d] = %v, want %v", g.Name, j, g.Data[j], w.Data[j])
			}
		}
	}
}

func TestGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, goldenTensors, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != golden {
		t.Errorf("Write produced\n%q\nwant\n%q", buf.String(), golden)
	}
	f, err := readBytes([]byte(golden))
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, f.Tensors, goldenTensors)
	if !reflect.DeepEqual(f.Meta, map[string]string{"format": "pt"}) {
		t.Errorf("meta %v", f.Meta)
	}
}

// TestOtherDTypes reads F64, F16 and BF16 tensors from a header in another layout:
// whitespace, metadata last, header order different from offset order.
func TestOtherDTypes(t *testing.T) {
	hdr := `{ "h": {"dtype": "F16", "shape": [3], "data_offsets": [8, 14]},
	  "z": {"shape": [1, 1], "data_offsets": [14, 16], "dtype": "BF16"},
	  "d": {"data_offsets": [0, 8], "dtype": "F64", "shape": [1]},
	  "e": {"dtype": "F32", "shape": [0, 4], "data_offsets": [16, 16]},
	  "__metadata__": {"k": "v"} }`
	data := "\x9a\x99\x99\x99\x99\x99\xb9\x3f" + // 0.1 as float64
		"\x00\x3c" + "\x00\xc0" + "\x01\x00" + // F16 1, -2, 2^-24
		"\x80\x3f" // BF16 1
	f, err := readBytes(build(hdr, data))
	if err != nil {
		t.Fatal(err)
	}
	want := []Tensor{
		{Name: "d", Shape: []int{1}, Data: []float32{float32(0.1)}},
		{Name: "h", Shape: []int{3}, Data: []float32{1, -2, float32(math.Ldexp(1, -24))}},
		{Name: "z", Shape: []int{1, 1}, Data: []float32{1}},
		{Name: "e", Shape: []int{0, 4}, Data: []float32{}},
	}
	sameTensors(t, f.Tensors, want)
	if f.Meta["k"] != "v" {
		t.Errorf("meta %v", f.Meta)
	}
	if got := f.Names(); !reflect.DeepEqual(got, []string{"d", "h", "z", "e"}) {
		t.Errorf("names %v", got)
	}
}

// TestF16 checks every binary16 value against the definition
// (-1)^s * 2^(e-15) * (1 + m/1024), subnormals 2^-14 * m/1024, computed in float64.
func TestF16(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		s, e, m := h>>15, (h>>10)&0x1f, h&0x3ff
		var want float64
		switch {
		case e == 0x1f && m == 0:
			want = math.Inf(1)
		case e == 0x1f:
			want = math.NaN()
		case e == 0:
			want = math.Ldexp(float64(m)/1024, -14)
		default:
			want = math.Ldexp(1+float64(m)/1024, e-15)
		}
		if s == 1 {
			want = -want
		}
		got := f16ToF32(uint16(h))
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) || math.Float32bits(got)&0x3fffff != uint32(m)<<13&0x3fffff {
				t.Fatalf("f16 %#04x: got %v (%#08x), want NaN with the payload", h, got, math.Float32bits(got))
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (s == 1) {
			t.Fatalf("f16 %#04x: got %v, want %v", h, got, want)
		}
	}
}

func randTensors(r *rand.Rand) []Tensor {
	shapes := [][]int{{3, 4}, {}, {0, 3}, {5}, {3000}, {2, 1, 3}}
	ts := make([]Tensor, len(shapes))
	for i, s := range shapes {
		n := 1
		for _, d := range s {
			n *= d
		}
		data := make([]float32, n)
		for j := range data {
			data[j] = float32(r.NormFloat64())
		}
		if n >= 4 {
			data[0] = math.Float32frombits(0x7fc00123) // NaN with a payload
			data[1] = float32(math.Inf(-1))
			data[2] = float32(math.Copysign(0, -1))
			data[3] = math.SmallestNonzeroFloat32
		}
		ts[i] = Tensor{Name: "blocks." + string(rune('a'+i)) + ".weight", Shape: s, Data: data}
	}
	return ts
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ts := randTensors(r)
	meta := map[string]string{"config": `{"n_layer": 3, "tag": "<a&b>"}`, "ünï": "cödé\u2028", "empty": ""}
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	for i := 0; i < 2; i++ { // the second write replaces the first
		if err := WriteFile(path, ts, meta); err != nil {
			t.Fatal(err)
		}
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, f.Tensors, ts)
	if !reflect.DeepEqual(f.Meta, meta) {
		t.Errorf("meta %v, want %v", f.Meta, meta)
	}
	if f.Name != path {
		t.Errorf("Name %q", f.Name)
	}
	for _, tt := range ts {
		g, ok := f.Get(tt.Name)
		if !ok || g.Name != tt.Name {
			t.Errorf("Get(%q): %v", tt.Name, ok)
		}
	}
	if _, ok := f.Get("nope"); ok {
		t.Error("Get of a missing name succeeded")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the directory, want 1", len(ents))
	}
	raw, _ := os.ReadFile(path)
	if n := binary.LittleEndian.Uint64(raw); n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	// No metadata, no tensors.
	var buf bytes.Buffer
	if err := Write(&buf, nil, nil); err != nil {
		t.Fatal(err)
	}
	if want := "\x08\x00\x00\x00\x00\x00\x00\x00{}      "; buf.String() != want {
		t.Errorf("empty file %q, want %q", buf.String(), want)
	}
	if f, err := readBytes(buf.Bytes()); err != nil || len(f.Tensors) != 0 || len(f.Meta) != 0 {
		t.Errorf("empty file read: %v %v", f, err)
	}
}

func TestFloat32Accessor(t *testing.T) {
	f, err := readBytes([]byte(golden))
	if err != nil {
		t.Fatal(err)
	}
	f.Name = "model.safetensors"
	if d, err := f.Float32("a", 2); err != nil || len(d) != 2 {
		t.Errorf("Float32: %v %v", d, err)
	}
	if d, err := f.Float32("b"); err != nil || d[0] != float32(0.1) {
		t.Errorf("scalar: %v %v", d, err)
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{second(f.Float32("wpe", 2)), `model.safetensors: tensor "wpe" missing (have: a, b)`},
		{second(f.Float32("a", 3)), `model.safetensors: tensor "a" has shape [2] but [3] is needed`},
		{second(f.Float32("a", -1, 2)), `model.safetensors: tensor "a" has shape [2] but [* 2] is needed`},
		{second(f.Float32("b", 1)), `model.safetensors: tensor "b" has shape [] but [1] is needed`},
	} {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("error %v\nwant %s", c.err, c.want)
		}
	}
}

func second[A any](_ A, err error) error { return err }

func TestBadFiles(t *testing.T) {
	ent := func(name, dtype, shape, offs string) string {
		return `"` + name + `":{"dtype":"` + dtype + `","shape":` + shape + `,"data_offsets":` + offs + `}`
	}
	a := ent("a", "F32", "[2]", "[0,8]")
	d8 := strings.Repeat("\x00", 8)
	lenOnly := func(n uint64, rest string) []byte {
		return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
	}
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"short", []byte("\x05\x00\x00"), "truncated: file has 3 bytes, need at least 8"},
		{"header too long", lenOnly(5000, strings.Repeat(" ", 292)), "truncated: header says 5000 bytes, file has 300 (292 after the 8-byte length)"},
		{"header huge", lenOnly(1<<63, "{}"), "truncated: header says 9223372036854775808 bytes"},
		{"empty header", lenOnly(0, ""), "header is not a JSON object"},
		{"not object", build(`["a"]`, ""), `header is not a JSON object (starts with "[\"a\"]`},
		{"bad json", build(`{"a":{"dtype":"F32",}}`, ""), "invalid JSON header"},
		{"unclosed", build(`{"a":{"dtype":"F32"`, ""), "invalid JSON header"},
		{"garbage after", build(`{}x`, ""), `header has "x" after the JSON object`},
		{"second object", build(`{}{}`, ""), `after the JSON object`},
		{"nul padding", build("{}\x00\x00", ""), "after the JSON object"},
		{"dup name", build("{"+a+","+a+"}", d8), `duplicate name "a"`},
		{"dup meta", build(`{"__metadata__":{},"__metadata__":{}}`, ""), `duplicate name "__metadata__"`},
		{"dup key", build(`{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, d8), `tensor "a": duplicate key "dtype"`},
		{"unknown key", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}`, d8), `tensor "a": unexpected key "x"`},
		{"missing key", build(`{"a":{"dtype":"F32","shape":[2]}}`, d8), `tensor "a": missing key "data_offsets"`},
		{"entry not object", build(`{"a":[1]}`, ""), `tensor "a": want "{", found "["`},
		{"dtype type", build(`{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}`, d8), `tensor "a": dtype must be a string, found 4`},
		{"shape type", build("{"+ent("a", "F32", `"2"`, "[0,8]")+"}", d8), `tensor "a": shape: want "[", found string "2"`},
		{"negative dim", build("{"+ent("a", "F32", "[-2]", "[0,8]")+"}", d8), `tensor "a": shape: -2 is not a non-negative integer`},
		{"float dim", build("{"+ent("a", "F32", "[2.0]", "[0,8]")+"}", d8), `tensor "a": shape: 2.0 is not a non-negative integer`},
		{"big dim", build("{"+ent("a", "F32", "[1e30]", "[0,8]")+"}", d8), `is not a non-negative integer`},
		{"nested dim", build("{"+ent("a", "F32", "[[2]]", "[0,8]")+"}", d8), `tensor "a": shape: want non-negative integers, found "["`},
		{"3 offsets", build("{"+ent("a", "F32", "[2]", "[0,4,8]")+"}", d8), `tensor "a": data_offsets: want 2 integers, found 3`},
		{"null offsets", build("{"+ent("a", "F32", "[2]", "null")+"}", d8), `data_offsets: want "[", found null`},
		{"unknown dtype", build("{"+ent("a", "F12", "[2]", "[0,8]")+"}", d8), `tensor "a": unknown dtype "F12"`},
		{"int dtype", build("{"+ent("a", "I64", "[1]", "[0,8]")+"}", d8), `tensor "a": unsupported dtype I64`},
		{"reversed", build("{"+ent("a", "F32", "[0]", "[8,0]")+"}", d8), `tensor "a": data_offsets [8, 0] end before they begin`},
		{"past end", build("{"+ent("a", "F32", "[4]", "[0,16]")+"}", d8), `tensor "a": data_offsets [0, 16] run past the end of the data (8 bytes)`},
		{"size mismatch", build("{"+ent("wpe", "F32", "[82,256]", "[0,100]")+"}", strings.Repeat("\x00", 100)),
			`tensor "wpe": data_offsets [0, 100] do not match shape [82 256] x 4 bytes = 83968`},
		{"overflow", build("{"+ent("a", "F32", "[4611686018427387904,4]", "[0,8]")+"}", d8), `overflows`},
		{"overlap", build("{"+a+","+ent("b", "F32", "[1]", "[4,8]")+"}", d8), `tensor "b": data_offsets [4, 8] overlap tensor "a" [0, 8]`},
		{"gap", build("{"+ent("a", "F32", "[1]", "[0,4]")+","+ent("b", "F32", "[1]", "[8,12]")+"}", d8+"1234"), `tensor "b": data_offsets [8, 12] leave a gap of 4 bytes after offset 4`},
		{"gap at start", build("{"+ent("a", "F32", "[1]", "[4,8]")+"}", d8), `leave a gap of 4 bytes after offset 0`},
		{"trailing data", build("{"+a+"}", d8+"xyz"), "3 bytes of data after the last tensor (data is 11 bytes, tensors cover 8)"},
		{"meta value", build(`{"__metadata__":{"k":1}}`, ""), `__metadata__: value of "k" must be a string, found 1`},
		{"meta nested", build(`{"__metadata__":{"k":{"x":"y"}}}`, ""), `__metadata__: value of "k" must be a string, found "{"`},
		{"meta dup", build(`{"__metadata__":{"k":"a","k":"b"}}`, ""), `__metadata__: duplicate key "k"`},
		{"meta list", build(`{"__metadata__":["k"]}`, ""), `__metadata__: want an object of strings`},
	}
	dir := t.TempDir()
	for _, c := range cases {
		_, err := readBytes(c.file)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "safetensors: ") {
			t.Errorf("%s: error %v\nwant one containing %s", c.name, err, c.want)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %T is not *Error", c.name, err)
		}
		path := filepath.Join(dir, "model.safetensors")
		os.WriteFile(path, c.file, 0o644)
		if _, err := ReadFile(path); err == nil || err.Error() != path+": "+strings.TrimPrefix(e.Error(), "safetensors: ") {
			t.Errorf("%s: ReadFile error %v", c.name, err)
		}
	}
	// A null __metadata__ is accepted as none.
	if f, err := readBytes(build(`{"__metadata__":null}`, "")); err != nil || len(f.Meta) != 0 {
		t.Errorf("null metadata: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none.safetensors")); err == nil || !strings.Contains(err.Error(), "none.safetensors") {
		t.Errorf("missing file: %v", err)
	}
}

func TestTruncated(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, randTensors(rand.New(rand.NewPCG(3, 4)))[:4], map[string]string{"a": "b"}); err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	for n := 0; n < len(full); n++ {
		if _, err := readBytes(full[:n]); err == nil {
			t.Fatalf("prefix %d of %d read without error", n, len(full))
		}
	}
	if _, err := readBytes(full); err != nil {
		t.Fatal(err)
	}
	// A reader shorter than the size it is said to have.
	if _, err := Read(bytes.NewReader(full[:len(full)-4]), int64(len(full))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short ReaderAt: %v", err)
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	ok := Tensor{Name: "a", Shape: []int{1}, Data: []float32{1}}
	for _, c := range []struct {
		ts   []Tensor
		meta map[string]string
		want string
	}{
		{[]Tensor{{Name: "a", Shape: []int{2, 3}, Data: make([]float32, 5)}}, nil, `tensor "a": shape [2 3] has 6 elements but Data has 5`},
		{[]Tensor{{Name: "a", Shape: []int{-1}}}, nil, "negative dimension"},
		{[]Tensor{ok, ok}, nil, `duplicate tensor name "a"`},
		{[]Tensor{{Shape: []int{}, Data: []float32{1}}}, nil, "empty name"},
		{[]Tensor{{Name: "__metadata__", Shape: []int{}, Data: []float32{1}}}, nil, "reserved"},
		{[]Tensor{{Name: "a\xff", Shape: []int{}, Data: []float32{1}}}, nil, "not valid UTF-8"},
		{[]Tensor{ok}, map[string]string{"k": "\xfe"}, "not valid UTF-8"},
	} {
		if err := Write(io.Discard, c.ts, c.meta); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Write: %v, want %q", err, c.want)
		}
		if err := WriteFile(path, c.ts, c.meta); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), path+": ") {
			t.Errorf("WriteFile: %v, want %q", err, c.want)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a failed WriteFile created the file")
	}
	if err := WriteFile(filepath.Join(dir, "nodir", "x"), []Tensor{ok}, nil); err == nil || !strings.Contains(err.Error(), "nodir") {
		t.Errorf("missing directory: %v", err)
	}
}
