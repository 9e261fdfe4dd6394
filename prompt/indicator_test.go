package prompt

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"icl/config"
	"icl/task"
)

// A family indicator draws nothing before the prompt's points: prompts drawn
// with FamilyIndicator 0, 0.5 and 1 are the same bits; 0 leaves Indicator
// nil, 1 shows every prompt's component, 0.5 shows a fraction within 4
// standard deviations of one half, each shown prompt its own component, and
// the draw is the same on any number of workers.
func TestFamilyIndicatorDraw(t *testing.T) {
	const d, B, N = 4, 800, 5
	mix := &task.Mixture{Components: []task.Class{
		&task.DenseLinear{D: d, Std: 1},
		&task.Noisy{Class: &task.SparseLinear{D: d, K: 1, Std: 1}, Sigma: 0.2},
		&task.Sinusoid{D: d, A: 1, OmegaLo: 0.5, OmegaHi: 2},
	}, Weights: []float64{0.2, 0.5, 0.3}}
	st := Setting{Query: QueryRepeat, Noise: 0.1}
	draw := func(p float64, workers int) *Batch {
		s := Sampler{Class: mix, Setting: st, FamilyIndicator: p, Workers: workers}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		return s.Batch(B, N, 9, 4)
	}
	none, half, all := draw(0, 0), draw(0.5, 0), draw(1, 0)
	sameBatch(t, "p 0.5 against 0", half, none)
	sameBatch(t, "p 1 against 0", all, none)
	if none.Indicator != nil || none.Families != 0 {
		t.Errorf("p 0: Indicator %v, Families %d; want nil, 0", none.Indicator != nil, none.Families)
	}
	if !slices.Equal(all.Indicator, all.Class) || all.Families != 3 {
		t.Errorf("p 1: Indicator is not Class, or Families %d != 3", all.Families)
	}
	shown := 0
	for p, k := range half.Indicator {
		switch k {
		case Hidden:
		case half.Class[p]:
			shown++
		default:
			t.Fatalf("prompt %d of component %d shows family %d", p, half.Class[p], k)
		}
	}
	if sd := math.Sqrt(B * 0.25); math.Abs(float64(shown)-B/2) > 4*sd {
		t.Errorf("p 0.5: %d of %d prompts show their family, want %d +- %.0f", shown, B, B/2, 4*sd)
	}
	if one := draw(0.5, 1); !slices.Equal(one.Indicator, half.Indicator) {
		t.Error("p 0.5: the indicator draw depends on the number of workers")
	}

	// Features: one-hot rows for shown prompts, zeros for hidden ones.
	lo, hi := 3, 40
	f := make([]float32, (hi-lo)*3)
	half.IndicatorFeatures(f, lo, hi)
	for p := lo; p < hi; p++ {
		for k := 0; k < 3; k++ {
			want := float32(0)
			if half.Indicator[p] == k {
				want = 1
			}
			if got := f[(p-lo)*3+k]; got != want {
				t.Fatalf("features of prompt %d, family %d: %v, want %v", p, k, got, want)
			}
		}
	}
}

// The indicator's probability must lie in [0, 1], and only a mixture's
// prompts have a family.
func TestFamilyIndicatorValidate(t *testing.T) {
	mix := &task.Mixture{Components: []task.Class{&task.DenseLinear{D: 3, Std: 1}}, Weights: []float64{1}}
	dense := &task.DenseLinear{D: 3, Std: 1}
	for _, tc := range []struct {
		c    task.Class
		p    float64
		want string // "" for valid
	}{
		{mix, 0, ""}, {mix, 0.3, ""}, {mix, 1, ""}, {&task.Noisy{Class: mix, Sigma: 0.1}, 1, ""}, {dense, 0, ""},
		{mix, -0.1, "allowed 0..1"}, {mix, 1.5, "allowed 0..1"}, {mix, math.NaN(), "allowed 0..1"},
		{dense, 0.5, "has no families"},
	} {
		err := (&Sampler{Class: tc.c, FamilyIndicator: tc.p}).Validate()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s, p %g: %v", tc.c.Name(), tc.p, err)
			}
			continue
		}
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Path != "prompt.family_indicator" || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s, p %g: %v; want an error at prompt.family_indicator saying %q", tc.c.Name(), tc.p, err, tc.want)
		}
	}
}
