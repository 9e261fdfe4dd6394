package train

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// events returns the event lines of dir's metrics log.
func events(t *testing.T, dir string) []EventLine {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	var evs []EventLine
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e EventLine
		if json.Unmarshal([]byte(line), &e) == nil {
			switch e.Kind {
			case "start", "resume", "interrupt", "done":
				evs = append(evs, e)
			}
		}
	}
	return evs
}

// trainLosses returns the losses of dir's train lines, by step.
func trainLosses(t *testing.T, dir string) map[int]float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]float64{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var l TrainLine
		if json.Unmarshal([]byte(line), &l) == nil && l.Kind == "train" {
			out[l.Step] = l.Loss
		}
	}
	return out
}

// TestStopAtEveryKindOfMoment cancels a run (as SIGTERM does) before its
// first step, after the first, around an evaluation and a checkpoint, before
// and after the last step, and resumes it: every time the run finishes with
// the weights of an uninterrupted run, and logs its training losses (means
// over log_every steps, here 5) with the same bits. The context is checked
// between steps, so these are all the moments that differ.
func TestStopAtEveryKindOfMoment(t *testing.T) {
	ref := referenceHash(t)
	refDir := t.TempDir()
	if _, err := Run(context.Background(), tinyConfig(t), refDir, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	refLosses := trainLosses(t, refDir)
	defer func() { afterStepHook = nil }()
	for _, at := range []int{0, 1, 9, 10, 11, 20, 21, 35, 59, 60} {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		if at == 0 {
			cancel()
		}
		afterStepHook = func(k int, _ []float32) {
			if k == at {
				cancel()
			}
		}
		_, err := Run(ctx, tinyConfig(t), dir, Options{Progress: io.Discard})
		cancel()
		afterStepHook = nil
		var ie *InterruptedError
		switch {
		case at == 60: // after the last step nothing is left to stop
			if err != nil {
				t.Fatalf("stop after the last step: %v", err)
			}
		case !errors.As(err, &ie) || ie.Step != at:
			t.Fatalf("stop at %d: %v, want interrupted after step %d", at, err, at)
		default:
			if _, err := Resume(context.Background(), dir, Options{Progress: io.Discard}); err != nil {
				t.Fatalf("resume after stop at %d: %v", at, err)
			}
		}
		if got := fileHash(t, filepath.Join(dir, ModelFile)); got != ref {
			t.Errorf("stop at %d and resume: model %s, uninterrupted %s", at, got, ref)
		}
		if got := trainLosses(t, dir); !maps.Equal(got, refLosses) {
			t.Errorf("stop at %d and resume: logged training losses %v, uninterrupted %v", at, got, refLosses)
		}
		checkMetrics(t, dir)
	}
}

// TestRestartsKeepTrainingTime stops a training process with SIGTERM at
// several moments, from its very start on, resuming it each time as
// reproduce does (a fresh run when nothing was written yet): it finishes with
// the weights of an uninterrupted run, and the training time its log records
// grows through the sessions and covers every step (each sleeps
// helperStepDelay).
func TestRestartsKeepTrainingTime(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several training processes")
	}
	ref := referenceHash(t)
	dir := filepath.Join(t.TempDir(), "run")
	stops := 0
	for _, after := range []time.Duration{0, 5 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond, 100 * time.Millisecond, -1} {
		mode := "resume"
		if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err != nil {
			mode = "run"
		}
		cmd, out := helper(t, mode, dir)
		if after >= 0 {
			time.Sleep(after)
			cmd.Process.Signal(syscall.SIGTERM)
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee) && ee.ExitCode() == 3:
			stops++
		case errors.As(err, &ee) && ee.ExitCode() == -1:
			// Killed by the signal before the process installed its handler,
			// which it does before it writes anything.
			if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil && mode == "run" {
				t.Fatalf("a process killed before handling signals left %s", ConfigFile)
			}
		default:
			t.Fatalf("%s stopped after %v: %v\n%s", mode, after, err, out)
		}
		if IsDone(dir) {
			break
		}
	}
	if !IsDone(dir) {
		t.Fatal("not done after the last, unstopped session")
	}
	if stops == 0 {
		t.Log("note: no SIGTERM landed while training ran")
	}
	if got := fileHash(t, filepath.Join(dir, ModelFile)); got != ref {
		t.Errorf("model after %d stops %s, uninterrupted %s", stops, got, ref)
	}
	checkMetrics(t, dir)
	evs := events(t, dir)
	last := evs[len(evs)-1]
	if last.Kind != "done" {
		t.Fatalf("last event %+v", last)
	}
	if min := 60 * helperStepDelay.Seconds(); last.WallS < min {
		t.Errorf("training time %.3fs over %d stops, less than the %.2fs the 60 steps sleep", last.WallS, stops, min)
	}
	prev := 0.0
	for _, e := range evs {
		if e.WallS < prev {
			t.Errorf("training time goes back: %+v after %.3f", e, prev)
		}
		prev = e.WallS
		if e.Kind == "resume" && !(e.LostS >= 0 && e.LostS < 10*helperStepDelay.Seconds()) {
			// Between the interrupt's checkpoint and the process's end: moments.
			t.Errorf("a resume after SIGTERM records %.3fs lost: %+v", e.LostS, e)
		}
	}
}

// TestKillRecordsLostTime kills a training process without warning past a
// checkpoint: the resume line records the training time past the checkpoint
// that the run redoes.
func TestKillRecordsLostTime(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two training processes")
	}
	dir := t.TempDir()
	cmd, out := helper(t, "run", dir)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, MetricsFile))
		if strings.Contains(string(b), `{"kind":"train","step":15,`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no train line at step 15\n%s", out)
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Kill()
	<-done
	cmd, out = helper(t, "resume", dir)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	var resume *EventLine
	for _, e := range events(t, dir) {
		if e.Kind == "resume" {
			resume = &e
		}
	}
	if resume == nil || resume.Step != 10 {
		t.Fatalf("resume line %+v, want one from step 10", resume)
	}
	// At least the 5 steps from 10 to 15, each sleeping helperStepDelay.
	if min := 5 * helperStepDelay.Seconds(); resume.LostS < min {
		t.Errorf("lost_s %.3f, want at least %.3f", resume.LostS, min)
	}
}
