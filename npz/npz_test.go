package npz

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func testArrays() []Array {
	r := rand.New(rand.NewPCG(3, 4))
	return []Array{
		randArray(r, "xs", "<f8", []int{4, 5, 3}),
		randArray(r, "ys", "<f4", []int{4, 5}),
		randArray(r, "class", "<i8", []int{4}),
		randArray(r, "mask", "|b1", []int{2, 2}),
		randArray(r, "scalar", "<i4", []int{}),
		randArray(r, "empty", "<f8", []int{0, 3}),
	}
}

func encodeNPZBytes(t testing.TB, compress bool, arrays ...Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := EncodeNPZ(&buf, compress, arrays...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTripNPZ(t *testing.T) {
	want := testArrays()
	dir := t.TempDir()
	for _, compress := range []bool{false, true} {
		path := filepath.Join(dir, "a.npz")
		write := WriteNPZ
		if compress {
			write = WriteNPZCompressed
		}
		if err := write(path, want...); err != nil {
			t.Fatal(err)
		}
		f, err := ReadNPZ(path)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != path {
			t.Errorf("File.Name = %q", f.Name)
		}
		if got, names := f.Names(), []string{"xs", "ys", "class", "mask", "scalar", "empty"}; !reflect.DeepEqual(got, names) {
			t.Errorf("names %v, want %v", got, names)
		}
		for i, a := range want {
			sameArray(t, f.Arrays[i], a)
			g, ok := f.Get(a.Name)
			if !ok {
				t.Fatalf("Get(%q) failed", a.Name)
			}
			sameArray(t, g, a)
		}
		// Check the archive independently with archive/zip: entry names, methods,
		// and contents equal to the .npy encoding.
		raw, _ := os.ReadFile(path)
		zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != len(want) {
			t.Fatalf("%d entries", len(zr.File))
		}
		for i, ze := range zr.File {
			if ze.Name != want[i].Name+".npy" {
				t.Errorf("entry %d named %q", i, ze.Name)
			}
			if wantMethod := map[bool]uint16{false: zip.Store, true: zip.Deflate}[compress]; ze.Method != wantMethod {
				t.Errorf("entry %q method %d, want %d", ze.Name, ze.Method, wantMethod)
			}
			rc, _ := ze.Open()
			got, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			var npy bytes.Buffer
			EncodeNPY(&npy, want[i])
			if !bytes.Equal(got, npy.Bytes()) {
				t.Errorf("entry %q differs from EncodeNPY", ze.Name)
			}
		}
	}
	// Output is deterministic.
	a, b := encodeNPZBytes(t, true, want...), encodeNPZBytes(t, true, want...)
	if !bytes.Equal(a, b) {
		t.Error("two encodings differ")
	}
}

// TestReadForeignNPZ reads archives built with archive/zip directly (as numpy's
// zipfile would write them: stored and deflated entries, a directory entry) from
// the golden .npy bytes.
func TestReadForeignNPZ(t *testing.T) {
	for _, method := range []uint16{zip.Store, zip.Deflate} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		zw.Create("dir/")
		for _, g := range goldenNPY {
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: g.name + ".npy", Method: method})
			io.WriteString(w, g.file)
		}
		zw.Close()
		f, err := DecodeNPZ(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "golden.npz")
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range goldenNPY {
			want := g.a
			want.Name = g.name
			if !reflect.DeepEqual(f.Arrays[i], want) {
				t.Errorf("method %d: %+v, want %+v", method, f.Arrays[i], want)
			}
		}
	}
}

func TestAccessors(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	f, err := DecodeNPZ(bytes.NewReader(encodeNPZBytes(t, false,
		randArray(r, "ys", "<f8", []int{4, 5}),
		randArray(r, "class", "<i8", []int{4}),
		randArray(r, "w", "<f4", []int{3}),
	)), -1, "prompts.npz")
	if err == nil {
		t.Fatal("negative size accepted")
	}
	raw := encodeNPZBytes(t, false,
		randArray(r, "ys", "<f8", []int{4, 5}),
		randArray(r, "class", "<i8", []int{4}),
		randArray(r, "w", "<f4", []int{3}),
	)
	if f, err = DecodeNPZ(bytes.NewReader(raw), int64(len(raw)), "prompts.npz"); err != nil {
		t.Fatal(err)
	}
	ys, shape, err := f.Float64("ys", -1, 5)
	if err != nil || len(ys) != 20 || !reflect.DeepEqual(shape, []int{4, 5}) {
		t.Errorf("Float64: %d %v %v", len(ys), shape, err)
	}
	if w, _, err := f.Float32("w", 3); err != nil || len(w) != 3 {
		t.Errorf("Float32: %v %v", w, err)
	}
	if c, _, err := f.Int64("class"); err != nil || len(c) != 4 {
		t.Errorf("Int64: %v %v", c, err)
	}
	errCases := []struct {
		err  error
		want string
	}{
		{second(f.Float64("xs")), `prompts.npz: array "xs" missing (have: ys, class, w)`},
		{second(f.Float64("ys", -1, -1, 5)), `prompts.npz: array "ys" has shape (4, 5) but 3 dimensions (*, *, 5) are needed`},
		{second(f.Float64("ys", 4, 6)), `prompts.npz: array "ys" has shape (4, 5) but (4, 6) is needed`},
		{second(f.Float64("class")), `prompts.npz: array "class" has dtype <i8 but a float array (<f8 or <f4) is needed`},
		{second(f.Float32("class", 4)), `prompts.npz: array "class" has dtype <i8 but a float array (<f8 or <f4) is needed`},
		{second(f.Int64("ys")), `prompts.npz: array "ys" has dtype <f8 but an integer array is needed`},
		{second(f.Int64("class", 5)), `prompts.npz: array "class" has shape (4,) but (5,) is needed`},
	}
	for _, c := range errCases {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("error %v\nwant %s", c.err, c.want)
		}
	}
	// A File built by hand works too.
	hf := &File{Name: "h", Arrays: []Array{NewFloat64("a", []int{1}, []float64{2})}}
	if v, _, err := hf.Float64("a", 1); err != nil || v[0] != 2 {
		t.Errorf("hand-built File: %v %v", v, err)
	}
}

