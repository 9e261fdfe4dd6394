package config

import (
	"errors"
	"strings"
	"testing"
)

// TestDecodeKnownFields checks that the yaml.v3 strict decoder still runs
// for types whose unknown keys the pre-check cannot see (a custom unmarshaler
// field skips the walk; a map value type is walked).
func TestDecodeKnownFields(t *testing.T) {
	type inner struct {
		X int `yaml:"x"`
	}
	type outer struct {
		M map[string]inner `yaml:"m"`
	}
	var o outer
	err := Decode(strings.NewReader("m:\n  a: {x: 1}\n  b: {y: 2}\n"), &o)
	if err == nil || !strings.Contains(err.Error(), "line 3: m.b.y: unknown field; allowed: x") {
		t.Errorf("map value: error %v", err)
	}
	if err := Decode(strings.NewReader("m:\n  a: {x: 1}\n"), &o); err != nil || o.M["a"].X != 1 {
		t.Errorf("good map: %v %+v", err, o)
	}
}

type intCfg struct {
	N  int     `yaml:"n"`
	U  uint64  `yaml:"u"`
	F  float64 `yaml:"f"`
	Ns []int   `yaml:"ns"`
}

func TestDecodeIntegers(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" means accepted
		n        int
	}{
		{"n: 3", "", 3},
		{"n: 1e3", "", 1000}, // an integer written as a float
		{"n: 2.5", "line 1: n: 2.5: must be an integer", 0},
		{"n: -0.5", "n: -0.5: must be an integer", 0},
		{"n: .inf", "n: .inf: must be an integer", 0},
		{"n: .nan", "n: .nan: must be an integer", 0},
		{"u: 5.9", "u: 5.9: must be an integer", 0},
		{"ns: [1, 2.25]", "ns[1]: 2.25: must be an integer", 0},
		{"f: 2.5", "", 0},
	} {
		var c intCfg
		err := Decode(strings.NewReader(tc.in), &c)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.want == "" && c.N != tc.n:
			t.Errorf("%q: n = %d, want %d", tc.in, c.N, tc.n)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.want)
		}
	}
}

type defCfg struct {
	Batch int      `yaml:"batch"`
	Beta  float64  `yaml:"beta"`
	Kind  string   `yaml:"kind"`
	Sub   defInner `yaml:"sub"`
	Items []defInner
	Ptr   *defInner `yaml:"ptr"`
}

type defInner struct {
	Every int `yaml:"every"`
	Name  string
}

func (c *defCfg) Defaults() {
	if c.Batch == 0 {
		c.Batch = 64
	}
	if c.Beta == 0 {
		c.Beta = 0.9
	}
	if c.Kind == "" {
		c.Kind = "constant"
	}
	fill := func(d *defInner) {
		if d.Every == 0 {
			d.Every = 10
		}
	}
	fill(&c.Sub)
	for i := range c.Items {
		fill(&c.Items[i])
	}
	if c.Ptr != nil {
		fill(c.Ptr)
	}
}

func TestDecodeDefaults(t *testing.T) {
	var c defCfg
	in := "batch: 0\nbeta: 0\nsub: {name: x}\nitems: [{every: 0}, {name: y}]\nptr: {every: 0}\n"
	if err := DecodeDefaults(strings.NewReader(in), &c); err != nil {
		t.Fatal(err)
	}
	// Given: batch 0, beta 0, items[0].every 0, ptr.every 0. Absent: kind,
	// sub.every, items[1].every.
	if c.Batch != 0 || c.Beta != 0 || c.Items[0].Every != 0 || c.Ptr.Every != 0 {
		t.Errorf("given values replaced: %+v, items %+v, ptr %+v", c, c.Items, *c.Ptr)
	}
	if c.Kind != "constant" || c.Sub.Every != 10 || c.Items[1].Every != 10 {
		t.Errorf("absent values not defaulted: %+v", c)
	}
	var d defCfg
	if err := DecodeDefaults(strings.NewReader("batch: null\nbeta: 0.5\n"), &d); err != nil {
		t.Fatal(err)
	}
	if d.Batch != 64 || d.Beta != 0.5 {
		t.Errorf("null should mean absent, a value be kept: %+v", d)
	}
}

func TestUnder(t *testing.T) {
	err := Under("train", errors.Join(Must("batch", 0, "a positive integer"), Errorf("", "bad"), errors.New("plain")))
	want := "train.batch: 0: must be a positive integer\ntrain: bad\ntrain: plain"
	if err == nil || err.Error() != want {
		t.Errorf("Under: %q, want %q", err, want)
	}
	var ce *Error
	if !errors.As(err, &ce) || ce.Path != "train.batch" {
		t.Errorf("Under lost the type: %v", err)
	}
	if Under("x", nil) != nil {
		t.Error("Under(nil) != nil")
	}
}

type tagged struct {
	Scale float64 `yaml:"scale" default:"1"`
	Depth int     `yaml:"depth" default:"4"`
	Plain float64 `yaml:"plain"`
}

// TestZeroStandsForDefault checks that a field whose zero means its default
// refuses an explicit zero, and takes any other value or its absence.
func TestZeroStandsForDefault(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"scale: 0", "line 1: scale: 0: not allowed; omit the field for its default, 1"},
		{"depth: 0\n", "depth: 0: not allowed; omit the field for its default, 4"},
		{"scale: 0.0", "scale: 0.0: not allowed"},
		{"scale: 2\ndepth: 3\nplain: 0", ""},
		{"scale: null", ""},
		{"plain: 0", ""},
	} {
		var c tagged
		err := Decode(strings.NewReader(tc.in), &c)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		}
	}
}
