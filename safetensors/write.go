package safetensors

import (
	"icl/atomicfile"

	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// validate checks tensors and meta for Write.
func validate(tensors []Tensor, meta map[string]string) error {
	seen := make(map[string]bool, len(tensors))
	for _, t := range tensors {
		switch {
		case t.Name == "":
			return fmt.Errorf("tensor with an empty name")
		case t.Name == "__metadata__":
			return fmt.Errorf("tensor name %q is reserved", t.Name)
		case !utf8.ValidString(t.Name):
			return fmt.Errorf("tensor name %q is not valid UTF-8", t.Name)
		case seen[t.Name]:
			return fmt.Errorf("duplicate tensor name %q", t.Name)
		}
		seen[t.Name] = true
		n, ok := byteSize(t.Shape, 4)
		if !ok {
			return fmt.Errorf("tensor %q: shape %v has a negative dimension or too many elements", t.Name, t.Shape)
		}
		if n/4 != int64(len(t.Data)) {
			return fmt.Errorf("tensor %q: shape %v has %d elements but Data has %d", t.Name, t.Shape, n/4, len(t.Data))
		}
	}
	for k, v := range meta {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("metadata %q: %q is not valid UTF-8", k, v)
		}
	}
	return nil
}

// jsonString encodes s as a JSON string without HTML escaping.
func jsonString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)               // cannot fail for a string
	buf.Truncate(buf.Len() - 1) // Encode appends '\n'
}

// header returns the JSON header padded with spaces to a multiple of 8 bytes:
// metadata first (keys sorted), then the tensors in the given order, data laid out
// in that order without gaps.
func header(tensors []Tensor, meta map[string]string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	if len(meta) > 0 {
		keys := make([]string, 0, len(meta))
		for k := range meta {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(`"__metadata__":{`)
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			jsonString(&b, k)
			b.WriteByte(':')
			jsonString(&b, meta[k])
		}
		b.WriteByte('}')
	}
	var off int64
	for i, t := range tensors {
		if i > 0 || len(meta) > 0 {
			b.WriteByte(',')
		}
		jsonString(&b, t.Name)
		b.WriteString(`:{"dtype":"F32","shape":[`)
		for j, s := range t.Shape {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(s))
		}
		end := off + 4*int64(len(t.Data))
		fmt.Fprintf(&b, `],"data_offsets":[%d,%d]}`, off, end)
		off = end
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	return b.Bytes()
}

// Write writes tensors (as F32, data in the given order) and meta to w.
func Write(w io.Writer, tensors []Tensor, meta map[string]string) error {
	if err := validate(tensors, meta); err != nil {
		return &Error{Err: err}
	}
	if err := write(w, tensors, meta); err != nil {
		return &Error{Err: err}
	}
	return nil
}

func write(w io.Writer, tensors []Tensor, meta map[string]string) error {
	h := header(tensors, meta)
	buf := make([]byte, 8, 1<<16)
	binary.LittleEndian.PutUint64(buf, uint64(len(h)))
	if _, err := w.Write(buf); err != nil {
		return err
	}
	if _, err := w.Write(h); err != nil {
		return err
	}
	buf = buf[:0]
	for _, t := range tensors {
		for _, v := range t.Data {
			if len(buf) == cap(buf) {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	_, err := w.Write(buf)
	return err
}

// WriteFile writes tensors and meta to path atomically: a temporary file in the
// same directory, fsync, rename over path, fsync of the directory.
func WriteFile(path string, tensors []Tensor, meta map[string]string) error {
	if err := validate(tensors, meta); err != nil {
		return &Error{File: path, Err: err}
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { return write(w, tensors, meta) }); err != nil {
		return &Error{File: path, Err: err}
	}
	return nil
}
