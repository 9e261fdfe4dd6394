package experiment

import (
	"math"
	"strings"
	"testing"
)

func TestPosteriorSpan(t *testing.T) {
	nan := math.NaN()
	r := posteriorSpan([]float64{nan, 0.5, 0.1, 0.3, nan})
	if r.min != 0.1 || r.max != 0.5 || math.Abs(r.mean-0.3) > 1e-15 {
		t.Errorf("posteriorSpan = %+v, want min 0.1, max 0.5, mean 0.3 (NaN skipped)", r)
	}
}

// MS's check on a prompt class is testable when its posterior moves, or when
// it differs on average from the other class's (no single weight matches
// both); otherwise it is not.
func TestPosteriorUntestable(t *testing.T) {
	const move = 0.3
	dense := posteriorRange{min: 0.11, max: 1, mean: 0.8}   // moves
	sparse := posteriorRange{min: 0, max: 0.11, mean: 0.02} // flat, far below dense's
	flatHigh := posteriorRange{min: 0.1, max: 0.2, mean: 0.15}
	for _, tc := range []struct {
		name     string
		posts    []posteriorRange
		i        int
		testable bool
	}{
		{"moves", []posteriorRange{dense, sparse}, 0, true},
		{"flat, other class far", []posteriorRange{dense, sparse}, 1, true},
		{"flat, other class near", []posteriorRange{flatHigh, sparse}, 1, false},
		{"flat, alone", []posteriorRange{sparse}, 0, false},
		{"range exactly move", []posteriorRange{{min: 0.2, max: 0.5, mean: 0.3}}, 0, true},
	} {
		why := posteriorUntestable(tc.posts, tc.i, move)
		if (why == "") != tc.testable {
			t.Errorf("%s: untestable %q, want testable %v", tc.name, why, tc.testable)
		}
		if why != "" && !strings.Contains(why, "does not move") {
			t.Errorf("%s: reason %q", tc.name, why)
		}
	}
}
