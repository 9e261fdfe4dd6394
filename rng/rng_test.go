package rng

import (
	"hash/fnv"
	"testing"
)

func TestSameLabelsSameBits(t *testing.T) {
	a, b := New(7, 1, 2), New(7, 1, 2)
	for i := 0; i < 100; i++ {
		if x, y := a.Uint64(), b.Uint64(); x != y {
			t.Fatalf("draw %d: %x != %x", i, x, y)
		}
	}
}

func TestLabelsSeparateStreams(t *testing.T) {
	cases := [][]uint64{{}, {0}, {1}, {1, 2}, {2, 1}, {1, 2, 0}}
	seen := map[uint64]int{}
	for i, ls := range cases {
		v := New(7, ls...).Uint64()
		if j, ok := seen[v]; ok {
			t.Fatalf("labels %v and %v give the same first draw", cases[j], ls)
		}
		seen[v] = i
	}
	if New(7, 1).Uint64() == New(8, 1).Uint64() {
		t.Fatal("seeds 7 and 8 give the same first draw")
	}
}

func TestNameIsFNV1a64(t *testing.T) {
	for _, s := range []string{"", "a", "e3/k=1", "e1/dense#3", "E7/sparse/excess/transformer-lasso", "\x00\xff"} {
		h := fnv.New64a()
		h.Write([]byte(s))
		if got, want := Name(s), h.Sum64(); got != want {
			t.Errorf("Name(%q) = %#x, want %#x", s, got, want)
		}
	}
}

func TestStreamValues(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint64
	}{
		{"StreamSelectionWeight", StreamSelectionWeight, 1 << 32},
		{"StreamSelectionPosterior", StreamSelectionPosterior, 1<<32 + 1},
		{"StreamSweepWeight", StreamSweepWeight, 7},
		{"StreamPaired", StreamPaired, 0},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d (recorded intervals depend on it)", c.name, c.got, c.want)
		}
	}
}
