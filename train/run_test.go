package train

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"icl/optim"
)

// The subprocess tests re-run this test binary as a training process
// (TestHelperProcess) so that it can be killed for real.
const (
	envHelper = "ICL_TRAIN_TEST_HELPER" // "run" or "resume"
	envDir    = "ICL_TRAIN_TEST_DIR"
)

// helperStepDelay slows the helper so that a kill lands mid-run.
const helperStepDelay = 15 * time.Millisecond

func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(envHelper)
	if mode == "" {
		t.Skip("only run as a subprocess")
	}
	dir := os.Getenv(envDir)
	afterStepHook = func(int, []float32) { time.Sleep(helperStepDelay) }
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	opts := Options{Progress: os.Stderr}
	if mode == "run" {
		_, err = Run(ctx, tinyConfig(t), dir, opts)
	} else {
		_, err = Resume(ctx, dir, opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		var ie *InterruptedError
		if errors.As(err, &ie) {
			os.Exit(3)
		}
		os.Exit(1)
	}
	os.Exit(0)
}

func helper(t *testing.T, mode, dir string, env ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(append(os.Environ(), envHelper+"="+mode, envDir+"="+dir), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// waitFor polls until path exists or the process exits.
func waitFor(t *testing.T, path string, done <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case <-done:
			t.Fatalf("the training process exited before %s appeared", path)
		case <-time.After(2 * time.Millisecond):
		}
	}
	t.Fatalf("%s did not appear", path)
}

func fileHash(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

var reference struct {
	once sync.Once
	hash string
	err  error
}

// referenceHash is the hash of model.safetensors of the tiny config trained
// without interruption, in-process.
func referenceHash(t *testing.T) string {
	t.Helper()
	reference.once.Do(func() {
		dir, err := os.MkdirTemp("", "icl-train-ref")
		if err != nil {
			reference.err = err
			return
		}
		defer os.RemoveAll(dir)
		c, err := DecodeConfig(strings.NewReader(tinyYAML))
		if err != nil {
			reference.err = err
			return
		}
		if _, err := Run(context.Background(), c, dir, Options{Progress: io.Discard}); err != nil {
			reference.err = err
			return
		}
		data, err := os.ReadFile(filepath.Join(dir, ModelFile))
		h := sha256.Sum256(data)
		reference.hash, reference.err = hex.EncodeToString(h[:]), err
	})
	if reference.err != nil {
		t.Fatal(reference.err)
	}
	return reference.hash
}

func TestKillResumeBitIdentical(t *testing.T) {
	ref := referenceHash(t)
	dir := t.TempDir()
	cmd, out := helper(t, "run", dir)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	waitFor(t, CheckpointPath(dir, 20), done)
	time.Sleep(5 * helperStepDelay) // land between checkpoints
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	if IsDone(dir) {
		t.Fatalf("the run completed before the kill:\n%s", out)
	}
	paths, err := ListCheckpoints(dir)
	if err != nil || len(paths) == 0 {
		t.Fatalf("no checkpoint after the kill: %v", err)
	}
	t.Logf("killed; newest checkpoint %s", filepath.Base(paths[0]))
	var log bytes.Buffer
	res, err := Resume(context.Background(), dir, Options{Progress: &log})
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "resuming") {
		t.Errorf("resume did not say where it resumed: %q", log.String())
	}
	if res.Steps != 60 || !IsDone(dir) {
		t.Errorf("resume ended at step %d, done = %v", res.Steps, IsDone(dir))
	}
	if got := fileHash(t, filepath.Join(dir, ModelFile)); got != ref {
		t.Errorf("model after kill+resume %s, uninterrupted %s", got, ref)
	}
	// A finished run resumes to nothing.
	res, err = Resume(context.Background(), dir, Options{Progress: io.Discard})
	if err != nil || !res.AlreadyDone {
		t.Errorf("resuming a finished run: %+v, %v", res, err)
	}
	// The metrics log has each step once, in order.
	checkMetrics(t, dir)
}

func TestSIGTERMCheckpointsAndResumes(t *testing.T) {
	ref := referenceHash(t)
	dir := t.TempDir()
	cmd, out := helper(t, "run", dir)
	done := make(chan struct{})
	var werr error
	go func() { werr = cmd.Wait(); close(done) }()
	waitFor(t, CheckpointPath(dir, 10), done)
	time.Sleep(3 * helperStepDelay)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-done
	var ee *exec.ExitError
	if !errors.As(werr, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("exit: %v, want code 3 (interrupted)\n%s", werr, out)
	}
	if !strings.Contains(out.String(), "icl train -resume "+dir) {
		t.Errorf("no resume hint in %q", out)
	}
	paths, _ := ListCheckpoints(dir)
	c, err := ReadCheckpoint(paths[0], -1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Step <= 10 || c.Step%10 == 0 {
		t.Logf("note: interrupt checkpoint at step %d", c.Step)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("after step %d", c.Step)) {
		t.Errorf("message does not name step %d: %q", c.Step, out)
	}
	// Resume on one thread: the trajectory must not depend on the thread count.
	cmd, out = helper(t, "resume", dir, "GOMAXPROCS=1")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("resume subprocess: %v\n%s", err, out)
	}
	if got := fileHash(t, filepath.Join(dir, ModelFile)); got != ref {
		t.Errorf("model after SIGTERM+resume %s, uninterrupted %s", got, ref)
	}
	checkMetrics(t, dir)
}

