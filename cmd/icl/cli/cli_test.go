package cli

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"icl/eval"
	"icl/experiment"
	"icl/gpt"
	"icl/internal/dirlock"
	"icl/npz"
	"icl/rng"
	"icl/safetensors"
	"icl/train"
)

// run runs icl with args and returns its exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSampleIsReproducible(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.npz"), filepath.Join(dir, "b.npz")
	for _, p := range []string{a, b} {
		if code, _, stderr := run(t, "sample", "-class", "sparse_linear", "-k", "2", "-d", "6", "-n", "9", "-b", "17", "-seed", "5", "-o", p); code != 0 {
			t.Fatalf("sample: exit %d: %s", code, stderr)
		}
	}
	ba, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ba, bb) {
		t.Fatal("two samples with the same seed differ")
	}
	f, err := npz.ReadNPZ(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, sh, err := f.Float64("xs", 17, 9, 6); err != nil || len(sh) != 3 {
		t.Fatalf("xs: %v %v", sh, err)
	}
	ys, _, err := f.Float64("ys", 17, 9)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse functions with 2 non-zeros of N(0,1) give E y^2 = 2.
	m := 0.0
	for _, y := range ys {
		m += y * y
	}
	if m /= float64(len(ys)); m < 0.5 || m > 6 {
		t.Fatalf("mean y^2 = %.3f, want about 2", m)
	}
}

func TestSampleErrorsNameTheField(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"sample", "-class", "sparse_linear", "-k", "9", "-d", "4"}, "task.k: 9 > d = 4"},
		{[]string{"sample", "-class", "nope"}, `task.class: "nope" unknown; allowed: dense_linear`},
		{[]string{"sample", "-class", "dense_linear", "-query", "sideways"}, "setting.query"},
		{[]string{"sample", "-b", "0"}, "prompts: 0 must be >= 1"},
		// Refused before drawing, naming the sizes, instead of running out of memory.
		{[]string{"sample", "-b", "1000000000"}, "sampling needs an estimated 6.28 TiB of memory"},
		{[]string{"sample", "-d", "100000", "-n", "100000", "-class", "dense_linear"}, "dim (-d) = 100000"},
	}
	for _, c := range cases {
		code, _, stderr := run(t, append(c.args, "-o", filepath.Join(t.TempDir(), "x.npz"))...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error containing %q", c.args, code, stderr, c.want)
		}
	}
}

// TestBaselinesOnSampledPrompts runs sample then baselines and checks the
// output against facts that hold whatever the implementation: least squares
// and Bayes dense are exact once i >= d on noiseless dense prompts, the zero
// predictor predicts 0, and the mixture posterior sums to 1.
func TestBaselinesOnSampledPrompts(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "p.yaml")
	os.WriteFile(cfg, []byte("task: {class: mixture, weights: [0.5, 0.5], of: [{class: dense_linear}, {class: sparse_linear, k: 1}]}\ndim: 3\npoints: 8\nprompts: 40\nseed: 2\n"), 0o644)
	p, o := filepath.Join(dir, "p.npz"), filepath.Join(dir, "b.npz")
	if code, _, stderr := run(t, "sample", "-config", cfg, "-o", p); code != 0 {
		t.Fatalf("sample: %s", stderr)
	}
	code, stdout, stderr := run(t, "baselines", "-prompts", p, "-o", o, "-lasso", "0.01")
	if code != 0 {
		t.Fatalf("baselines: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "least_squares") || !strings.Contains(stdout, "bayes_mixture") {
		t.Fatalf("table lacks baselines:\n%s", stdout)
	}
	pf, _ := npz.ReadNPZ(p)
	ys, _, _ := pf.Float64("ys", 40, 8)
	cls, _, err := pf.Int64("class", 40)
	if err != nil {
		t.Fatal(err)
	}
	f, err := npz.ReadNPZ(o)
	if err != nil {
		t.Fatal(err)
	}
	zero, _, _ := f.Float64("zero", 40, 8)
	ls, _, err := f.Float64("least_squares", 40, 8)
	if err != nil {
		t.Fatal(err)
	}
	post, _, err := f.Float64("posterior", 40, 8, 2)
	if err != nil {
		t.Fatal(err)
	}
	for b := 0; b < 40; b++ {
		for i := 0; i < 8; i++ {
			if zero[b*8+i] != 0 {
				t.Fatalf("zero predictor gives %g", zero[b*8+i])
			}
			if i >= 3 && cls[b] == 0 && math.Abs(ls[b*8+i]-ys[b*8+i]) > 1e-8*(1+math.Abs(ys[b*8+i])) {
				t.Fatalf("prompt %d pos %d: least squares %g != y %g on a dense prompt with i >= d", b, i, ls[b*8+i], ys[b*8+i])
			}
			if s := post[(b*8+i)*2] + post[(b*8+i)*2+1]; math.Abs(s-1) > 1e-12 {
				t.Fatalf("posterior sums to %g", s)
			}
		}
	}
}

// With a query setting each position is scored on its own query: least
// squares is exact on noiseless dense prompts once i >= d, and the class
// posterior at every query sums to 1.
func TestBaselinesOnQueryPrompts(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "p.yaml")
	os.WriteFile(cfg, []byte("task: {class: mixture, weights: [0.5, 0.5], of: [{class: dense_linear}, {class: sparse_linear, k: 1}]}\ndim: 3\npoints: 7\nprompts: 20\nseed: 3\nsetting: {query: repeat}\n"), 0o644)
	p, o := filepath.Join(dir, "p.npz"), filepath.Join(dir, "b.npz")
	if code, _, stderr := run(t, "sample", "-config", cfg, "-o", p); code != 0 {
		t.Fatalf("sample: %s", stderr)
	}
	if code, _, stderr := run(t, "baselines", "-prompts", p, "-o", o, "-lasso", "0.01"); code != 0 {
		t.Fatalf("baselines: exit %d: %s", code, stderr)
	}
	pf, _ := npz.ReadNPZ(p)
	qys, _, err := pf.Float64("query_ys", 20, 7)
	if err != nil {
		t.Fatal(err)
	}
	cls, _, _ := pf.Int64("class", 20)
	f, err := npz.ReadNPZ(o)
	if err != nil {
		t.Fatal(err)
	}
	ls, _, _ := f.Float64("least_squares", 20, 7)
	post, _, err := f.Float64("posterior", 20, 7, 2)
	if err != nil {
		t.Fatal(err)
	}
	for b := 0; b < 20; b++ {
		for i := 1; i < 7; i++ {
			if y := qys[b*7+i]; i >= 3 && cls[b] == 0 && math.Abs(ls[b*7+i]-y) > 1e-8*(1+math.Abs(y)) {
				t.Fatalf("prompt %d pos %d: least squares %g != query label %g", b, i, ls[b*7+i], y)
			}
			if s := post[(b*7+i)*2] + post[(b*7+i)*2+1]; math.Abs(s-1) > 1e-12 {
				t.Fatalf("prompt %d pos %d: posterior sums to %g", b, i, s)
			}
		}
	}
}

