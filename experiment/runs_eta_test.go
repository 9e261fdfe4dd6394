package experiment

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"icl/train"
)

func TestTimeSteps(t *testing.T) {
	cfg := func(name string, width int) *train.Config {
		c, err := train.Preset("quick/dense_linear")
		if err != nil {
			t.Fatal(err)
		}
		c.Name, c.Model.Width = name, width
		return c
	}
	runs := []*PlannedRun{
		{Name: "a", Cfg: cfg("a", 32), State: StateMissing},
		{Name: "b", Cfg: cfg("b", 32), State: StateInterrupted},
		{Name: "c", Cfg: cfg("c", 64), State: StateMissing},
		{Name: "d", Cfg: cfg("d", 32), State: StateDone},
	}
	timeSteps(runs, 1)
	if runs[0].stepS <= 0 || runs[2].stepS <= 0 {
		t.Fatalf("step times %v, %v, want > 0", runs[0].stepS, runs[2].stepS)
	}
	if runs[1].stepS != runs[0].stepS {
		t.Errorf("runs with the same model timed separately: %v and %v", runs[0].stepS, runs[1].stepS)
	}
	if runs[3].stepS != 0 || runs[3].work() != 0 {
		t.Errorf("finished run timed: stepS %v", runs[3].stepS)
	}
	if w := runs[0].work(); w != runs[0].stepS*float64(runs[0].Cfg.Train.Steps) {
		t.Errorf("work %v, want step time x steps", w)
	}
}

func TestTrainedFor(t *testing.T) {
	dir := t.TempDir()
	r := &PlannedRun{Name: "small/dense_linear", Dir: dir}
	if _, ok := r.trainedFor(); ok {
		t.Error("no metrics file: reported a training time")
	}
	metrics := `{"kind":"start","step":0,"wall_s":0}
{"kind":"interrupt","step":3744,"wall_s":310.5}
{"kind":"resume","step":3744,"wall_s":310.5,"from":"ckpt-00003744.safetensors"}
{"kind":"done","step":20000,"wall_s":2348.25}
`
	if err := os.WriteFile(filepath.Join(dir, train.MetricsFile), []byte(metrics), 0o644); err != nil {
		t.Fatal(err)
	}
	d, ok := r.trainedFor()
	if !ok || d != 2348250*time.Millisecond {
		t.Errorf("trainedFor = %v, %v; want 39m8.25s, true", d, ok)
	}
	if got, want := runTimes([]*PlannedRun{r, {Name: "small/sparse_linear", Dir: t.TempDir()}}), "39:08 summed (dense_linear 39:08, sparse_linear not finished)"; got != want {
		t.Errorf("runTimes = %q, want %q", got, want)
	}
	// A run trained in this invocation reports what training returned (its
	// time over every session, train.Result.WallS), not a re-read of the log.
	r.wallS = 2400.5
	if d, ok := r.trainedFor(); !ok || d != 2400500*time.Millisecond {
		t.Errorf("trained here: trainedFor = %v, %v; want 40m0.5s, true", d, ok)
	}
}