// checkMetrics checks that train lines of dir's metrics log have increasing steps.
func checkMetrics(t *testing.T, dir string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	last := -1
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if !strings.HasPrefix(line, `{"kind":"train"`) {
			continue
		}
		var step int
		fmt.Sscanf(line[strings.Index(line, `"step":`)+7:], "%d", &step)
		if step <= last {
			t.Errorf("train line for step %d after step %d", step, last)
		}
		last = step
	}
	if last != 60 {
		t.Errorf("last train line at step %d, want 60", last)
	}
}

func TestCorruptNewestCheckpointOnResume(t *testing.T) {
	ref := referenceHash(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	afterStepHook = func(k int, _ []float32) {
		if k == 35 {
			cancel()
		}
	}
	defer func() { afterStepHook = nil }()
	_, err := Run(ctx, tinyConfig(t), dir, Options{Progress: io.Discard})
	var ie *InterruptedError
	if !errors.As(err, &ie) || ie.Step != 35 {
		t.Fatalf("err = %v, want interrupted after step 35", err)
	}
	afterStepHook = nil
	newest := CheckpointPath(dir, 35)
	corrupt(t, newest, "flip")
	var log bytes.Buffer
	if _, err := Resume(context.Background(), dir, Options{Progress: &log, Quiet: true}); err != nil {
		t.Fatal(err)
	}
	msg := log.String()
	if !strings.Contains(msg, "ckpt-00000035.safetensors is corrupt: checksum mismatch") ||
		!strings.Contains(msg, "ckpt-00000030.safetensors") {
		t.Errorf("warning does not name the corrupt file, the reason and the fallback: %q", msg)
	}
	if got := fileHash(t, filepath.Join(dir, ModelFile)); got != ref {
		t.Errorf("model after fallback resume %s, uninterrupted %s", got, ref)
	}
	if _, err := os.Stat(newest + ".corrupt"); err != nil {
		t.Errorf("the corrupt checkpoint was not set aside: %v", err)
	}
	paths, _ := ListCheckpoints(dir)
	if len(paths) != 2 || filepath.Base(paths[0]) != "ckpt-00000060.safetensors" || filepath.Base(paths[1]) != "ckpt-00000050.safetensors" {
		t.Errorf("checkpoints kept: %v, want the last two (60, 50)", paths)
	}
}

func TestNonFiniteLossStops(t *testing.T) {
	dir := t.TempDir()
	afterStepHook = func(k int, params []float32) {
		if k == 25 {
			params[0] = float32(nan())
		}
	}
	defer func() { afterStepHook = nil }()
	_, err := Run(context.Background(), tinyConfig(t), dir, Options{Progress: io.Discard})
	var ne *NonFiniteError
	if !errors.As(err, &ne) {
		t.Fatalf("err = %v, want a *NonFiniteError", err)
	}
	if ne.Step != 25 || ne.What != "loss" || ne.LastCheckpoint != CheckpointPath(dir, 20) {
		t.Errorf("error %+v, want loss at step 25, last checkpoint 20", ne)
	}
	if !strings.Contains(err.Error(), "at step 25") || !strings.Contains(err.Error(), "ckpt-00000020") {
		t.Errorf("message %q does not name the step and the checkpoint", err)
	}
	paths, _ := ListCheckpoints(dir)
	if len(paths) == 0 || paths[0] != CheckpointPath(dir, 20) || IsDone(dir) {
		t.Errorf("after NaN: checkpoints %v, done %v; want newest 20, not done", paths, IsDone(dir))
	}
	// The kept checkpoint is good: resuming finishes the run as if nothing happened.
	afterStepHook = nil
	if _, err := Resume(context.Background(), dir, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if got, ref := fileHash(t, filepath.Join(dir, ModelFile)), referenceHash(t); got != ref {
		t.Errorf("model after NaN and resume %s, uninterrupted %s", got, ref)
	}
}

func nan() float64 { var z float64; return z / z }

func TestRunRefusesExistingRun(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), tinyConfig(t), dir, Options{Progress: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "-resume") {
		t.Errorf("err = %v, want a refusal pointing to -resume", err)
	}
}

// A run that stops at step 30 of a 60-step cosine (train.schedule.decay_steps)
// holds, bit for bit, the weights the 60-step run has at its step-30 checkpoint,
// and not those of a 30-step run with its own cosine.
func TestDecayStepsStopsPartway(t *testing.T) {
	cosine := func(steps, decay int) *Config {
		c := tinyConfig(t)
		c.Train.Steps = steps
		c.Train.Schedule = optim.ScheduleConfig{Kind: optim.KindWarmupCosine, LR: 0.003, MinLR: 1e-4, WarmupSteps: 5, DecaySteps: decay}
		return c
	}
	params := func(c *Config, step int) []float32 {
		t.Helper()
		var at []float32
		afterStepHook = func(k int, p []float32) {
			if k == step {
				at = slices.Clone(p)
			}
		}
		defer func() { afterStepHook = nil }()
		if _, err := Run(context.Background(), c, t.TempDir(), Options{Progress: io.Discard}); err != nil {
			t.Fatal(err)
		}
		return at
	}
	long := params(cosine(60, 0), 30)
	stopped := params(cosine(30, 60), 30)
	own := params(cosine(30, 0), 30)
	if !slices.Equal(long, stopped) {
		t.Errorf("30 steps of a 60-step cosine differ from the 60-step run's step 30")
	}
	if slices.Equal(own, stopped) {
		t.Errorf("a 30-step cosine gives the same weights as 30 steps of a 60-step one: decay_steps had no effect")
	}
}
