package rng

import "testing"

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