func TestPredictMatchesModel(t *testing.T) {
	dir := t.TempDir()
	cfg := gpt.Config{Dim: 3, Points: 6, Layers: 1, Width: 8, Heads: 2}
	m, err := gpt.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	w := filepath.Join(dir, "m.safetensors")
	if err := gpt.SaveFile(w, m, nil); err != nil {
		t.Fatal(err)
	}
	p, o := filepath.Join(dir, "p.npz"), filepath.Join(dir, "preds.npy")
	if code, _, stderr := run(t, "sample", "-class", "dense_linear", "-d", "3", "-n", "5", "-b", "4", "-o", p); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, "predict", "-weights", w, "-prompts", p, "-o", o); code != 0 {
		t.Fatal(stderr)
	}
	got, err := npz.ReadNPY(o)
	if err != nil {
		t.Fatal(err)
	}
	pf, _ := npz.ReadNPZ(p)
	xs, _, _ := pf.Float32("xs", 4, 5, 3)
	ys, _, _ := pf.Float32("ys", 4, 5)
	want := make([]float32, 20)
	m.Predict(want, gpt.Input{Xs: xs, Ys: ys, B: 4, N: 5})
	for i, v := range got.Float32() {
		if v != want[i] {
			t.Fatalf("prediction %d: file %g, model %g", i, v, want[i])
		}
	}
	// A model for d = 3 refuses prompts in d = 4.
	p4 := filepath.Join(dir, "p4.npz")
	run(t, "sample", "-class", "dense_linear", "-d", "4", "-n", "5", "-b", "2", "-o", p4)
	if code, _, stderr := run(t, "predict", "-weights", w, "-prompts", p4, "-o", o); code == 0 || !strings.Contains(stderr, "D = 4") {
		t.Fatalf("d mismatch: exit %d, %q", code, stderr)
	}
}

// A run's final checkpoint holds the same weights as its model.safetensors, so
// predict gives the same bits from either; an earlier checkpoint gives others.
func TestPredictFromCheckpoint(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tiny.yaml")
	const tiny = `name: tiny
seed: 3
task: {class: dense_linear}
data: {dim: 3, points: 5}
model: {layers: 1, width: 16, heads: 2}
train: {steps: 20, batch: 8, schedule: {kind: constant, lr: 0.003}}
log_every: 10
eval_every: 10
eval_batch: 16
checkpoint_every: 10
`
	if err := os.WriteFile(cfg, []byte(tiny), 0o644); err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(dir, "run")
	if code, _, stderr := run(t, "train", "-config", cfg, "-out", runDir, "-q"); code != 0 {
		t.Fatal(stderr)
	}
	p := filepath.Join(dir, "p.npz")
	if code, _, stderr := run(t, "sample", "-class", "dense_linear", "-d", "3", "-n", "5", "-b", "4", "-o", p); code != 0 {
		t.Fatal(stderr)
	}
	preds := func(weights string) []float32 {
		t.Helper()
		o := filepath.Join(dir, filepath.Base(weights)+".npy")
		if code, _, stderr := run(t, "predict", "-weights", weights, "-prompts", p, "-o", o); code != 0 {
			t.Fatalf("predict -weights %s: %s", weights, stderr)
		}
		a, err := npz.ReadNPY(o)
		if err != nil {
			t.Fatal(err)
		}
		return a.Float32()
	}
	model := preds(filepath.Join(runDir, train.ModelFile))
	if dir := preds(runDir); !slices.Equal(dir, model) {
		t.Errorf("-weights on the run directory predicts %v, its model.safetensors %v", dir, model)
	}
	last := preds(train.CheckpointPath(runDir, 20))
	mid := preds(train.CheckpointPath(runDir, 10))
	if !slices.Equal(model, last) {
		t.Errorf("final checkpoint predicts %v, model.safetensors %v", last, model)
	}
	if slices.Equal(model, mid) {
		t.Errorf("the step-10 checkpoint predicts exactly as the final model: %v", mid)
	}
}

func TestBadFilesGiveClearErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "p.npz")
	if code, _, stderr := run(t, "sample", "-class", "dense_linear", "-d", "2", "-n", "3", "-b", "2", "-o", good); code != 0 {
		t.Fatal(stderr)
	}
	data, _ := os.ReadFile(good)
	trunc := filepath.Join(dir, "trunc.npz")
	os.WriteFile(trunc, data[:len(data)/2], 0o644)
	wrong := filepath.Join(dir, "wrong.npz")
	npz.WriteNPZ(wrong, npz.NewFloat64("xs", []int{2, 3}, make([]float64, 6)), npz.NewFloat64("ys", []int{2, 3}, make([]float64, 6)))
	noys := filepath.Join(dir, "noys.npz")
	npz.WriteNPZ(noys, npz.NewFloat64("xs", []int{1, 2, 3}, make([]float64, 6)))
	for _, c := range []struct{ file, want string }{
		{trunc, "trunc.npz"},
		{wrong, `"xs" has shape (2, 3)`},
		{noys, `"ys" missing`},
		{filepath.Join(dir, "absent.npz"), "absent.npz"},
	} {
		code, _, stderr := run(t, "baselines", "-prompts", c.file, "-o", filepath.Join(dir, "o.npz"))
		if code == 0 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "panic") {
			t.Errorf("%s: exit %d, stderr %q; want an error containing %q", filepath.Base(c.file), code, stderr, c.want)
		}
	}
}

