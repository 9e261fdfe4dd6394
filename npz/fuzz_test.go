package npz

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"icl/internal/memlimit"
)

func FuzzReadNPY(f *testing.F) {
	for _, g := range goldenNPY {
		f.Add([]byte(g.file))
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, descr := range allDTypes {
		var buf bytes.Buffer
		EncodeNPY(&buf, randArray(r, "", descr, []int{2, 3}))
		f.Add(buf.Bytes())
	}
	f.Add(npyBytes("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 2), }", "\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := DecodeNPY(bytes.NewReader(data), "fuzz")
		b, used, err2 := decodeNPY(bytes.NewReader(data), int64(len(data)), true)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("stream and sized readers disagree: %v vs %v", err, err2)
		}
		if err != nil {
			return
		}
		if used > int64(len(data)) {
			t.Fatalf("consumed %d of %d bytes", used, len(data))
		}
		b.Name = a.Name
		sameArray(t, b, a)
		// Whatever was read must write and read back identically.
		var buf bytes.Buffer
		if err := EncodeNPY(&buf, a); err != nil {
			t.Fatalf("re-encoding a decoded array: %v", err)
		}
		c, err := DecodeNPY(&buf, "fuzz")
		if err != nil {
			t.Fatalf("decoding a re-encoded array: %v", err)
		}
		sameArray(t, c, a)
		for _, v := range a.Float {
			if a.DType == "<f4" && !math.IsNaN(v) && float64(float32(v)) != v {
				t.Fatalf("<f4 value %v is not a float32", v)
			}
		}
	})
}

func FuzzReadNPZ(f *testing.F) {
	arrays := testArrays()[1:5]
	var buf bytes.Buffer
	EncodeNPZ(&buf, false, arrays...)
	f.Add(buf.Bytes())
	buf.Reset()
	EncodeNPZ(&buf, true, arrays...)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		arrays, err := decodeAll(data, "fuzz.npz")
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := EncodeNPZ(&out, true, arrays...); err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		again, err := decodeAll(out.Bytes(), "again.npz")
		if err != nil {
			t.Fatalf("decoding the re-encoding: %v", err)
		}
		for i := range arrays {
			sameArray(t, again[i], arrays[i])
		}
	})
}

// FuzzDecodeNPZ reads multi-entry archives lazily, by name, in an order and
// with accessors the fuzzer picks, and checks each against reading every entry
// in archive order from a fresh File: the same array or the same error,
// whatever was read before it; shape and dtype checks agree with the array
// read; and whatever was read writes and reads back identically.
func FuzzDecodeNPZ(f *testing.F) {
	r := rand.New(rand.NewPCG(11, 12))
	var arrays []Array
	for i, descr := range allDTypes {
		arrays = append(arrays, randArray(r, fmt.Sprintf("a%d", i), descr, testShapes[i%len(testShapes)]))
	}
	for _, compress := range []bool{false, true} {
		var buf bytes.Buffer
		EncodeNPZ(&buf, compress, arrays...)
		f.Add(buf.Bytes(), []byte{0, 5, 1, 17, 200, 3, 42})
		buf.Reset()
		EncodeNPZ(&buf, compress, testArrays()...)
		f.Add(buf.Bytes(), []byte{5, 4, 3, 2, 1, 0, 9, 99})
	}
	fortran := npyBytes("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 2), }", "\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\x04")
	claim := npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2147483648,), }", "\x01\x02\x03")
	for _, method := range []uint16{zip.Store, zip.Deflate} {
		f.Add(zipOf(method, [2]string{"f.npy", string(fortran)}, [2]string{"g.npy", goldenNPY[1].file},
			[2]string{"claim.npy", string(claim)}, [2]string{"h.npy", goldenNPY[2].file}), []byte{2, 0, 1, 3, 6, 7})
	}
	f.Fuzz(func(t *testing.T, data, picks []byte) {
		open := func() *File {
			file, err := DecodeNPZ(bytes.NewReader(data), int64(len(data)), "fuzz.npz")
			if err != nil {
				return nil
			}
			return file
		}
		ref := open()
		if ref == nil {
			return
		}
		names := ref.Names()
		if len(names) == 0 {
			return
		}
		type result struct {
			a   Array
			err error
		}
		want := map[string]result{}
		for _, n := range names {
			a, err := ref.Array(n)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.File != "fuzz.npz" {
					t.Fatalf("%s: error %v is not an *Error naming the file", n, err)
				}
			}
			want[n] = result{a, err}
		}
		// Errors that depend on the memory available now are compared by
		// kind only.
		sameErr := func(n string, got, want error) {
			t.Helper()
			var me *memlimit.Error
			if (got == nil) != (want == nil) || (got != nil && !errors.As(want, &me) && got.Error() != want.Error()) {
				t.Fatalf("%s: error %v, in archive order %v", n, got, want)
			}
		}
		lazy := open()
		for _, p := range picks {
			n := names[int(p)%len(names)]
			w := want[n]
			switch p / 64 {
			case 0:
				a, err := lazy.Array(n)
				sameErr(n, err, w.err)
				if err == nil {
					sameArray(t, a, w.a)
				}
			case 1:
				_, shape, err := lazy.Float64(n, w.a.Shape...)
				if (err == nil) != (w.err == nil && w.a.Float != nil) {
					t.Fatalf("%s: Float64: %v; in archive order %v, dtype %s", n, err, w.err, w.a.DType)
				}
				if err == nil && !reflect.DeepEqual(shape, w.a.Shape) {
					t.Fatalf("%s: Float64 shape %v, want %v", n, shape, w.a.Shape)
				}
			case 2:
				if _, _, err := lazy.Int64(n, w.a.Shape...); (err == nil) != (w.err == nil && w.a.Int != nil) {
					t.Fatalf("%s: Int64: %v; in archive order %v, dtype %s", n, err, w.err, w.a.DType)
				}
			default:
				// A shape the array does not have is refused.
				if _, _, err := lazy.Float64(n, append(slices.Clone(w.a.Shape), 1)...); err == nil {
					t.Fatalf("%s: Float64 accepted shape %v for an array of shape %v", n, append(w.a.Shape, 1), w.a.Shape)
				}
			}
		}
		var ok []Array
		for _, n := range names {
			if w := want[n]; w.err == nil {
				ok = append(ok, w.a)
			}
		}
		var out bytes.Buffer
		if err := EncodeNPZ(&out, true, ok...); err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		again, err := decodeAll(out.Bytes(), "again.npz")
		if err != nil {
			t.Fatalf("decoding the re-encoding: %v", err)
		}
		for i := range ok {
			sameArray(t, again[i], ok[i])
		}
	})
}

