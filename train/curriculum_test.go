package train

import "testing"

func TestRampGarg(t *testing.T) {
	// Garg et al. at d = 20: dims 5 -> 20 by +1 every 2000 steps, points 11 -> 41 by +2.
	c := Curriculum{Dims: Ramp{Start: 5, End: 20, Inc: 1, Interval: 2000},
		Points: Ramp{Start: 11, End: 41, Inc: 2, Interval: 2000}}
	cases := []struct {
		step int
		want Stage
	}{
		{0, Stage{5, 11}},
		{1999, Stage{5, 11}},
		{2000, Stage{6, 13}},
		{4001, Stage{7, 15}},
		{29999, Stage{19, 39}},
		{30000, Stage{20, 41}},
		{500000, Stage{20, 41}},
	}
	for _, tc := range cases {
		if got := c.At(tc.step); got != tc.want {
			t.Errorf("At(%d) = %+v, want %+v", tc.step, got, tc.want)
		}
	}
}

func TestRampDefaultsDisable(t *testing.T) {
	var r Ramp
	r.defaults(7, 1)
	if r != (Ramp{Start: 7, End: 7, Inc: 1, Interval: 2000}) {
		t.Fatalf("defaults = %+v", r)
	}
	for _, s := range []int{0, 1, 100000} {
		if got := r.At(s); got != 7 {
			t.Errorf("At(%d) = %d, want 7", s, got)
		}
	}
	// Odd ranges stop at End even when Inc overshoots.
	r = Ramp{Start: 3, End: 8, Inc: 2, Interval: 10}
	for s, want := range map[int]int{0: 3, 10: 5, 20: 7, 30: 8, 99: 8} {
		if got := r.At(s); got != want {
			t.Errorf("At(%d) = %d, want %d", s, got, want)
		}
	}
}

func TestRampValidate(t *testing.T) {
	cases := []struct {
		r  Ramp
		ok bool
	}{
		{Ramp{5, 20, 1, 2000}, true},
		{Ramp{20, 20, 1, 2000}, true},
		{Ramp{5, 19, 1, 2000}, false}, // end != final
		{Ramp{0, 20, 1, 2000}, false},
		{Ramp{21, 20, 1, 2000}, false},
		{Ramp{5, 20, 0, 2000}, false},
		{Ramp{5, 20, 1, 0}, false},
	}
	for _, tc := range cases {
		err := tc.r.validate("curriculum.dims", "data.dim", 20)
		if (err == nil) != tc.ok {
			t.Errorf("%+v: err = %v, want ok = %v", tc.r, err, tc.ok)
		}
	}
}