func TestUsage(t *testing.T) {
	if code, out, _ := run(t, "help"); code != 0 || !strings.Contains(out, "reproduce") {
		t.Fatalf("help: %d %q", code, out)
	}
	if code, _, stderr := run(t, "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("unknown command: %d %q", code, stderr)
	}
	if code, _, stderr := run(t, "train", "-preset", "quick/nope", "-out", t.TempDir()); code == 0 || !strings.Contains(stderr, "quick/dense_linear") {
		t.Fatalf("unknown preset: %d %q", code, stderr)
	}
}

// Usage errors print the error and one usage line, not the whole help; help
// on an unknown command is an error.
func TestUsageErrorsAreShort(t *testing.T) {
	for _, args := range [][]string{
		{"reproduce", "-bogus"},
		{"reproduce", "-only", "E9"},
		{"reproduce", "-preset", "huge"},
		{"predict"},
	} {
		code, out, stderr := run(t, args...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		// The usage line: one per form of the command (reproduce has two, the
		// second for -slurm), then the pointer to -h.
		forms := strings.Count(lookup(args[0]).usage, "\n") + 1
		if code != 2 || out != "" || len(lines) != forms+2 || !strings.HasPrefix(lines[1], "usage: icl "+args[0]) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2, the error and one usage line", args, code, out, stderr)
		}
	}
	if _, _, stderr := run(t, "reproduce", "-only", "E1,e9"); !strings.Contains(stderr, "no experiment E9; allowed: E1, E2") {
		t.Errorf("-only E9: %q", stderr)
	}
	if code, out, stderr := run(t, "help", "nope"); code != 2 || out != "" || !strings.Contains(stderr, `unknown command "nope"`) {
		t.Errorf("help nope: exit %d, %q, %q", code, out, stderr)
	}
	if code, out, _ := run(t, "help", "sample"); code != 0 || strings.Contains(out, "help classes") || !strings.Contains(out, "Flags:") {
		t.Errorf("help sample: exit %d:\n%s", code, out)
	}
	if code, out, stderr := run(t, "reproduce", "-h"); code != 0 || !strings.Contains(out, "Flags:") || stderr != "" {
		t.Errorf("reproduce -h: exit %d, stdout %d bytes, stderr %q", code, len(out), stderr)
	}
}

// Positions without a query (the orthogonal setting from d examples on) are
// shown as "-" and explained, not printed as NaN.
func TestEvalSummaryExplainsMissingQueries(t *testing.T) {
	nan := math.NaN()
	m := []float64{1, 0.8, 0.6, 0.4, nan, nan, nan, nan, nan}
	res := &eval.Results{Settings: []*eval.SettingResult{{Setting: "query_orthogonal", Class: "dense linear", B: 4, N: 9, D: 4,
		Curves: []eval.Curve{{Name: "least squares", Mean: m, Lo: m, Hi: m}}}}}
	var out bytes.Buffer
	printEvalSummary(&env{stdout: &out}, res)
	table, note, _ := strings.Cut(out.String(), "-: no query at that position")
	if s := out.String(); strings.Contains(table, "NaN") || note == "" || !strings.Contains(note, "d = 4") {
		t.Errorf("summary:\n%s", s)
	}
}

// TestDegeneratePromptsRefused checks that empty and non-finite prompts files
// are errors naming the problem (exit 1), for every command that reads them,
// not a panic or a table of NaN.
func TestDegeneratePromptsRefused(t *testing.T) {
	dir := t.TempDir()
	m, err := gpt.New(gpt.Config{Dim: 5, Points: 6, Layers: 1, Width: 8, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	w := filepath.Join(dir, "m.safetensors")
	if err := gpt.SaveFile(w, m, nil); err != nil {
		t.Fatal(err)
	}
	file := func(name string, B, N, D int, edit func(xs, ys []float64)) string {
		xs, ys := make([]float64, B*N*D), make([]float64, B*N)
		if edit != nil {
			edit(xs, ys)
		}
		p := filepath.Join(dir, name+".npz")
		if err := npz.WriteNPZ(p, npz.NewFloat64("xs", []int{B, N, D}, xs), npz.NewFloat64("ys", []int{B, N}, ys)); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct{ file, want string }{
		{file("n0", 8, 0, 5, nil), "shape (8, 0, 5)"},
		{file("b0", 0, 3, 5, nil), "shape (0, 3, 5)"},
		{file("d0", 2, 3, 0, nil), "shape (2, 3, 0)"},
		{file("nanx", 2, 3, 5, func(xs, ys []float64) { xs[20] = math.NaN() }), `"xs": prompt 1 holds NaN`},
		{file("infy", 2, 3, 5, func(xs, ys []float64) { ys[4] = math.Inf(-1) }), `"ys": prompt 1 holds -Inf`},
	} {
		for _, args := range [][]string{
			{"baselines", "-prompts", c.file, "-o", filepath.Join(dir, "o.npz")},
			{"predict", "-weights", w, "-prompts", c.file, "-o", filepath.Join(dir, "o.npy")},
		} {
			code, _, stderr := run(t, args...)
			if code != 1 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "goroutine") {
				t.Errorf("%s %s: exit %d, stderr %q; want exit 1 and an error containing %q", args[0], filepath.Base(c.file), code, stderr, c.want)
			}
		}
	}
}

// TestEvalFlagsRefused checks that eval refuses flag values it would
// otherwise replace or ignore.
func TestEvalFlagsRefused(t *testing.T) {
	for _, c := range []struct {
		flag, want string
	}{{"-boots=-1", "-boots -1 must be >= 1"}, {"-boots=0", "-boots 0 must be >= 1"}, {"-mc=0", "-mc 0 must be >= 1"}} {
		code, _, stderr := run(t, "eval", "-weights", "x.safetensors", c.flag)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("eval %s: exit %d, stderr %q; want exit 2 and %q", c.flag, code, stderr, c.want)
		}
	}
}

// TestReproduceOneWriter checks that a reproduction refuses an output
// directory that another process is writing, naming it.
func TestReproduceOneWriter(t *testing.T) {
	dir := t.TempDir()
	l, err := dirlock.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	code, _, stderr := run(t, "reproduce", "-out", dir, "-only", "E1")
	if want := fmt.Sprintf("in use by process %d", os.Getpid()); code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
	}
}

