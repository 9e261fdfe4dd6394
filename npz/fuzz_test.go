package npz

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
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
		file, err := DecodeNPZ(bytes.NewReader(data), int64(len(data)), "fuzz.npz")
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := EncodeNPZ(&out, true, file.Arrays...); err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		again, err := DecodeNPZ(bytes.NewReader(out.Bytes()), int64(out.Len()), "again.npz")
		if err != nil {
			t.Fatalf("decoding the re-encoding: %v", err)
		}
		for i := range file.Arrays {
			sameArray(t, again.Arrays[i], file.Arrays[i])
		}
	})
}
