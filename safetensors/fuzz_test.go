package safetensors

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func FuzzRead(f *testing.F) {
	f.Add([]byte(golden))
	f.Add(build(`{"h":{"dtype":"F16","shape":[3],"data_offsets":[8,14]},"z":{"dtype":"BF16","shape":[1],"data_offsets":[14,16]},"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`,
		"\x9a\x99\x99\x99\x99\x99\xb9\x3f\x00\x3c\x00\xc0\x01\x00\x80\x3f"))
	var buf bytes.Buffer
	Write(&buf, randTensors(rand.New(rand.NewPCG(5, 6)))[:4], map[string]string{"k": "v"})
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := readBytes(data)
		if err != nil {
			return
		}
		// Whatever reads must write (as F32) and read back to the same tensors.
		var out bytes.Buffer
		if err := Write(&out, file.Tensors, file.Meta); err != nil {
			t.Fatalf("re-writing: %v", err)
		}
		again, err := readBytes(out.Bytes())
		if err != nil {
			t.Fatalf("reading the re-written file: %v", err)
		}
		sameTensors(t, again.Tensors, file.Tensors)
		if len(again.Meta) != len(file.Meta) {
			t.Fatalf("meta %v became %v", file.Meta, again.Meta)
		}
		for k, v := range file.Meta {
			if again.Meta[k] != v {
				t.Fatalf("meta %q: %q became %q", k, v, again.Meta[k])
			}
		}
	})
}
