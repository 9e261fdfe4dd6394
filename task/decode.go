package task

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// DecodeError is a YAML configuration error at a line of the input.
type DecodeError struct {
	Line int    // 1-based; 0 when unknown
	Path string // field path from the document root, e.g. "of[1].k"
	Msg  string
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// DecodeStrict decodes one YAML document from r into dst (a pointer), refusing
// fields that dst's type does not have. Unknown fields are reported with their
// line, their path and the allowed names, all at once (joined with
// errors.Join); the decode itself runs with yaml.v3's Decoder.KnownFields(true).
// An empty input and a stream with more than one document are errors.
// DecodeStrict checks shape only: call the result's Validate for values.
func DecodeStrict(r io.Reader, dst any) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return &DecodeError{Msg: "empty document"}
		}
		return err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return err
		}
		return &DecodeError{Line: extra.Line, Msg: "more than one YAML document"}
	}
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer {
		panic("task: DecodeStrict needs a pointer")
	}
	var errs []error
	checkKnown(&doc, t, "", &errs)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	sd := yaml.NewDecoder(bytes.NewReader(data))
	sd.KnownFields(true)
	return sd.Decode(dst)
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// checkKnown walks n against type t, appending an error per mapping key that
// names no field of the struct it is decoded into.
func checkKnown(n *yaml.Node, t reflect.Type, path string, errs *[]error) {
	for n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode {
		if n.Kind == yaml.DocumentNode {
			if len(n.Content) == 0 {
				return
			}
			n = n.Content[0]
		} else {
			n = n.Alias
		}
	}
	for t.Kind() == reflect.Pointer {
		if t.Implements(unmarshalerType) {
			return
		}
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // the decoder reports the type mismatch
		}
		fields := map[string]reflect.Type{}
		yamlFields(t, fields)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			p := join(path, k.Value)
			if !ok {
				names := make([]string, 0, len(fields))
				for name := range fields {
					names = append(names, name)
				}
				sort.Strings(names)
				*errs = append(*errs, &DecodeError{Line: k.Line, Path: p,
					Msg: "unknown field; allowed: " + strings.Join(names, ", ")})
				continue
			}
			checkKnown(v, ft, p, errs)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, v := range n.Content {
			checkKnown(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkKnown(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), errs)
		}
	}
}

// yamlFields maps the YAML names of t's fields to their types, following
// yaml.v3's rules: the tag's name, else the lowercased field name; "-" skips;
// ",inline" flattens.
func yamlFields(t reflect.Type, dst map[string]reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				yamlFields(ft, dst)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		dst[name] = f.Type
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
