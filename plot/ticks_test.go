package plot

import (
	"math"
	"strings"
	"testing"

	gplot "gonum.org/v1/plot"
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

func TestFormatNumber(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {15654897.004, "1.57e7"}, {655, "655"}, {1234.6, "1235"}, {45.2, "45.2"},
		{0.0185, "0.0185"}, {0.065, "0.065"}, {1, "1"}, {6.7e-23, "6.7e-23"}, {1e-4, "1e-4"},
		{-2.5e-7, "-2.5e-7"}, {1e4, "1e4"}, {0.001, "0.001"}, {math.NaN(), "NaN"},
	} {
		if got := FormatNumber(tt.v); got != tt.want {
			t.Errorf("FormatNumber(%g) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func labels(ts []gplot.Tick) []string {
	var out []string
	for _, t := range ts {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestLogTicks(t *testing.T) {
	for _, tt := range []struct {
		min, max float64
		want     string
	}{
		{0.1, 7, "0.1 0.2 0.5 1 2 5"}, // E6's frequency bands
		{1e-4, 1.1, "1e-4 0.001 0.01 0.1 1"},
		{1e-12, 1e4, "1e-12 1e-9 1e-6 0.001 1 1000"},
		{2, 9, "2 3 4 5 6 7 8 9"},
		{2.1, 2.9, "2.2 2.4 2.6 2.8"}, // no power of ten: linear ticks
	} {
		ts := logTicks{}.Ticks(tt.min, tt.max)
		if got := strings.Join(labels(ts), " "); got != tt.want {
			t.Errorf("[%g, %g]: labels %q, want %q", tt.min, tt.max, got, tt.want)
		}
		for _, tk := range ts {
			if tk.Value < tt.min*(1-1e-9) || tk.Value > tt.max*(1+1e-9) {
				t.Errorf("[%g, %g]: tick %g outside", tt.min, tt.max, tk.Value)
			}
		}
	}
}

// Large and tiny linear ranges get compact labels that tell ticks apart.
func TestNiceTicksCompact(t *testing.T) {
	for _, tt := range []struct {
		min, max float64
		want     string
	}{
		{0, 1.6e7, "0 5e6 1e7 1.5e7"}, {0, 1.2e7, "0 2e6 4e6 6e6 8e6 1e7 1.2e7"},
		{0, 5e-7, "0 1e-7 2e-7 3e-7 4e-7 5e-7"},
		{1e6, 1e6 + 10, "1e6 1.000002e6 1.000004e6 1.000006e6 1.000008e6 1.00001e6"},
	} {
		if got := strings.Join(labels(niceTicks{n: 6}.Ticks(tt.min, tt.max)), " "); got != tt.want {
			t.Errorf("[%g, %g]: labels %q, want %q", tt.min, tt.max, got, tt.want)
		}
	}
}

// XTicks label the x axis at exactly their values (a budget axis: 4e5 is
// labelled, which the automatic log ticks over less than a decade skip), and
// a tick off a log axis is refused.
func TestXTicks(t *testing.T) {
	f := Figure{LogX: true, XTicks: []float64{5e4, 1e5, 2e5, 4e5},
		Series: []Series{{Name: "a", X: []float64{5e4, 1e5, 2e5, 4e5}, Y: []float64{0.4, 0.2, 0.1, 0.05}}}}
	b, err := f.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	text := svgText(t, b)
	for _, want := range []string{"5e4", "1e5", "2e5", "4e5"} {
		if !strings.Contains(text, want) {
			t.Errorf("x tick %s not labelled: %q", want, text)
		}
	}
	if strings.Contains(text, "3e5") {
		t.Errorf("a tick beside XTicks is labelled: %q", text)
	}
	f.XTicks = []float64{0, 1e5}
	if _, err := f.Render("svg"); err == nil || !strings.Contains(err.Error(), "x tick 0") {
		t.Errorf("an x tick of 0 on a log axis: err = %v", err)
	}
}