const envCLIHelper = "ICL_CLI_TEST_ARGS" // arguments of Main, separated by newlines

// TestCLIHelperProcess runs Main in a subprocess, for the signal tests.
func TestCLIHelperProcess(t *testing.T) {
	args := os.Getenv(envCLIHelper)
	if args == "" {
		t.Skip("only run as a subprocess")
	}
	os.Exit(Main(strings.Split(args, "\n"), os.Stdout, os.Stderr))
}

// TestSignalExitCodes stops a training run with SIGINT and with SIGTERM: it
// saves a checkpoint and exits 130 or 143, not 1 as an error does.
func TestSignalExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains in a subprocess")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "long.yaml")
	const long = `name: long
seed: 3
task: {class: dense_linear}
data: {dim: 3, points: 5}
model: {layers: 1, width: 16, heads: 2}
train: {steps: 10000000, batch: 8, schedule: {kind: constant, lr: 0.003}}
log_every: 10
eval_every: 1000000
eval_batch: 16
checkpoint_every: 1000000
`
	if err := os.WriteFile(cfg, []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(dir, "run")
	for i, tc := range []struct {
		sig  syscall.Signal
		code int
		args []string
	}{
		{syscall.SIGINT, 130, []string{"train", "-config", cfg, "-out", runDir, "-q"}},
		{syscall.SIGTERM, 143, []string{"train", "-resume", runDir, "-q"}},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCLIHelperProcess$")
		cmd.Env = append(os.Environ(), envCLIHelper+"="+strings.Join(tc.args, "\n"))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until this process has trained a few steps: two train lines
		// after its start (or resume) line.
		mark := []string{`"kind":"start"`, `"kind":"resume"`}[i]
		deadline := time.Now().Add(30 * time.Second)
		for {
			b, _ := os.ReadFile(filepath.Join(runDir, train.MetricsFile))
			if _, after, ok := strings.Cut(string(b), mark); ok && strings.Count(after, `"kind":"train"`) >= 2 {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("no training progress:\n%s", out.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := cmd.Process.Signal(tc.sig); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
			t.Fatalf("%v: %v, want exit code %d\n%s", tc.sig, err, tc.code, out.String())
		}
		if !strings.Contains(out.String(), "checkpoint saved") {
			t.Errorf("%v: no checkpoint message in %q", tc.sig, out.String())
		}
	}
	if paths, _ := train.ListCheckpoints(runDir); len(paths) == 0 {
		t.Error("no checkpoint after the signals")
	}
}

// TestPredictNotesUncheckedWeights checks that a weights file without a
// checksum (converted from elsewhere) still loads, with a note saying so, and
// that one written by icl loads without it.
func TestPredictNotesUncheckedWeights(t *testing.T) {
	dir := t.TempDir()
	m, err := gpt.New(gpt.Config{Dim: 3, Points: 6, Layers: 1, Width: 8, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	checked := filepath.Join(dir, "m.safetensors")
	if err := gpt.SaveFile(checked, m, nil); err != nil {
		t.Fatal(err)
	}
	var ts []safetensors.Tensor
	for _, nt := range m.Tensors() {
		ts = append(ts, safetensors.Tensor{Name: nt.Name, Shape: nt.Shape, Data: nt.Data})
	}
	unchecked := filepath.Join(dir, "conv.safetensors")
	if err := safetensors.WriteFile(unchecked, ts, map[string]string{"config": `{"n_dims":3,"n_points":6,"n_layer":1,"n_embd":8,"n_head":2}`}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "p.npz")
	if code, _, stderr := run(t, "sample", "-class", "dense_linear", "-d", "3", "-n", "5", "-b", "2", "-o", p); code != 0 {
		t.Fatal(stderr)
	}
	for _, tc := range []struct {
		file string
		note bool
	}{{checked, false}, {unchecked, true}} {
		code, _, stderr := run(t, "predict", "-weights", tc.file, "-prompts", p, "-o", filepath.Join(dir, "o.npy"))
		if code != 0 || strings.Contains(stderr, "has no checksum") != tc.note {
			t.Errorf("%s: exit %d, stderr %q; want exit 0 and a note: %v", filepath.Base(tc.file), code, stderr, tc.note)
		}
	}
}

// TestBenchMemoryRefused checks that bench refuses a batch that would not fit
// in memory before allocating it.
func TestBenchMemoryRefused(t *testing.T) {
	code, _, stderr := run(t, "bench", "-batch", "1000000000", "-presets", "garg-tiny", "-nogemm")
	if code != 1 || !strings.Contains(stderr, "timing needs an estimated") || !strings.Contains(stderr, "-batch = 1000000000") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestEvalMemoryRefused checks that eval refuses -prompts that would not fit
// in memory before drawing them.
func TestEvalMemoryRefused(t *testing.T) {
	dir := t.TempDir()
	const cfg = `name: tiny
task: {class: dense_linear}
data: {dim: 3, points: 5}
model: {layers: 1, width: 16, heads: 2}
train: {steps: 20}
`
	if err := os.WriteFile(filepath.Join(dir, train.ConfigFile), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"-prompts", "1000000000000"}, {"-boots", "100000000000"}, {"-mc", "100000000000"}} {
		code, _, stderr := run(t, "eval", "-run", dir, c[0], c[1])
		if code != 1 || !strings.Contains(stderr, "evaluation needs an estimated") || !strings.Contains(stderr, c[0]+" = "+c[1]) {
			t.Errorf("%s %s: exit %d, stderr %q", c[0], c[1], code, stderr)
		}
	}
}

// TestBaselinesMemoryRefused checks that baselines refuses -mc that would
// not fit in memory before drawing the samples.
func TestBaselinesMemoryRefused(t *testing.T) {
	code, _, stderr := run(t, "baselines", "-mc", "100000000000", "-o", filepath.Join(t.TempDir(), "b.npz"))
	if code != 1 || !strings.Contains(stderr, "running the baselines needs an estimated") || !strings.Contains(stderr, "-mc = 100000000000") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestBenchPresets checks that bench's reproduce presets are the scales'
// training models on one core and its unknown names are usage errors.
func TestBenchPresets(t *testing.T) {
	ps, err := benchPresets()
	if err != nil {
		t.Fatal(err)
	}
	small, err := train.Preset("small/dense_sparse")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ps, func(p benchPreset) bool { return p.name == "small" })
	if i < 0 || ps[i].cfg != small.GPT() || ps[i].threads != 1 {
		t.Errorf("bench preset small = %+v, want the small scale's model %+v on 1 thread", ps, small.GPT())
	}
	code, _, stderr := run(t, "bench", "-presets", "standard", "-nogemm")
	if code != 2 || !strings.Contains(stderr, "garg-standard") {
		t.Errorf("exit %d, stderr %q; want a usage error listing the presets", code, stderr)
	}
}

// -family K shows family K to a model with a family indicator: the file
// holds the model's own predictions with that indicator (and without one by
// default), the families differ, and a K the model does not have is refused
// by the flag's name.
func TestPredictFamily(t *testing.T) {
	dir := t.TempDir()
	const B, N, F = 4, 5, 2
	m, err := gpt.New(gpt.Config{Dim: 3, Points: 6, Layers: 1, Width: 8, Heads: 2, Families: F})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	r := rng.New(2, rng.LabelInit)
	for i := range m.Params { // weights on the indicator columns that are not zero
		m.Params[i] += float32(0.2 * r.NormFloat64())
	}
	w := filepath.Join(dir, "m.safetensors")
	if err := gpt.SaveFile(w, m, nil); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "p.npz")
	if code, _, stderr := run(t, "sample", "-class", "dense_linear", "-d", "3", "-n", "5", "-b", "4", "-o", p); code != 0 {
		t.Fatal(stderr)
	}
	pf, _ := npz.ReadNPZ(p)
	xs, _, _ := pf.Float32("xs", B, N, 3)
	ys, _, _ := pf.Float32("ys", B, N)
	var got [][]float32
	for _, fam := range []int{-1, 0, 1} {
		o := filepath.Join(dir, fmt.Sprintf("preds%d.npy", fam))
		if code, _, stderr := run(t, "predict", "-weights", w, "-prompts", p, "-o", o, "-family", fmt.Sprint(fam)); code != 0 {
			t.Fatal(stderr)
		}
		f, err := npz.ReadNPY(o)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float32, B*N)
		m.Predict(want, gpt.Input{Xs: xs, Ys: ys, Ind: gpt.ShowFamily(B, F, fam), B: B, N: N})
		if !slices.Equal(f.Float32(), want) {
			t.Errorf("-family %d: file %v, model %v", fam, f.Float32(), want)
		}
		got = append(got, want)
	}
	if slices.Equal(got[0], got[1]) || slices.Equal(got[1], got[2]) {
		t.Error("the indicator does not reach the model: hidden, family 0 and family 1 predict alike")
	}
	for _, fam := range []string{"2", "-2"} {
		if code, _, stderr := run(t, "predict", "-weights", w, "-prompts", p, "-family", fam, "-o", filepath.Join(dir, "x.npy")); code == 0 || !strings.Contains(stderr, "-family "+fam) || !strings.Contains(stderr, "0 .. 1") {
			t.Errorf("-family %s: exit %d, %q", fam, code, stderr)
		}
	}
}

// tinyModel saves a small random model for d = 3 and returns its path.
func tinyModel(t *testing.T, dir string) string {
	t.Helper()
	m, err := gpt.New(gpt.Config{Dim: 3, Points: 6, Layers: 1, Width: 8, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	w := filepath.Join(dir, "m.safetensors")
	if err := gpt.SaveFile(w, m, nil); err != nil {
		t.Fatal(err)
	}
	return w
}

// absent fails the test if path exists: a refused command writes nothing.
func absent(t *testing.T, what, path string) {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s: %s was written (%v)", what, path, err)
	}
}

// zipEntry is one entry of a hand-made .npz: its name, its bytes, and the
// uncompressed size the zip directory declares for it (0: its true size).
type zipEntry struct {
	name     string
	data     []byte
	declared uint32
}

// writeZip writes deflated entries to path, patching the declared sizes into
// the central directory (the size archive/zip checks an entry against).
func writeZip(t *testing.T, path string, entries ...zipEntry) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	for _, e := range entries {
		for off := 0; e.declared != 0; {
			i := bytes.Index(raw[off:], []byte("PK\x01\x02")) // a central directory header
			if i < 0 {
				t.Fatalf("no central directory header for %s", e.name)
			}
			cd := off + i
			if n := int(binary.LittleEndian.Uint16(raw[cd+28:])); string(raw[cd+46:cd+46+n]) == e.name {
				binary.LittleEndian.PutUint32(raw[cd+24:], e.declared)
				break
			}
			off = cd + 4
		}
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// npyOf encodes a as an .npy file.
func npyOf(t *testing.T, a npz.Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := npz.EncodeNPY(&buf, a); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// claimNPY is an .npy file whose header declares shape of descr (itemSize
// bytes each) but that holds three bytes of data, and the entry size the
// claim implies.
func claimNPY(descr, shape string, elems uint64, itemSize int) ([]byte, uint32) {
	dict := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }"
	h := dict + strings.Repeat(" ", 63-(10+len(dict))%64) + "\n"
	b := binary.LittleEndian.AppendUint16([]byte("\x93NUMPY\x01\x00"), uint16(len(h)))
	b = append(b, h...)
	return append(b, 1, 2, 3), uint32(uint64(len(b)) + elems*uint64(itemSize))
}

// TestPromptsWithUnusedEntries checks that predict and baselines read only the
// arrays they use: a prompts file that also holds an entry declaring a 2 GiB
// |u1 array (16 GiB as int64, a compression bomb's claim) and a corrupt entry
// gives the same predictions as the file without them. An array they do use
// that would not fit in memory is refused before it is inflated, and nothing
// is written.
func TestPromptsWithUnusedEntries(t *testing.T) {
	old := debug.SetMemoryLimit(1 << 30)
	defer debug.SetMemoryLimit(old)
	dir := t.TempDir()
	w := tinyModel(t, dir)
	r := rng.New(4, rng.LabelInit)
	xs, ys := make([]float64, 2*4*3), make([]float64, 2*4)
	for i := range xs {
		xs[i] = r.NormFloat64()
	}
	for i := range ys {
		ys[i] = r.NormFloat64()
	}
	xsNPY := npyOf(t, npz.NewFloat64("xs", []int{2, 4, 3}, xs))
	ysNPY := npyOf(t, npz.NewFloat64("ys", []int{2, 4}, ys))
	bomb, declared := claimNPY("|u1", "(2147483648,)", 1<<31, 1)
	clean, bombed := filepath.Join(dir, "clean.npz"), filepath.Join(dir, "bombed.npz")
	writeZip(t, clean, zipEntry{"xs.npy", xsNPY, 0}, zipEntry{"ys.npy", ysNPY, 0})
	writeZip(t, bombed, zipEntry{"xs.npy", xsNPY, 0}, zipEntry{"extra.npy", bomb, declared},
		zipEntry{"corrupt.npy", []byte("\x93NUMPY\x09\x00"), 0}, zipEntry{"ys.npy", ysNPY, 0})
	var preds [][]float32
	for _, p := range []string{clean, bombed} {
		o := filepath.Join(dir, filepath.Base(p)+".npy")
		if code, _, stderr := run(t, "predict", "-weights", w, "-prompts", p, "-o", o); code != 0 {
			t.Fatalf("predict %s: exit %d: %s", filepath.Base(p), code, stderr)
		}
		a, err := npz.ReadNPY(o)
		if err != nil {
			t.Fatal(err)
		}
		preds = append(preds, a.Float32())
		if code, _, stderr := run(t, "baselines", "-prompts", p, "-o", filepath.Join(dir, "b.npz")); code != 0 {
			t.Errorf("baselines %s: exit %d: %s", filepath.Base(p), code, stderr)
		}
	}
	if !slices.Equal(preds[0], preds[1]) {
		t.Errorf("predictions with the unused entries %v, without %v", preds[1], preds[0])
	}
	// xs itself claims 419430400 float32 values: 6.25 GiB in memory while read.
	hugeXs, hugeDeclared := claimNPY("<f4", "(1024, 1024, 400)", 1024*1024*400, 4)
	huge := filepath.Join(dir, "huge.npz")
	writeZip(t, huge, zipEntry{"xs.npy", hugeXs, hugeDeclared}, zipEntry{"ys.npy", ysNPY, 0})
	for _, args := range [][]string{
		{"predict", "-weights", w, "-prompts", huge, "-o", filepath.Join(dir, "huge.npy")},
		{"baselines", "-prompts", huge, "-o", filepath.Join(dir, "huge-b.npz")},
	} {
		code, _, stderr := run(t, args...)
		want := `huge.npz: entry "xs.npy": reading the array needs an estimated 6.25 GiB of memory, more than the 1 GiB available (GOMEMLIMIT)`
		if code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "shape (1024, 1024, 400) of <f4") {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and %q", args[0], code, stderr, want)
		}
		absent(t, args[0], args[len(args)-1])
	}
}

// TestPromptValuesRefused checks that values the commands cannot use are
// refused, naming the array, the element and the value, with exit 1 and
// nothing written: for predict, values beyond float32 and (from finite
// float32 inputs) predictions that are not finite; for baselines, NaN or
// infinite queries at positions that have one.
func TestPromptValuesRefused(t *testing.T) {
	dir := t.TempDir()
	w := tinyModel(t, dir)
	const B, N, D = 2, 4, 3
	file := func(name string, edit func(xs, ys, qxs, qys []float64)) string {
		r := rng.New(5, rng.LabelInit)
		xs, ys := make([]float64, B*N*D), make([]float64, B*N)
		qxs, qys := make([]float64, B*N*D), make([]float64, B*N)
		for _, a := range [][]float64{xs, ys, qxs, qys} {
			for i := range a {
				a[i] = r.NormFloat64()
			}
		}
		arrs := []npz.Array{npz.NewFloat64("xs", []int{B, N, D}, xs), npz.NewFloat64("ys", []int{B, N}, ys)}
		if edit != nil {
			edit(xs, ys, qxs, qys)
			arrs = append(arrs, npz.NewFloat64("query_xs", []int{B, N, D}, qxs), npz.NewFloat64("query_ys", []int{B, N}, qys))
		}
		p := filepath.Join(dir, name+".npz")
		if err := npz.WriteNPZ(p, arrs...); err != nil {
			t.Fatal(err)
		}
		return p
	}
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		cmd, file, want string
	}{
		{"predict", file("x1e300", func(xs, ys, qxs, qys []float64) { xs[5] = 1e300 }),
			`x1e300.npz: array "xs": element [0, 1, 2] = 1e+300 does not fit float32 (|value| <= 3.4028235e+38)`},
		{"predict", file("y-1e39", func(xs, ys, qxs, qys []float64) { ys[6] = -1e39 }),
			`y-1e39.npz: array "ys": element [1, 2] = -1e+39 does not fit float32`},
		// 3e38 fits float32, but the model's arithmetic overflows on it
		// (from this value and this model: which prediction shows it first
		// is the model's business).
		{"predict", file("x3e38", func(xs, ys, qxs, qys []float64) { xs[5] = 3e38 }),
			`x3e38.npz: the model's prediction [0, `},
		{"baselines", file("qxnan", func(xs, ys, qxs, qys []float64) { qxs[(1*N+2)*D] = nan }),
			`qxnan.npz: array "query_xs": element [1, 2, 0] is NaN; the queries of positions 0 .. 3`},
		{"baselines", file("qyinf", func(xs, ys, qxs, qys []float64) { qys[N+1] = -inf }),
			`qyinf.npz: array "query_ys": element [1, 1] is -Inf`},
		// Prompt 0's first NaN in query_ys ends the queries: positions 2 and
		// on have none, and the NaN of prompt 1 at position 3 is not read.
		{"baselines", file("qynan", func(xs, ys, qxs, qys []float64) { qys[2], qys[3], qxs[(N+3)*D] = nan, nan, nan; qys[N] = inf }),
			`qynan.npz: array "query_ys": element [1, 0] is +Inf; the queries of positions 0 .. 1`},
	} {
		o := filepath.Join(dir, "out-"+filepath.Base(c.file))
		args := []string{c.cmd, "-prompts", c.file, "-o", o}
		if c.cmd == "predict" {
			args = append(args, "-weights", w)
		}
		code, _, stderr := run(t, args...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s %s: exit %d, stderr %q; want exit 1 and %q", c.cmd, filepath.Base(c.file), code, stderr, c.want)
		}
		absent(t, c.cmd, o)
	}
	// Queries missing where prompt 0's query_ys says they end are accepted.
	ok := file("orthogonal", func(xs, ys, qxs, qys []float64) {
		for p := 0; p < B; p++ {
			qys[p*N+3] = nan
			for j := 0; j < D; j++ {
				qxs[(p*N+3)*D+j] = nan
			}
		}
	})
	if code, _, stderr := run(t, "baselines", "-prompts", ok, "-o", filepath.Join(dir, "ok.npz")); code != 0 {
		t.Errorf("queries ending at position 3: exit %d: %s", code, stderr)
	}
}

// TestParseFloats checks -lasso and -ridge values item by item.
func TestParseFloats(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []float64
		err  string
	}{
		{"0.001,0.01,0.1", []float64{0.001, 0.01, 0.1}, ""},
		{" 0.5 , 2 ", []float64{0.5, 2}, ""},
		{"1e-3", []float64{0.001}, ""},
		{"", nil, ""},
		{"0.1x", nil, `-lasso "0.1x": item 1, "0.1x", is not a positive number`},
		{"0.1,2foo", nil, `-lasso "0.1,2foo": item 2, "2foo", is not a positive number`},
		{"0.1 0.5", nil, `-lasso "0.1 0.5": item 1, "0.1 0.5", is not a positive number`},
		{"0.1,,0.5", nil, `item 2, "", is not a positive number`},
		{"0.1,", nil, `item 2, "", is not a positive number`},
		{"0", nil, `item 1, "0", is not a positive number`},
		{"-1", nil, `item 1, "-1", is not a positive number`},
		{"NaN", nil, `item 1, "NaN", is not a positive number`},
		{"inf", nil, `item 1, "inf", is not a positive number`},
		{"1e999", nil, `item 1, "1e999", is not a positive number`},
	} {
		got, err := parseFloats("lasso", c.in)
		if c.err == "" && (err != nil || !slices.Equal(got, c.want)) {
			t.Errorf("%q: %v, %v; want %v", c.in, got, err, c.want)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, errUsage)) {
			t.Errorf("%q: %v, %v; want a usage error containing %q", c.in, got, err, c.err)
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "p.npz")
	if code, _, stderr := run(t, "sample", "-class", "dense_linear", "-d", "2", "-n", "3", "-b", "2", "-o", p); code != 0 {
		t.Fatal(stderr)
	}
	for _, flag := range [][2]string{{"-lasso", "0.1x"}, {"-ridge", "2foo"}, {"-lasso", "0.1 0.5"}} {
		o := filepath.Join(dir, "b.npz")
		code, _, stderr := run(t, "baselines", "-prompts", p, "-o", o, flag[0], flag[1])
		if want := fmt.Sprintf("%s %q: item 1", flag[0], flag[1]); code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("baselines %s %q: exit %d, stderr %q; want exit 2 and %q", flag[0], flag[1], code, stderr, want)
		}
		absent(t, "baselines "+flag[0], o)
	}
}

