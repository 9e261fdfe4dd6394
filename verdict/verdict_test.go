package verdict

import (
	"icl/report"
	"strings"
	"testing"
)

// Checks on estimates with intervals: holds when the interval lies on the
// passing side of the threshold, fails when it lies on the other, and is
// inconclusive when it straddles it.
func TestEstimateDecisions(t *testing.T) {
	for _, tc := range []struct {
		name               string
		c                  Check
		pass, inconclusive bool
	}{
		{"learned: interval below", Learned("x", Estimate{M: 0.2, Lo: 0.15, Hi: 0.25}, 0.5), true, false},
		{"learned: straddles", Learned("x", Estimate{M: 0.48, Lo: 0.45, Hi: 0.52}, 0.5), false, true},
		{"learned: above", Learned("x", Estimate{M: 0.7, Lo: 0.6, Hi: 0.8}, 0.5), false, false},
		{"apart: clear", GeApart("x", Estimate{M: 0.9, Lo: 0.85, Hi: 0.95}, Estimate{M: 0.2, Lo: 0.18, Hi: 0.22}, 2, 0.05, "a", "b"), true, false},
		// 2 x 0.3 + 0.05 = 0.65: a's interval [0.6, 0.7] straddles it.
		{"apart: straddles", GeApart("x", Estimate{M: 0.65, Lo: 0.6, Hi: 0.7}, Estimate{M: 0.3, Lo: 0.29, Hi: 0.31}, 2, 0.05, "a", "b"), false, true},
		{"apart: below", GeApart("x", Estimate{M: 0.3, Lo: 0.28, Hi: 0.32}, Estimate{M: 0.3, Lo: 0.29, Hi: 0.31}, 2, 0.05, "a", "b"), false, false},
	} {
		if tc.c.Pass != tc.pass || tc.c.Inconclusive != tc.inconclusive || !strings.Contains(tc.c.Detail, "[90%:") {
			t.Errorf("%s: pass %v inconclusive %v (%s); want %v %v", tc.name, tc.c.Pass, tc.c.Inconclusive, tc.c.Detail, tc.pass, tc.inconclusive)
		}
	}
	// Every testable check inconclusive: the numbers decide nothing.
	cs := []Check{{Name: "a", Inconclusive: true}, {Name: "b", Inconclusive: true}}
	if v := Verdict(cs); v != report.NotTestable {
		t.Errorf("all inconclusive: verdict %q, want %q", v, report.NotTestable)
	}
	// An inconclusive precondition is not established.
	pre := Learned("x", Estimate{M: 0.48, Lo: 0.45, Hi: 0.52}, 0.5)
	if v, s := Verdict([]Check{pre, {Name: "a", Pass: true}}), Count([]Check{pre}).String(); v != report.NotTestable || !strings.Contains(s, "not established") {
		t.Errorf("inconclusive precondition: %q, %q", v, s)
	}
}

// A control that earns the model's supported or partly supported verdict
// makes it not testable; one that earns less leaves it, and its note says
// which.
func TestControlApply(t *testing.T) {
	held, failed := Check{Name: "a", Pass: true}, Check{Name: "b"}
	for _, tc := range []struct {
		own     string
		control []Check
		want    string
		note    string
	}{
		{report.Partly, []Check{held, failed}, report.NotTestable, "do not tell"},
		{report.Supported, []Check{held, held}, report.NotTestable, "do not tell"},
		{report.Partly, []Check{failed, failed}, report.Partly, "tell the model"},
		{report.NotAtScale, []Check{failed}, report.NotAtScale, "same verdict"},
		{report.NotTestable, []Check{held}, report.NotTestable, "nothing for the control"},
	} {
		c := &Control{Name: "c", Checks: tc.control}
		if got := c.Apply(tc.own); got != tc.want || !strings.Contains(c.Note(tc.own), tc.note) {
			t.Errorf("own %q, control %q: verdict %q (%s), want %q and a note saying %q", tc.own, c.Verdict, got, c.Note(tc.own), tc.want, tc.note)
		}
	}
}
