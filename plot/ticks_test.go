package plot

import (
	"math"
	"testing"
)

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		min, max float64
		labels   []string
	}{
		{0, 40, []string{"0", "10", "20", "30", "40"}},
		{0, 29, []string{"0", "5", "10", "15", "20", "25"}},
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{0.21, 1.3, []string{"0.4", "0.6", "0.8", "1.0", "1.2"}},
		{0.2, 1.6, []string{"0.25", "0.50", "0.75", "1.00", "1.25", "1.50"}},
		{-3, 3, []string{"-3", "-2", "-1", "0", "1", "2", "3"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tk := range (niceTicks{n: 6}).Ticks(tt.min, tt.max) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
			if tk.Value < tt.min || tk.Value > tt.max {
				t.Errorf("[%g, %g]: tick %g outside range", tt.min, tt.max, tk.Value)
			}
		}
		if len(got) != len(tt.labels) {
			t.Errorf("[%g, %g]: labels %q, want %q", tt.min, tt.max, got, tt.labels)
			continue
		}
		for i := range got {
			if got[i] != tt.labels[i] {
				t.Errorf("[%g, %g]: labels %q, want %q", tt.min, tt.max, got, tt.labels)
				break
			}
		}
	}
	if ts := (niceTicks{n: 6}).Ticks(1, 1); len(ts) != 1 {
		t.Errorf("degenerate range: %d ticks, want 1", len(ts))
	}
	if ts := (niceTicks{n: 6}).Ticks(math.NaN(), 1); len(ts) != 1 {
		t.Errorf("NaN range: %d ticks, want 1", len(ts))
	}
}

func TestNiceStep(t *testing.T) {
	for _, tt := range []struct{ x, want float64 }{
		{0.9, 1}, {1, 1}, {1.1, 2}, {2.2, 2.5}, {3, 5}, {6.7, 10}, {0.048, 0.05}, {4.83, 5},
	} {
		if got := niceStep(tt.x); math.Abs(got-tt.want) > 1e-12*tt.want {
			t.Errorf("niceStep(%g) = %g, want %g", tt.x, got, tt.want)
		}
	}
}
