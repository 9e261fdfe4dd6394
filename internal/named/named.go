// Package named finds the items of a list by name: the arrays of an npz
// file, the tensors of a safetensors file. The first item of a name wins.
package named

import (
	"fmt"
	"strings"
)

// Names returns the name of each item, in order.
func Names[T any](items []T, name func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = name(it)
	}
	return out
}

// Find returns the first item of items called want. *index maps names to
// positions; Find builds it on first use (nil), so later lookups are O(1).
// items must not change once the index is built.
func Find[T any](index *map[string]int, items []T, name func(T) string, want string) (T, bool) {
	if *index == nil {
		m := make(map[string]int, len(items))
		for i, it := range items {
			if _, dup := m[name(it)]; !dup {
				m[name(it)] = i
			}
		}
		*index = m
	}
	i, ok := (*index)[want]
	if !ok {
		var zero T
		return zero, false
	}
	return items[i], true
}

// List joins up to 12 names for an error message, "none" for none.
func List(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	const most = 12
	if len(names) > most {
		return strings.Join(names[:most], ", ") + fmt.Sprintf(", ... (%d more)", len(names)-most)
	}
	return strings.Join(names, ", ")
}