// TestPositionalArgumentsRefused checks that every command refuses words
// left after its flags, before doing anything.
func TestPositionalArgumentsRefused(t *testing.T) {
	dir := t.TempDir()
	w := tinyModel(t, dir)
	p := filepath.Join(dir, "p.npz")
	if code, _, stderr := run(t, "sample", "-class", "dense_linear", "-d", "3", "-n", "4", "-b", "2", "-o", p); code != 0 {
		t.Fatal(stderr)
	}
	o := filepath.Join(dir, "o")
	cases := [][]string{
		{"predict", "-weights", w, "-prompts", p, "-o", o, "extra.npz"},
		{"predict", "-weights", w, "-prompts", p, "stray", "-o", o},
		{"bench", "-presets", "garg-tiny", "-nogemm", "-time", "1ms", "extra"},
		{"sample", "-o", o, "extra"},
		{"baselines", "-prompts", p, "-o", o, "extra"},
		{"eval", "-weights", w, "-o", o, "extra"},
	}
	for _, c := range commands {
		cases = append(cases, []string{c.name, "stray"})
	}
	for _, args := range cases {
		code, stdout, stderr := run(t, args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "icl "+args[0]+": unexpected arguments [") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and unexpected arguments", args, code, stdout, stderr)
		}
		absent(t, args[0], o)
	}
}