// FuzzReadFile reads the input as an .npy file (ReadNPY) and as an .npz file
// (ReadNPZ) from disk, and checks that they agree with the readers of bytes in
// memory: ReadNPY with decodeNPY of the whole file, which must use it all, and
// ReadNPZ with DecodeNPZ.
func FuzzReadFile(f *testing.F) {
	for _, g := range goldenNPY {
		f.Add([]byte(g.file))
		f.Add([]byte(g.file + "x"))
	}
	var buf bytes.Buffer
	EncodeNPZ(&buf, true, testArrays()...)
	f.Add(buf.Bytes())
	dir := f.TempDir()
	npyPath, npzPath := filepath.Join(dir, "f.npy"), filepath.Join(dir, "f.npz")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(npyPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(npzPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := ReadNPY(npyPath)
		b, used, err2 := decodeNPY(bytes.NewReader(data), int64(len(data)), true)
		if err2 == nil && used != int64(len(data)) {
			err2 = errors.New("trailing bytes")
		}
		if (err == nil) != (err2 == nil) {
			t.Fatalf("ReadNPY: %v; in memory: %v", err, err2)
		}
		if err != nil && !strings.HasPrefix(err.Error(), npyPath+": ") {
			t.Fatalf("ReadNPY error %q does not name the file", err)
		}
		if err == nil {
			if a.Name != "f" {
				t.Fatalf("ReadNPY named the array %q", a.Name)
			}
			b.Name = a.Name
			sameArray(t, a, b)
		}
		file, err := ReadNPZ(npzPath)
		mem, err2 := DecodeNPZ(bytes.NewReader(data), int64(len(data)), npzPath)
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("ReadNPZ: %v; DecodeNPZ: %v", err, err2)
		}
		if err != nil {
			return
		}
		defer file.Close()
		// Errors of the two io.ReaderAt (an *os.File, a *bytes.Reader) word
		// the same problem differently.
		for _, n := range mem.Names() {
			x, err := file.Array(n)
			y, err2 := mem.Array(n)
			if (err == nil) != (err2 == nil) || (err != nil && !strings.HasPrefix(err.Error(), npzPath+": ")) {
				t.Fatalf("%s: ReadNPZ: %v; DecodeNPZ: %v", n, err, err2)
			}
			if err == nil {
				sameArray(t, x, y)
			}
		}
	})
}
