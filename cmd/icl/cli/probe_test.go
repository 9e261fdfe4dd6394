package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"icl/gpt"
	"icl/npz"
	"icl/rng"
)

// icl probe writes the documented arrays with the documented shapes: the
// streams and the read-out's input equal a direct forward pass of the model
// over all the prompts at once (more than one of probe's chunks), and preds
// equal icl predict's file; -layers picks the streams.
func TestProbeWritesStreams(t *testing.T) {
	dir := t.TempDir()
	const B, N, D, L, C = 70, 5, 3, 2, 8 // 70 prompts: more than one chunk of eval.DefaultChunk (16 or 32)
	m, err := gpt.New(gpt.Config{Dim: D, Points: 6, Layers: L, Width: C, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	w := filepath.Join(dir, "m.safetensors")
	if err := gpt.SaveFile(w, m, nil); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "p.npz")
	if code, _, stderr := run(t, "sample", "-class", "dense_linear", "-d", fmt.Sprint(D), "-n", fmt.Sprint(N), "-b", fmt.Sprint(B), "-o", p); code != 0 {
		t.Fatal(stderr)
	}
	act, preds := filepath.Join(dir, "act.npz"), filepath.Join(dir, "preds.npy")
	if code, stdout, stderr := run(t, "probe", "-weights", w, "-prompts", p, "-o", act); code != 0 || !strings.Contains(stdout, "stream_2") {
		t.Fatalf("probe: exit %d, %q, %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "predict", "-weights", w, "-prompts", p, "-o", preds); code != 0 {
		t.Fatal(stderr)
	}

	// The model on all the prompts in one pass.
	pf, err := npz.ReadNPZ(p)
	if err != nil {
		t.Fatal(err)
	}
	xs, _, _ := pf.Float32("xs", B, N, D)
	ys, _, _ := pf.Float32("ys", B, N)
	wantPreds := make([]float32, B*N)
	m.Predict(wantPreds, gpt.Input{Xs: xs, Ys: ys, B: B, N: N})
	want := map[string][]float32{"preds": wantPreds}
	for l := 0; l <= L; l++ {
		s := make([]float32, B*N*C)
		m.Stream(s, l)
		want[fmt.Sprintf("stream_%d", l)] = s
	}
	ri := make([]float32, B*N*C)
	m.ReadoutInput(ri)
	want["readout_input"] = ri

	f, err := npz.ReadNPZ(act)
	if err != nil {
		t.Fatal(err)
	}
	names := f.Names()
	slices.Sort(names)
	if wantNames := []string{"preds", "readout_input", "stream_0", "stream_1", "stream_2"}; !slices.Equal(names, wantNames) {
		t.Fatalf("arrays %v, want %v", names, wantNames)
	}
	for name, v := range want {
		a, err := f.Array(name)
		if err != nil {
			t.Fatal(err)
		}
		shape := []int{B, N, C}
		if name == "preds" {
			shape = []int{B, N}
		}
		if !slices.Equal(a.Shape, shape) || a.DType != "<f4" {
			t.Errorf("%s: shape %v dtype %s, want %v <f4", name, a.Shape, a.DType, shape)
		}
		if !slices.Equal(a.Float32(), v) {
			t.Errorf("%s differs from the model's own pass over all prompts", name)
		}
	}
	pa, _ := f.Array("preds")
	pp, err := npz.ReadNPY(preds)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pa.Float32(), pp.Float32()) {
		t.Errorf("preds differ from icl predict's")
	}

	// -layers: only the streams asked for.
	sub := filepath.Join(dir, "sub.npz")
	if code, _, stderr := run(t, "probe", "-weights", w, "-prompts", p, "-o", sub, "-layers", "2,0"); code != 0 {
		t.Fatal(stderr)
	}
	g, err := npz.ReadNPZ(sub)
	if err != nil {
		t.Fatal(err)
	}
	names = g.Names()
	slices.Sort(names)
	if wantNames := []string{"preds", "readout_input", "stream_0", "stream_2"}; !slices.Equal(names, wantNames) {
		t.Errorf("-layers 2,0: arrays %v, want %v", names, wantNames)
	}
	s2, _, _ := g.Float32("stream_2", B, N, C)
	if !slices.Equal(s2, want["stream_2"]) {
		t.Error("-layers 2,0: stream_2 differs")
	}
}

// Bad -layers, prompts of another dimension and output too large to hold are
// refused, naming what is wrong, and nothing is written.
func TestProbeRefusals(t *testing.T) {
	dir := t.TempDir()
	w := tinyModel(t, dir) // d = 3, 1 layer
	p, p4 := filepath.Join(dir, "p.npz"), filepath.Join(dir, "p4.npz")
	run(t, "sample", "-class", "dense_linear", "-d", "3", "-n", "5", "-b", "2", "-o", p)
	run(t, "sample", "-class", "dense_linear", "-d", "4", "-n", "5", "-b", "2", "-o", p4)
	o := filepath.Join(dir, "o.npz")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-prompts", p, "-layers", "2"}, "0 (the embedding) .. 1"},
		{[]string{"-prompts", p, "-layers", "0,x"}, `"x" is not a layer`},
		{[]string{"-prompts", p, "-layers", "1,1"}, "layer 1 twice"},
		{[]string{"-prompts", p, "-family", "0"}, "without a family indicator"},
		{[]string{"-prompts", p4}, "D = 4"},
	} {
		code, _, stderr := run(t, append([]string{"probe", "-weights", w, "-o", o}, c.args...)...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want an error containing %q", c.args, code, stderr, c.want)
		}
		absent(t, fmt.Sprint(c.args), o)
	}
	// The paper's model (L = 12, C = 256) on 40000 prompts of 41 points:
	// 13 streams and readout_input, 5.9e9 values, 44 GiB in memory.
	err := checkProbeSize(40000, 41, gpt.Config{Dim: 20, Points: 41, Layers: 12, Width: 256, Heads: 8}, 13)
	if err == nil || !strings.Contains(err.Error(), "(40000, 41, 256)") || !strings.Contains(err.Error(), "-layers") {
		t.Errorf("a 44 GiB output: %v", err)
	}
	if err := checkProbeSize(200, 41, gpt.Config{Dim: 20, Points: 41, Layers: 12, Width: 256, Heads: 8}, 13); err != nil {
		t.Errorf("a 0.22 GiB output: %v", err)
	}
}
