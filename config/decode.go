package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Decode decodes one YAML document from r into dst (a pointer), refusing
// fields that dst's type does not have and non-integers for integer fields.
// Unknown fields are reported with their line, their path and the allowed
// names, all at once (joined with errors.Join); the decode itself runs with
// yaml.v3's Decoder.KnownFields(true). An empty input and a stream with more
// than one document are errors. Decode checks shape only: call the result's
// Validate for values.
func Decode(r io.Reader, dst any) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, err = decode(data, dst)
	return err
}

// Defaulter is a config that fills its unset (zero) fields with defaults.
type Defaulter interface{ Defaults() }

// DecodeDefaults is Decode followed by dst.Defaults(), except that a value the
// input gives is never replaced: where Defaults changed a field that the
// document sets (to 0, say), the given value is put back, for the config's
// Validate to use or refuse by name. A field given as null counts as absent.
func DecodeDefaults(r io.Reader, dst Defaulter) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	doc, err := decode(data, dst)
	if err != nil {
		return err
	}
	// A second decode is a deep copy of the values as given.
	given := reflect.New(reflect.TypeOf(dst).Elem())
	if _, err := decode(data, given.Interface()); err != nil {
		return err
	}
	dst.Defaults()
	restore(doc, reflect.ValueOf(dst).Elem(), given.Elem())
	return nil
}

// decode is Decode on data; it returns the parsed document.
func decode(data []byte, dst any) (*yaml.Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, &Error{Msg: "empty document"}
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, err
		}
		return nil, &Error{Line: extra.Line, Msg: "more than one YAML document"}
	}
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer {
		panic("config: Decode needs a pointer")
	}
	var errs []error
	checkKnown(&doc, t, "", &errs)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sd := yaml.NewDecoder(bytes.NewReader(data))
	sd.KnownFields(true)
	if err := sd.Decode(dst); err != nil {
		return nil, err
	}
	return &doc, nil
}

// restore walks the document n over dst and given (values of one type) and
// sets each field of dst that n gives back to given's value where they differ.
func restore(n *yaml.Node, dst, given reflect.Value) {
	n = resolve(n)
	if n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null") {
		return
	}
	for dst.Kind() == reflect.Pointer {
		if dst.IsNil() || given.IsNil() {
			break
		}
		dst, given = dst.Elem(), given.Elem()
	}
	custom := dst.CanAddr() && dst.Addr().Type().Implements(unmarshalerType)
	if dst.Kind() == reflect.Struct && n.Kind == yaml.MappingNode && !custom {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if idx, ok := fieldIndex(dst.Type(), n.Content[i].Value); ok {
				restore(n.Content[i+1], dst.FieldByIndex(idx), given.FieldByIndex(idx))
			}
		}
		return
	}
	if dst.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode && dst.Len() == given.Len() && !custom {
		for i := 0; i < dst.Len() && i < len(n.Content); i++ {
			restore(n.Content[i], dst.Index(i), given.Index(i))
		}
		return
	}
	if !reflect.DeepEqual(dst.Interface(), given.Interface()) && dst.CanSet() {
		dst.Set(given)
	}
}

// resolve follows documents and aliases to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode) {
		if n.Kind == yaml.DocumentNode {
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		} else {
			n = n.Alias
		}
	}
	return n
}

// fieldIndex returns the index path of the field of struct type t whose YAML
// name is name (yamlFields' rules), if it is reached without passing through
// a pointer.
func fieldIndex(t reflect.Type, name string) ([]int, bool) {
	f, ok := yamlFields(t)[name]
	return f.index, ok && f.index != nil
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
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" {
			var f float64
			if err := n.Decode(&f); err != nil || f != math.Trunc(f) || math.IsInf(f, 0) {
				*errs = append(*errs, &Error{Line: n.Line, Path: path,
					Msg: fmt.Sprintf("%s: must be an integer", n.Value)})
			}
		}
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // the decoder reports the type mismatch
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			p := join(path, k.Value)
			if !ok {
				names := make([]string, 0, len(fields))
				for name := range fields {
					names = append(names, name)
				}
				sort.Strings(names)
				*errs = append(*errs, &Error{Line: k.Line, Path: p,
					Msg: "unknown field; allowed: " + strings.Join(names, ", ")})
				continue
			}
			if def := f.Tag.Get("default"); def != "" {
				if sv := resolve(v); sv.Kind == yaml.ScalarNode && sv.ShortTag() != "!!null" {
					z := reflect.New(f.Type)
					if sv.Decode(z.Interface()) == nil && z.Elem().IsZero() {
						*errs = append(*errs, &Error{Line: sv.Line, Path: p,
							Msg: fmt.Sprintf("%s: not allowed; omit the field for its default, %s", sv.Value, def)})
						continue
					}
				}
			}
			checkKnown(v, f.Type, p, errs)
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

// yamlField is a struct field as the YAML decoder sees it: the field, and its
// index path from the outer struct (nil when an inlined pointer lies between).
type yamlField struct {
	reflect.StructField
	index []int
}

// yamlFields maps the YAML names of t's fields to the fields, following
// yaml.v3's rules: the tag's name, else the lowercased field name; "-" skips;
// ",inline" flattens.
func yamlFields(t reflect.Type) map[string]yamlField {
	dst := map[string]yamlField{}
	addYAMLFields(dst, t, []int{})
	return dst
}

// addYAMLFields adds t's fields to dst; prefix is t's index path (nil
// through a pointer).
func addYAMLFields(dst map[string]yamlField, t reflect.Type, prefix []int) {
	at := func(i int) []int {
		if prefix == nil {
			return nil
		}
		return append(slices.Clone(prefix), i)
	}
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
			switch {
			case f.Type.Kind() == reflect.Struct:
				addYAMLFields(dst, f.Type, at(i))
			case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct:
				addYAMLFields(dst, f.Type.Elem(), nil)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		dst[name] = yamlField{f, at(i)}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