func second[A, B any](_ A, _ B, err error) error { return err }

// zipOf builds an archive of raw entries.
func zipOf(method uint16, entries ...[2]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: method})
		if err != nil {
			panic(err)
		}
		io.WriteString(w, e[1])
	}
	zw.Close()
	return buf.Bytes()
}

func TestBadNPZ(t *testing.T) {
	g := goldenNPY[0].file
	stored := zipOf(zip.Store, [2]string{"a.npy", g})
	corrupt := bytes.Clone(stored)
	corrupt[bytes.Index(corrupt, []byte("\x00\x00\xf0\x3f"))] ^= 1 // a data byte: CRC mismatch
	type tc struct {
		name string
		file []byte
		want string
	}
	cases := []tc{
		{"not zip", []byte("hello"), "not a valid .npz (zip) archive"},
		{"npy not npz", []byte(g), "not a valid .npz"},
		{"crc", corrupt, "checksum"},
		{"dup", zipOf(zip.Store, [2]string{"a.npy", g}, [2]string{"a.npy", g}), `duplicate array name "a"`},
		{"not npy", zipOf(zip.Store, [2]string{"a.txt", "hi"}), `entry "a.txt": not an .npy file`},
		{"trailing", zipOf(zip.Store, [2]string{"a.npy", g + "xx"}), "trailing bytes"},
		{"trailing deflate", zipOf(zip.Deflate, [2]string{"a.npy", g + "xx"}), "trailing bytes"},
		{"bad inner", zipOf(zip.Deflate, [2]string{"a.npy", "\x93NUMPY\x09\x00"}), `entry "a.npy": unsupported .npy format version 9.0`},
	}
	for _, m := range []uint16{zip.Store, zip.Deflate} {
		for n := 0; n < len(g); n += 7 {
			cases = append(cases, tc{"truncated entry", zipOf(m, [2]string{"a.npy", g[:n]}), "truncated"})
		}
	}
	for _, c := range cases {
		_, err := DecodeNPZ(bytes.NewReader(c.file), int64(len(c.file)), "bad.npz")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "bad.npz: ") {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := ReadNPZ(filepath.Join(t.TempDir(), "none.npz")); err == nil || !strings.Contains(err.Error(), "none.npz") {
		t.Errorf("missing file: %v", err)
	}
	// Writers reject bad names before touching the disk.
	path := filepath.Join(t.TempDir(), "w.npz")
	a := NewFloat64("a", nil, []float64{1})
	for _, c := range []struct {
		arrays []Array
		want   string
	}{
		{[]Array{a, a}, `duplicate array name "a"`},
		{[]Array{NewFloat64("", nil, []float64{1})}, "empty name"},
		{[]Array{NewFloat64("b", []int{2}, []float64{1})}, "has 2 elements but Float has 1"},
	} {
		if err := WriteNPZ(path, c.arrays...); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), path) {
			t.Errorf("WriteNPZ: %v, want %q", err, c.want)
		}
		if err := EncodeNPZ(io.Discard, true, c.arrays...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("EncodeNPZ: %v, want %q", err, c.want)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("failed WriteNPZ created the file")
	}
}

func TestTruncatedNPZ(t *testing.T) {
	arrays := testArrays()[2:5]
	for _, compress := range []bool{false, true} {
		raw := encodeNPZBytes(t, compress, arrays...)
		for n := 0; n < len(raw); n++ {
			if _, err := DecodeNPZ(bytes.NewReader(raw[:n]), int64(n), "t.npz"); err == nil {
				t.Fatalf("compress=%v: prefix %d of %d decoded", compress, n, len(raw))
			}
		}
		if _, err := DecodeNPZ(bytes.NewReader(raw), int64(len(raw)), "t.npz"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestZipBombClaim: a deflated entry whose header and zip size both claim a huge
// array, but whose data is short, fails without allocating for the claim.
func TestZipBombClaim(t *testing.T) {
	f := npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }", le8(1, 2, 3))
	raw := zipOf(zip.Deflate, [2]string{"a.npy", string(f)})
	// Patch the uncompressed size in the central directory to match the claim.
	cd := bytes.LastIndex(raw, []byte("PK\x01\x02"))
	if cd < 0 {
		t.Fatal("no central directory")
	}
	claim := uint32(0xfffffff0)
	copy(raw[cd+24:cd+28], []byte{byte(claim), byte(claim >> 8), byte(claim >> 16), byte(claim >> 24)})
	var before, after runtimeMem
	before.read()
	_, err := DecodeNPZ(bytes.NewReader(raw), int64(len(raw)), "bomb.npz")
	after.read()
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("error %v", err)
	}
	if d := after.total - before.total; d > 20<<20 {
		t.Errorf("allocated %d bytes", d)
	}
}
