package prompt

import (
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"icl/npz"
	"icl/task"
)

// A prompts file gives back the batch and the config it was written with,
// for every kind of batch: a mixture (class array), a query setting, and the
// orthogonal setting whose queries end early (QueryLen from the NaN labels).
func TestNPZRoundTrip(t *testing.T) {
	mix := task.Spec{Class: task.ClassMixture, Weights: []float64{0.5, 0.5},
		Of: []task.Spec{{Class: task.ClassDenseLinear}, {Class: task.ClassSparseLinear, K: 1}}}
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"mixture", Config{Task: mix, Dim: 3, Points: 5, Prompts: 4, Seed: 2}},
		{"repeat", Config{Task: task.Spec{Class: task.ClassDenseLinear}, Dim: 2, Points: 4, Prompts: 3, Seed: 1,
			Setting: Setting{Query: QueryRepeat}}},
		{"orthogonal", Config{Task: task.Spec{Class: task.ClassDenseLinear}, Dim: 2, Points: 5, Prompts: 3, Seed: 1,
			Setting: Setting{Query: QueryOrthogonal}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, _, err := c.cfg.Draw()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "p.npz")
			if err := WriteNPZ(path, b, c.cfg); err != nil {
				t.Fatal(err)
			}
			got, cfg, ok, err := ReadNPZ(path)
			if err != nil || !ok {
				t.Fatalf("ReadNPZ: ok %v, %v", ok, err)
			}
			if !reflect.DeepEqual(cfg, c.cfg) {
				t.Errorf("config %+v, want %+v", cfg, c.cfg)
			}
			if got.B != b.B || got.N != b.N || got.D != b.D || got.QueryLen != b.QueryLen {
				t.Errorf("shape B %d N %d D %d QueryLen %d, want %d %d %d %d", got.B, got.N, got.D, got.QueryLen, b.B, b.N, b.D, b.QueryLen)
			}
			same := func(name string, a, w []float64) {
				if !slices.EqualFunc(a, w, func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }) {
					t.Errorf("%s = %v, want %v", name, a, w)
				}
			}
			same("xs", got.Xs, b.Xs)
			same("ys", got.Ys, b.Ys)
			same("scale", got.Scale, b.Scale)
			same("query_xs", got.QXs, b.QXs)
			same("query_ys", got.QYs, b.QYs)
			if !slices.Equal(got.Class, b.Class) {
				t.Errorf("class = %v, want %v", got.Class, b.Class)
			}
		})
	}
}

// A file with only xs and ys (written by numpy, say) reads as a batch without
// scales, queries or prior, every position scored.
func TestReadNPZMinimal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.npz")
	xs := []float64{1, 2, 3, 4, 5, 6}
	ys := []float64{7, 8, 9}
	if err := npz.WriteNPZ(path, npz.NewFloat64("xs", []int{1, 3, 2}, xs), npz.NewFloat64("ys", []int{1, 3}, ys)); err != nil {
		t.Fatal(err)
	}
	b, _, ok, err := ReadNPZ(path)
	if err != nil || ok {
		t.Fatalf("ok %v, err %v; want a batch without a config", ok, err)
	}
	if b.B != 1 || b.N != 3 || b.D != 2 || b.QueryLen != 3 || b.Scale != nil || b.QXs != nil || b.Class != nil {
		t.Fatalf("batch %+v", b)
	}
	if !slices.Equal(b.Xs, xs) || !slices.Equal(b.Ys, ys) {
		t.Fatalf("xs %v ys %v", b.Xs, b.Ys)
	}
}
