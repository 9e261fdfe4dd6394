package progress

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"icl/runplan"
	"icl/train"
)

// testRun is a planned run of steps steps whose points ramp from start to
// End by 2 every interval steps (start == end: no curriculum).
func testRun(t *testing.T, name string, steps, start, end, interval int, StepS float64) *runplan.Run {
	t.Helper()
	c, err := train.Preset("quick/dense_linear")
	if err != nil {
		t.Fatal(err)
	}
	c.Name = name
	c.Train.Steps = steps
	c.Data.Points = end
	c.Curriculum = train.Curriculum{Points: train.Ramp{Start: start, End: end, Inc: 2, Interval: interval}}
	return &runplan.Run{Name: name, Cfg: c, State: runplan.StateMissing, StepS: StepS}
}

// feed reports steps from..to of r to d, each taking perPoint seconds per
// point of its prompts (the curriculum's short early steps are cheaper).
func feed(d *Display, r *runplan.Run, t0 time.Time, from, to int, perPoint float64) time.Time {
	now := t0
	for k := from + 1; k <= to; k++ {
		now = now.Add(time.Duration(perPoint * float64(r.Cfg.Curriculum.At(k-1).Points) * float64(time.Second)))
		d.Step(r, train.StepProgress{Step: k, Steps: r.Cfg.Train.Steps, Loss: 0.5, Time: now})
	}
	return now
}

// A run's ETA comes from its own measured step times, weighted by the
// curriculum: with steps that grow from 11 to 41 points, the ETA halfway
// through is the time the remaining (longer) steps take, where a plain
// steps/s rate would promise too soon.
func TestDisplayRunETA(t *testing.T) {
	r := testRun(t, "quick/a", 4000, 11, 41, 250, 0.01)
	var out bytes.Buffer
	d := New(&out, false, false, 0, []*runplan.Run{r})
	d.jobs, d.total = 1, 1
	d.views[r] = newRunView(r)
	d.live = []*runView{d.views[r]}
	const perPoint = 1e-4
	feed(d, r, time.Unix(0, 0), 0, 2000, perPoint)
	got, own := d.views[r].eta(1)
	want := 0.0
	for s := 2000; s < 4000; s++ {
		want += perPoint * float64(r.Cfg.Curriculum.At(s).Points)
	}
	if !own || math.Abs(got.Seconds()-want)/want > 0.02 {
		t.Errorf("ETA %v (own %v), want %.1fs within 2%%", got, own, want)
	}
	naive := 2000 / d.views[r].stepsPerS()
	if naive > 0.9*want {
		t.Errorf("test does not separate the estimates: steps/s rate gives %.1fs, cost-weighted %.1fs", naive, want)
	}
	total, basis := d.totalETA()
	if math.Abs(total.Seconds()-want)/want > 0.02 || !strings.Contains(basis, "own step times") {
		t.Errorf("total %v (%s), want the run's %.1fs from its own step times", total, basis, want)
	}
}

// Waiting runs are predicted from their timed steps scaled by the measured
// slowdown, and assigned to the job slots as they free.
func TestDisplayTotalETA(t *testing.T) {
	a := testRun(t, "quick/a", 1000, 11, 11, 1, 0.01) // timed at 10 ms a step
	b := testRun(t, "quick/b", 1000, 11, 11, 1, 0.01)
	c := testRun(t, "quick/c", 500, 11, 11, 1, 0.01)
	d := New(&bytes.Buffer{}, false, false, 0, []*runplan.Run{a, b, c})
	d.Begin([]*runplan.Run{a, b, c}, 2, 1)
	defer d.End()
	if total, basis := d.totalETA(); total != 15*time.Second || !strings.Contains(basis, "timed before training") {
		t.Errorf("before training: %v (%s), want 15s (a 10 s | b 10 s + c 5 s) from the timed steps", total, basis)
	}
	d.Started(a)
	d.Started(b)
	// Both run at 20 ms a step: twice their timed step.
	t0 := time.Unix(0, 0)
	feed(d, a, t0, 0, 500, 0.02/11)
	feed(d, b, t0, 0, 500, 0.02/11)
	total, basis := d.totalETA()
	// a and b: 500 steps x 20 ms = 10 s each; c waits for a slot: 500 x 10 ms x 2 = 10 s.
	if math.Abs(total.Seconds()-20) > 0.3 || !strings.Contains(basis, "x 2.00") {
		t.Errorf("midway: %v (%s), want 20s with c's timed step x 2.00", total, basis)
	}
}

