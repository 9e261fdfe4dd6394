package interop

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"icl/gpt"
	"icl/rng"
)

// TestTorchStreamMatches checks the residual stream that E8's probes read:
// 'icl probe' writes a model's stream at the x-tokens after the embedding
// and after each block (gpt.Model.Stream), and the final LayerNorm of the
// last (ReadoutInput), and torch_stream.py recomputes every one of them as
// hidden states of torch_model.py's PyTorch model (in float64), to 1e-5
// (icl computes in float32; the streams reach about 8 here). The model has 3
// blocks and random, deliberately large weights, as in TestTorchModelMatches;
// prompts of all the model's points and of a prefix.
func TestTorchStreamMatches(t *testing.T) {
	needPython(t, "numpy, torch")
	if testing.Short() {
		t.Skip("-short: interop check skipped")
	}
	dir := workDir(t)
	icl := buildICL(t, dir)
	const L = 3
	m, err := gpt.New(gpt.Config{Dim: 5, Points: 11, Layers: L, Width: 32, Heads: 4})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(5, rng.LabelInit))
	r := rng.New(6, rng.LabelInit)
	for i := range m.Params {
		m.Params[i] += float32(0.15 * r.NormFloat64())
	}
	weights := filepath.Join(dir, "model.safetensors")
	if err := gpt.SaveFile(weights, m, nil); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("torch_stream.py")
	for _, n := range []string{"11", "6"} {
		p, a := "p"+n+".npz", "act"+n+".npz"
		run(t, dir, icl, "sample", "-d", "5", "-n", n, "-b", "70", "-seed", "7", "-o", p) // 70: chunks on more than one core
		run(t, dir, icl, "probe", "-weights", weights, "-prompts", p, "-o", a)
		out := run(t, dir, python, script, weights, p, a, "--tol", "1e-5")
		t.Logf("torch_stream.py (N = %s):\n%s", n, out)
		if !strings.Contains(out, fmt.Sprintf("RESULT OK streams=%d ", L+1)) {
			t.Errorf("N = %s: torch_stream.py did not report RESULT OK for %d streams", n, L+1)
		}
		for _, name := range []string{"stream_0", fmt.Sprintf("stream_%d", L), "readout_input"} {
			if !strings.Contains(out, "torch_stream: "+name+" ") {
				t.Errorf("N = %s: %s not compared", n, name)
			}
		}
	}
}
