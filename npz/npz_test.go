package npz

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"icl/internal/memlimit"
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

// decodeAll opens the archive data and reads every array in it.
func decodeAll(data []byte, name string) ([]Array, error) {
	f, err := DecodeNPZ(bytes.NewReader(data), int64(len(data)), name)
	if err != nil {
		return nil, err
	}
	return f.All()
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
		all, err := f.All()
		if err != nil || len(all) != len(want) {
			t.Fatalf("All: %d arrays, %v", len(all), err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		for i, a := range want {
			sameArray(t, all[i], a)
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
		all, err := decodeAll(buf.Bytes(), "golden.npz")
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range goldenNPY {
			want := g.a
			want.Name = g.name
			if !reflect.DeepEqual(all[i], want) {
				t.Errorf("method %d: %+v, want %+v", method, all[i], want)
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
		_, err := decodeAll(c.file, "bad.npz")
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
			if _, err := decodeAll(raw[:n], "t.npz"); err == nil {
				t.Fatalf("compress=%v: prefix %d of %d decoded", compress, n, len(raw))
			}
		}
		if _, err := decodeAll(raw, "t.npz"); err != nil {
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
	_, err := decodeAll(raw, "bomb.npz")
	after.read()
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("error %v", err)
	}
	if d := after.total - before.total; d > 20<<20 {
		t.Errorf("allocated %d bytes", d)
	}
}

// Offsets of fields in a zip central directory header.
const (
	cdCRC32 = 16
	cdSize  = 24 // uncompressed size
)

// patchSize sets the uncompressed size that the central directory declares for
// the entry called name.
func patchSize(t *testing.T, raw []byte, name string, size uint32) {
	t.Helper()
	patchDir(t, raw, name, cdSize, size)
}

// patchDir sets the 32-bit field at offset field of the central directory
// header of the entry called name.
func patchDir(t *testing.T, raw []byte, name string, field int, v uint32) {
	t.Helper()
	for off := 0; ; {
		i := bytes.Index(raw[off:], []byte("PK\x01\x02"))
		if i < 0 {
			t.Fatalf("no central directory entry %q", name)
		}
		cd := off + i
		nlen := int(binary.LittleEndian.Uint16(raw[cd+28:]))
		if string(raw[cd+46:cd+46+nlen]) == name {
			binary.LittleEndian.PutUint32(raw[cd+field:], v)
			return
		}
		off = cd + 4
	}
}

// claimNPY is an .npy file whose header declares a shape of |u1 bytes but that
// holds only three of them, and the entry size consistent with the claim.
func claimNPY(shape string, n uint32) (file string, declared uint32) {
	f := npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': "+shape+", }", "\x01\x02\x03")
	return string(f), uint32(len(f)-3) + n
}

// TestLazyEntries checks that an archive's arrays are read by name, only when
// asked for: an archive with a corrupt entry and an entry declaring a 2 GiB
// |u1 array (16 GiB as int64) next to the arrays a command needs gives those
// arrays; the others fail only when asked for, the huge one before it is
// inflated.
func TestLazyEntries(t *testing.T) {
	withMemoryLimit(t, 1<<30)
	r := rand.New(rand.NewPCG(9, 10))
	xs := randArray(r, "xs", "<f8", []int{2, 3, 4})
	ys := randArray(r, "ys", "<f4", []int{2, 3})
	var npyXs, npyYs bytes.Buffer
	EncodeNPY(&npyXs, xs)
	EncodeNPY(&npyYs, ys)
	bomb, declared := claimNPY("(2147483648,)", 1<<31)
	g := goldenNPY[0].file
	for _, method := range []uint16{zip.Store, zip.Deflate} {
		raw := zipOf(method, [2]string{"xs.npy", npyXs.String()}, [2]string{"bomb.npy", bomb},
			[2]string{"corrupt.npy", g}, [2]string{"ys.npy", npyYs.String()})
		patchSize(t, raw, "bomb.npy", declared)
		patchDir(t, raw, "corrupt.npy", cdCRC32, 12345) // not its data's CRC-32
		var before, after runtimeMem
		before.read()
		f, err := DecodeNPZ(bytes.NewReader(raw), int64(len(raw)), "p.npz")
		if err != nil {
			t.Fatalf("method %d: %v", method, err)
		}
		if got := f.Names(); !reflect.DeepEqual(got, []string{"xs", "bomb", "corrupt", "ys"}) {
			t.Errorf("method %d: names %v", method, got)
		}
		if _, _, err := f.Float64("xs", 2, 3, 4); err != nil {
			t.Errorf("method %d: xs: %v", method, err)
		}
		gx, _ := f.Get("xs")
		sameArray(t, gx, xs)
		if gy, _, err := f.Float32("ys", 2, -1); err != nil || len(gy) != 6 {
			t.Errorf("method %d: ys: %v", method, err)
		}
		if !f.Has("bomb") || f.Has("zs") {
			t.Errorf("method %d: Has", method)
		}
		// Shape and dtype are checked from the header, before any data.
		for _, c := range []struct {
			err  error
			want string
		}{
			{second(f.Float64("bomb")), `p.npz: array "bomb" has dtype |u1 but a float array (<f8 or <f4) is needed`},
			{second(f.Int64("bomb", 5)), `p.npz: array "bomb" has shape (2147483648,) but (5,) is needed`},
			{second(f.Int64("bomb")), `p.npz: entry "bomb.npy": reading the array needs an estimated 32 GiB of memory, more than the 1 GiB available (GOMEMLIMIT)`},
			{second(f.Float64("corrupt")), `p.npz: entry "corrupt.npy": after the array data: zip: checksum error`},
			{second(f.Int64("zs")), `p.npz: array "zs" missing (have: xs, bomb, corrupt, ys)`},
		} {
			if c.err == nil || !strings.HasPrefix(c.err.Error(), c.want) {
				t.Errorf("method %d: error %v\nwant %s...", method, c.err, c.want)
			}
		}
		var me *memlimit.Error
		if _, err := f.Array("bomb"); !errors.As(err, &me) {
			t.Errorf("method %d: bomb: %v, want a *memlimit.Error", method, err)
		}
		after.read()
		if d := after.total - before.total; d > 20<<20 {
			t.Errorf("method %d: allocated %d bytes", method, d)
		}
		// Get reports the corrupt entry present, and Array its error, every time.
		if a, ok := f.Get("corrupt"); !ok || a.Float != nil || a.Int != nil {
			t.Errorf("method %d: Get(corrupt) = %+v, %v", method, a, ok)
		}
		_, err1 := f.Array("corrupt")
		_, err2 := f.Array("corrupt")
		if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
			t.Errorf("method %d: corrupt entry: %v, then %v", method, err1, err2)
		}
		if _, err := f.All(); err == nil {
			t.Errorf("method %d: All read the corrupt and the huge entries", method)
		}
	}
}

// TestReadNPZClose checks that arrays read before Close stay valid, and that
// arrays not read cannot be read after it.
func TestReadNPZClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.npz")
	want := testArrays()
	if err := WriteNPZCompressed(path, want...); err != nil {
		t.Fatal(err)
	}
	f, err := ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	xs, err := f.Array("xs")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	again, err := f.Array("xs")
	if err != nil {
		t.Fatal(err)
	}
	sameArray(t, again, xs)
	sameArray(t, xs, want[0])
	if _, err := f.Array("ys"); err == nil || !strings.Contains(err.Error(), `array "ys": the file is closed`) {
		t.Errorf("reading after Close: %v", err)
	}
}

// TestEntrySizes checks an entry's sizes before and while it is inflated: the
// .npy header must account for exactly the size the zip directory declares,
// and data past the declared size is an error, for stored and deflated entries.
func TestEntrySizes(t *testing.T) {
	g := goldenNPY[0].file
	for _, method := range []uint16{zip.Store, zip.Deflate} {
		for _, c := range []struct {
			name     string
			declared int
			want     string
		}{
			{"declares less than the data", len(g) - 8, "truncated: shape (2, 3) of <f8 needs 48 data bytes, only 40 present"},
			{"declares more than the data", len(g) + 8, fmt.Sprintf("trailing bytes after the array data (the entry declares %d bytes, the array is %d)", len(g)+8, len(g))},
		} {
			raw := zipOf(method, [2]string{"a.npy", g})
			patchSize(t, raw, "a.npy", uint32(c.declared))
			_, err := decodeAll(raw, "s.npz")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("method %d, %s: %v, want %q", method, c.name, err, c.want)
			}
		}
		// The header accounts for the declared size, but the entry holds
		// more: it inflates past its declared size.
		long := npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", le8(1, 2, 3, 4))
		raw := zipOf(method, [2]string{"a.npy", string(long)})
		patchSize(t, raw, "a.npy", uint32(len(long)-16))
		_, err := decodeAll(raw, "s.npz")
		if want := fmt.Sprintf(`s.npz: entry "a.npy": the entry inflates past its declared size of %d bytes`, len(long)-16); err == nil || err.Error() != want {
			t.Errorf("method %d, longer than declared: %v, want %q", method, err, want)
		}
	}
}
