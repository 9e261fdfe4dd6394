package named

import (
	"fmt"
	"slices"
	"testing"
)

type item struct{ n, v string }

func itemName(it item) string { return it.n }

func TestFind(t *testing.T) {
	items := []item{{"a", "1"}, {"b", "2"}, {"a", "3"}}
	var idx map[string]int
	for _, tc := range []struct {
		want, v string
		ok      bool
	}{{"a", "1", true}, {"b", "2", true}, {"c", "", false}} {
		got, ok := Find(&idx, items, itemName, tc.want)
		if ok != tc.ok || got.v != tc.v {
			t.Errorf("Find(%q) = %v, %v; want %q, %v", tc.want, got, ok, tc.v, tc.ok)
		}
	}
	if !slices.Equal(Names(items, itemName), []string{"a", "b", "a"}) {
		t.Errorf("Names = %v", Names(items, itemName))
	}
}

func TestList(t *testing.T) {
	var many []string
	for i := range 14 {
		many = append(many, fmt.Sprint(i))
	}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{nil, "none"},
		{[]string{"xs", "ys"}, "xs, ys"},
		{many, "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ... (2 more)"},
	} {
		if got := List(tc.names); got != tc.want {
			t.Errorf("List(%v) = %q, want %q", tc.names, got, tc.want)
		}
	}
}