// Off a terminal the display prints plain lines (no escape codes), a line
// per run at every tenth of its steps; on a terminal one block redrawn in
// place: a line per running run and a total line.
func TestDisplayModes(t *testing.T) {
	a := testRun(t, "quick/a", 1000, 11, 11, 1, 0.01)
	for _, term := range []bool{false, true} {
		var out bytes.Buffer
		d := New(&out, term, false, 60, []*runplan.Run{a})
		d.Begin([]*runplan.Run{a}, 1, 2)
		d.Started(a)
		now := time.Unix(0, 0)
		for k := 0; k < 1000; k += 50 {
			now = feed(d, a, now, k, k+50, 0.01/11)
			d.tick()
		}
		d.Finished(a, 10*time.Second, 2)
		d.End()
		s := out.String()
		if term {
			if !strings.Contains(s, "\x1b[2A") || !strings.Contains(s, "all training: ETA ") {
				t.Errorf("terminal: no live block:\n%q", s)
			}
			// Each live line fits the 60 columns, so that moving up 2 rows
			// redraws exactly the block.
			for _, l := range strings.Split(s, "\n") {
				if _, after, ok := strings.Cut(l, "\x1b[J"); ok {
					l = after
				}
				l = strings.TrimSuffix(l, "\x1b[K")
				if n := len([]rune(l)); n >= 60 && !strings.HasPrefix(l, "[reproduce]") && !strings.Contains(l, "training 1000 steps") && !strings.Contains(l, "finished in") {
					t.Errorf("terminal: live line of %d columns: %q", n, l)
				}
			}
			continue
		}
		if strings.Contains(s, "\x1b") {
			t.Errorf("plain: escape codes:\n%q", s)
		}
		if n := strings.Count(s, "[run 1/1 quick/a] step "); n != 9 {
			t.Errorf("plain: %d progress lines, want 9 (10%% .. 90%%):\n%s", n, s)
		}
		for _, want := range []string{"[run 1/1 quick/a] training 1000 steps", "[run 1/1 quick/a] step 500/1000 (50%)",
			"ETA 0:05", "[run 1/1 quick/a] finished in 0:10; all runs trained"} {
			if !strings.Contains(s, want) {
				t.Errorf("plain: lacks %q:\n%s", want, s)
			}
		}
	}
}

// The order runs start in weighs each step by its length: a run whose
// curriculum starts short predicts less than its steps at full size.
func TestWorkWeighsCurriculum(t *testing.T) {
	flat := testRun(t, "quick/a", 1000, 21, 21, 1, 0.01)
	ramp := testRun(t, "quick/b", 1000, 11, 21, 200, 0.01) // 11, 13, .., 19 then 21 from step 1000: never full
	if w := flat.Work(); math.Abs(w-10) > 1e-9 {
		t.Errorf("flat: work %g, want 1000 x 10 ms", w)
	}
	// Mean points (11+13+15+17+19)/5 = 15 of 21.
	if w, want := ramp.Work(), 10*15.0/21; math.Abs(w-want) > 1e-9 {
		t.Errorf("ramp: work %g, want %g", w, want)
	}
	// A resumed run predicts only the steps it has left.
	flat.From, ramp.From = 400, 600
	if w := flat.Work(); math.Abs(w-6) > 1e-9 {
		t.Errorf("flat from step 400: work %g, want 600 x 10 ms", w)
	}
	// Steps 600..799 have 17 points, 800..999 19.
	if w, want := ramp.Work(), 4*18.0/21; math.Abs(w-want) > 1e-9 {
		t.Errorf("ramp from step 600: work %g, want %g", w, want)
	}
}
