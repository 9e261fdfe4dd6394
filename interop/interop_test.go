package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"icl/gpt"
	"icl/npz"
	"icl/rng"
)

// python is the interpreter with Debian's numpy, scikit-learn and torch; the
// pyenv python3 on PATH lacks them.
const python = "/usr/bin/python3"

// needPython skips t unless python can import mods.
func needPython(t *testing.T, mods string) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Skipf("%s not found: interop check skipped (apt-get install python3-numpy python3-sklearn python3-torch)", python)
	}
	if out, err := exec.Command(python, "-c", "import "+mods).CombinedOutput(); err != nil {
		t.Skipf("%s cannot import %s: interop check skipped (apt-get install python3-numpy python3-sklearn python3-torch python3-yaml): %s",
			python, mods, strings.TrimSpace(string(out)))
	}
}

// workDir is t.TempDir(), or $ICL_INTEROP_DIR/<test name> when that is set,
// to keep the files for debugging.
func workDir(t *testing.T) string {
	keep := os.Getenv("ICL_INTEROP_DIR")
	if keep == "" {
		return t.TempDir()
	}
	dir := filepath.Join(keep, t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// buildICL builds cmd/icl into dir and returns its path.
func buildICL(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "icl")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/icl")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/icl: %v\n%s", err, out)
	}
	return bin
}

// run runs name args in dir and returns its combined output; it fails t on a
// non-zero exit. Python's BLAS and OpenMP get one thread: their worker
// threads spin while they wait, which on a machine busy with other tests
// (go test runs packages in parallel) can stretch a second into minutes.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestBaselinesMatchNumpy recomputes icl's baselines with numpy and
// scikit-learn (check_baselines.py) on a d = 20 mixture (N = 41, a prefix of
// the default prompts) and a d = 5 mixture; the script fails on any error above
// its tolerances.
func TestBaselinesMatchNumpy(t *testing.T) {
	needPython(t, "numpy, sklearn, yaml")
	if testing.Short() {
		t.Skip("-short: interop check skipped")
	}
	dir := workDir(t)
	icl := buildICL(t, dir)
	script, _ := filepath.Abs("check_baselines.py")
	for _, c := range []struct {
		name  string
		flags []string
	}{
		{"d20", []string{"-d", "20", "-n", "41", "-b", "96"}},
		{"d5", []string{"-d", "5", "-n", "11", "-b", "128", "-seed", "3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, b := c.name+"_prompts.npz", c.name+"_baselines.npz"
			run(t, dir, icl, append([]string{"sample", "-o", p}, c.flags...)...)
			run(t, dir, icl, "baselines", "-prompts", p, "-o", b)
			out := run(t, dir, python, script, p, b, "--lasso-subset", "8", "--bayes-subset", "96")
			t.Logf("check_baselines.py:\n%s", out)
			if !strings.Contains(out, "RESULT OK") {
				t.Errorf("check_baselines.py did not report RESULT OK")
			}
			for _, want := range []string{"least_squares", "ridge_lambda=0.1", "lasso_alpha=0.01", "lasso_best_in_hindsight",
				"knn_k=3", "averaging", "bayes_dense", "bayes_sparse_k=2", "bayes_mixture", "posterior"} {
				if !strings.Contains(out, want) {
					t.Errorf("check_baselines.py output does not check %s", want)
				}
			}
		})
	}
}