// TestEvalBaselinesRefused checks that -baselines prefixes that match none of
// the baselines of the model's evaluation are refused, listing them, before
// the model is loaded; prefixes that match are not.
func TestEvalBaselinesRefused(t *testing.T) {
	dir := t.TempDir()
	const cfg = `name: tiny
task: {class: mixture, weights: [0.5, 0.5], of: [{class: dense_linear}, {class: sparse_linear, k: 1}]}
data: {dim: 3, points: 5}
model: {layers: 1, width: 16, heads: 2}
train: {steps: 20}
`
	if err := os.WriteFile(filepath.Join(dir, train.ConfigFile), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		prefixes string
		code     int
		want     []string
	}{
		{"bogus", 2, []string{`-baselines: "bogus" is the prefix of no baseline of this model's evaluation; allowed: prefixes of zero, averaging, knn_k=3, least_squares, lasso_alpha=0.001`,
			"bayes_mixture", "bayes_dense", "bayes_sparse_k=1"}}, // the components' settings' Bayes predictors too
		{"least_squares,ridge", 2, []string{`"ridge" is the prefix of no baseline`}}, // eval runs no ridge
		{"least_squares,", 2, []string{`-baselines "least_squares,": item 2 is empty`}},
		// Past the check, the run has no model to load.
		{"least, bayes_sparse_k=1", 1, []string{train.ModelFile}},
	} {
		code, _, stderr := run(t, "eval", "-run", dir, "-no-ood", "-baselines", c.prefixes, "-q")
		for _, want := range c.want {
			if code != c.code || !strings.Contains(stderr, want) || (c.code == 1 && strings.Contains(stderr, "-baselines")) {
				t.Errorf("-baselines %q: exit %d, stderr %q; want exit %d and %q", c.prefixes, code, stderr, c.code, want)
			}
		}
	}
	absent(t, "eval", filepath.Join(dir, "eval"))
}

