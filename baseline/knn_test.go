package baseline

import (
	"sort"
	"testing"

	"icl/rng"
)

// TestKNNMatchesStableSort compares KNN's running selection with a full stable
// sort of the distances (the definition: K nearest, ties to the earlier point,
// y averaged in that order) bit for bit, on prompts with repeated points so
// that ties occur, for K = 1..5.
func TestKNNMatchesStableSort(t *testing.T) {
	r := rng.New(8)
	d, n := 3, 30
	xs, ys := randMat(r, n*d), randMat(r, n)
	for _, rep := range [][2]int{{5, 1}, {9, 1}, {12, 4}, {20, 9}, {21, 9}} { // point rep[0] = point rep[1]
		copy(xs[rep[0]*d:(rep[0]+1)*d], xs[rep[1]*d:(rep[1]+1)*d])
	}
	for k := 1; k <= 5; k++ {
		got := make([]float64, n)
		KNN{K: k}.Predict(got, xs, ys, n, d)
		for i := 1; i < n; i++ {
			type nb struct {
				dist float64
				j    int
			}
			var nbs []nb
			for j := 0; j < i; j++ {
				s := 0.0
				for c := 0; c < d; c++ {
					e := xs[j*d+c] - xs[i*d+c]
					s += e * e
				}
				nbs = append(nbs, nb{s, j})
			}
			sort.SliceStable(nbs, func(a, b int) bool { return nbs[a].dist < nbs[b].dist })
			s := 0.0
			for _, q := range nbs[:min(k, i)] {
				s += ys[q.j]
			}
			if want := s / float64(min(k, i)); got[i] != want {
				t.Errorf("k=%d i=%d: got %v, stable sort %v", k, i, got[i], want)
			}
		}
	}
}