// TestTorchModelMatches writes a model with random, deliberately large
// weights (so that every tensor matters), runs icl predict, and compares with
// torch_model.py, an independent PyTorch implementation of docs/design.md's tensor
// table, to 1e-4.
func TestTorchModelMatches(t *testing.T) {
	needPython(t, "numpy, torch")
	if testing.Short() {
		t.Skip("-short: interop check skipped")
	}
	dir := workDir(t)
	icl := buildICL(t, dir)
	m, err := gpt.New(gpt.Config{Dim: 5, Points: 11, Layers: 2, Width: 32, Heads: 4})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	// N(0, 0.02) weights and zero biases give tiny outputs that would hide
	// errors: perturb every parameter (LayerNorm gains, biases, position
	// embeddings included) by N(0, 0.15^2).
	r := rng.New(2, rng.LabelInit)
	for i := range m.Params {
		m.Params[i] += float32(0.15 * r.NormFloat64())
	}
	weights := filepath.Join(dir, "model.safetensors")
	if err := gpt.SaveFile(weights, m, nil); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("torch_model.py")
	for _, n := range []string{"11", "6"} { // all position embeddings, and a prefix of them
		p, o := "p"+n+".npz", "preds"+n+".npy"
		run(t, dir, icl, "sample", "-d", "5", "-n", n, "-b", "32", "-seed", "5", "-o", p)
		run(t, dir, icl, "predict", "-weights", weights, "-prompts", p, "-o", o)
		out := run(t, dir, python, script, weights, p, o, "--tol", "1e-4")
		t.Logf("torch_model.py (N = %s): %s", n, out)
		if !strings.Contains(out, "RESULT OK") {
			t.Errorf("torch_model.py did not report RESULT OK")
		}
	}
}

// TestTorchModelFamilies is TestTorchModelMatches for a model with a family
// indicator (F = 3; read_in (C, d+F)): icl's predictions, with prompts that
// show each family and prompts that hide it, against torch_model.py given
// the same families, to 1e-4.
func TestTorchModelFamilies(t *testing.T) {
	needPython(t, "numpy, torch")
	if testing.Short() {
		t.Skip("-short: interop check skipped")
	}
	dir := workDir(t)
	const d, n, B, F = 4, 7, 24, 3
	m, err := gpt.New(gpt.Config{Dim: d, Points: n, Layers: 2, Width: 16, Heads: 2, Families: F})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(3, rng.LabelInit))
	r := rng.New(4, rng.LabelInit)
	for i := range m.Params {
		m.Params[i] += float32(0.15 * r.NormFloat64())
	}
	weights := filepath.Join(dir, "model.safetensors")
	if err := gpt.SaveFile(weights, m, nil); err != nil {
		t.Fatal(err)
	}
	xs, ys := make([]float64, B*n*d), make([]float64, B*n)
	x32, y32 := make([]float32, B*n*d), make([]float32, B*n)
	for i := range xs {
		xs[i] = r.NormFloat64()
		x32[i] = float32(xs[i])
	}
	for i := range ys {
		ys[i] = r.NormFloat64()
		y32[i] = float32(ys[i])
	}
	fam := make([]int64, B)
	ind := make([]float32, B*F)
	for p := range fam {
		fam[p] = int64(p%(F+1)) - 1 // -1 (hidden), 0, 1, 2 in turn
		if fam[p] >= 0 {
			ind[p*F+int(fam[p])] = 1
		}
	}
	preds := make([]float32, B*n)
	m.Predict(preds, gpt.Input{Xs: x32, Ys: y32, Ind: ind, B: B, N: n})
	p, o := filepath.Join(dir, "prompts.npz"), filepath.Join(dir, "preds.npy")
	if err := npz.WriteNPZ(p, npz.NewFloat64("xs", []int{B, n, d}, xs), npz.NewFloat64("ys", []int{B, n}, ys),
		npz.NewInt64("families", []int{B}, fam)); err != nil {
		t.Fatal(err)
	}
	if err := npz.WriteNPY(o, npz.NewFloat32("preds", []int{B, n}, preds)); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("torch_model.py")
	out := run(t, dir, python, script, weights, p, o, "--tol", "1e-4")
	t.Logf("torch_model.py: %s", out)
	if !strings.Contains(out, "RESULT OK") || !strings.Contains(out, "18 of 24 prompts show theirs") {
		t.Errorf("torch_model.py did not report RESULT OK with 18 of 24 prompts showing their family")
	}
}