// TestBenchFlagsRefused checks bench's -time and -threads bounds.
func TestBenchFlagsRefused(t *testing.T) {
	hi := maxBenchThreads()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-time", "-1s"}, "-time -1s: must be positive"},
		{[]string{"-time", "0s"}, "-time 0s: must be positive"},
		{[]string{"-threads", "-1"}, fmt.Sprintf("-threads -1: allowed: 0 (each preset's own) .. %d", hi)},
		{[]string{"-threads", fmt.Sprint(hi + 1)}, fmt.Sprintf("-threads %d: allowed: 0 (each preset's own) .. %d, 64 per core", hi+1, hi)},
		{[]string{"-threads", "1000000"}, "-threads 1000000: allowed"},
	} {
		code, stdout, stderr := run(t, append([]string{"bench", "-presets", "garg-tiny", "-nogemm"}, c.args...)...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("bench %v: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// TestReproduceFlagsRefused checks reproduce's flags that are refused before
// anything is written: OUT is not created.
func TestReproduceFlagsRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-retrain", "-models", "/nonexistent"}, 2, `-models "/nonexistent": not a directory`},
		{[]string{"-models", "/nonexistent"}, 2, `-models "/nonexistent": not a directory`},
		{[]string{"-pack", filepath.Join(t.TempDir(), "models")}, 1, ": nothing was trained in "},
		{[]string{"-slurm", "-print", "-cpus", "0"}, 1, "slurm.cpus_per_task (flag -cpus): 0: must be 1 or more"},
		{[]string{"-slurm", "-print", "-signal-s", "0"}, 1, "slurm.signal_s (flag -signal-s): 0: seconds between 1 and 65535"},
		{[]string{"-slurm", "-print", "-poll", "0s"}, 2, "-poll 0s: must be positive"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := run(t, append([]string{"reproduce", "-preset", "quick", "-only", "E1", "-out", out}, c.args...)...)
		if code != c.code || stdout != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("reproduce %v: exit %d, stdout %q, stderr %q; want exit %d and %q", c.args, code, stdout, stderr, c.code, c.want)
		}
		absent(t, fmt.Sprint(c.args), out)
	}
}

// The help of reproduce lists the registered experiments: one registered by
// a test appears with nothing else edited.
func TestHelpListsRegisteredExperiments(t *testing.T) {
	experiment.Register(experiment.Registration{ID: "EHELP", Order: 2000, Summary: "registered by a test only",
		YAML: "id: EHELP\ntitle: help test\nclaim: c\nrule: r\nscales: [paper]\nruns:\n  - {role: dense, preset: dense_linear}\nevals: []\nfigures: []\n", Analyze: func(*experiment.Env) (*experiment.Outcome, error) { return nil, nil }})
	code, out, _ := run(t, "help", "reproduce")
	if code != 0 || !strings.Contains(out, "EHELP") || !strings.Contains(out, "registered by a test only") {
		t.Errorf("help reproduce does not list a registered experiment:\n%s", out)
	}
}

// With both precisions, the GEMM table puts under each shape's fp32 and bf16
// rows the ratio of the two, column by column.
func TestBenchGemmRatioRow(t *testing.T) {
	code, stdout, stderr := run(t, "bench", "-presets", "quick", "-precision", "fp32,bf16", "-time", "20ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var fp32, bf16 []float64
	rows := 0
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		if len(f) != 8 || f[0] != "quick" {
			continue
		}
		var v []float64
		for _, s := range f[5:] {
			x, err := strconv.ParseFloat(strings.TrimSuffix(s, "x"), 64)
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			v = append(v, x)
		}
		switch f[1] {
		case "fp32":
			fp32 = v
		case "bf16":
			bf16 = v
		case "bf16/fp32":
			rows++
			for i := range v {
				// the ratio's own rounding, and the rates' (to 0.05) carried into it
				want := bf16[i] / fp32[i]
				if tol := 0.005 + want*(0.05/bf16[i]+0.05/fp32[i]); math.Abs(v[i]-want) > tol {
					t.Errorf("%q: column %d is %.2f, want bf16/fp32 = %.3f", line, i, v[i], want)
				}
			}
		}
	}
	if rows != 4 {
		t.Errorf("%d bf16/fp32 rows in the GEMM table, want one per shape (4):\n%s", rows, stdout)
	}
}
