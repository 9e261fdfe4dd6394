package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"icl/eval"
	"icl/gpt"
	"icl/internal/memlimit"
	"icl/npz"
	"icl/prompt"
	"icl/safetensors"
	"icl/train"
)

// probeCommand is `icl probe`.
var probeCommand = &command{
	name:  "probe",
	short: "run a trained model on prompts and save its residual stream per layer as .npz",
	usage: "-weights model.safetensors|RUNDIR -prompts prompts.npz [-o activations.npz] [-layers all|L,L,...] [-family K]",
	long: `
Probe runs a model on prompts as 'icl predict' does (the same -weights: a model
file, a run directory, or a checkpoint; the same prompts files and -family) and
writes, for linear probes of what the model computes, its residual stream at
the x-tokens (the positions it predicts at) after each layer, as one
uncompressed .npz of float32 arrays (B prompts, N points, C the model's width):

  stream_0 .. stream_L   (B, N, C)  the stream after layer l: l = 0 is the
                                    embedding (read-in plus position
                                    embeddings), l = 1 .. L the output of block l
  readout_input          (B, N, C)  the final LayerNorm of stream_L: what the
                                    read-out reads
  preds                  (B, N)     the predictions, as 'icl predict' writes them

Entry [p, i] of each is prompt p's x-token 2i, where the model predicts y_i
from the points before it. -layers picks which stream_l to write (readout_input
and preds are always written). The arrays are held in memory until written
(8 bytes per value); more than 4 GiB of them is refused, naming the sizes: use
fewer prompts or fewer -layers.

Examples:

icl probe -weights runs/mix -prompts p.npz -o act.npz
icl probe -weights runs/mix/ckpt-00002000.safetensors -prompts p.npz -layers 0,2 -o act.npz
python3 -c "import numpy as np; a = np.load('act.npz'); print({k: a[k].shape for k in a.files})"

In numpy, a['stream_2'][:, i] is (B, C): every prompt's stream after block 2
at point i, the features of a probe at that layer and position.
`,
	setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
		weights := fs.String("weights", "", "model `file` (.safetensors), or a run directory for its model")
		prompts := fs.String("prompts", "", "prompts `file` (.npz with xs, ys)")
		out := fs.String("o", "activations.npz", "output `file` (.npz: stream_L (B, N, C), readout_input (B, N, C), preds (B, N), float32)")
		layers := fs.String("layers", "all", "the streams to write: all (0 .. L), or a comma-separated `list` of layers\n(0 the embedding, l the output of block l)")
		family := fs.Int("family", -1, "show family `K` (0 .. families-1) to a model pretrained with a family\nindicator; -1: hidden")
		return func(ctx context.Context, e *env) error {
			if *weights == "" || *prompts == "" {
				return usageErrorf("-weights and -prompts are required")
			}
			m, path, err := loadModel(*weights, e.stderr)
			if err != nil {
				return err
			}
			c := m.Cfg
			if err := checkFamily(*family, c.Families, path); err != nil {
				return err
			}
			ls, err := parseLayers(*layers, c.Layers)
			if err != nil {
				return err
			}
			b, _, _, err := prompt.ReadNPZ(*prompts)
			if err != nil {
				return err
			}
			if err := checkPromptValues(*prompts, b, true); err != nil {
				return err
			}
			if b.D != c.Dim {
				return fmt.Errorf("%s: prompts have D = %d but the model takes d = %d", *prompts, b.D, c.Dim)
			}
			if b.N > c.Points {
				return fmt.Errorf("%s: prompts have N = %d points but the model takes at most %d", *prompts, b.N, c.Points)
			}
			if err := checkProbeSize(b.B, b.N, c, len(ls)); err != nil {
				return err
			}
			arrs, err := probeStreams(ctx, m, b, ls, *family)
			if err != nil {
				return err
			}
			preds := arrs[len(arrs)-1].Float32()
			if err := checkPredictions(preds, b); err != nil {
				return fmt.Errorf("%s: %w; nothing written", *prompts, err)
			}
			if err := npz.WriteNPZ(*out, arrs...); err != nil {
				return err
			}
			names := make([]string, len(ls))
			for i, l := range ls {
				names[i] = "stream_" + strconv.Itoa(l)
			}
			fmt.Fprintf(e.stdout, "wrote %s: %s and readout_input (%d, %d, %d), preds (%d, %d)\n",
				*out, strings.Join(names, ", "), b.B, b.N, c.Width, b.B, b.N)
			return nil
		}
	},
}

// loadModel loads the model at weights (a model file, a checkpoint, or a run
// directory for its model.safetensors) for icl predict and icl probe,
// warning on stderr about a file without a checksum, and returns it with the
// path read.
func loadModel(weights string, stderr io.Writer) (*gpt.Model, string, error) {
	path := weights
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, train.ModelFile)
		if _, err := os.Stat(path); err != nil {
			return nil, "", fmt.Errorf("%s is a directory without %s (a run that has not finished?): give the model file, or one of its checkpoints (%s)",
				weights, train.ModelFile, filepath.Join(weights, "ckpt-*.safetensors"))
		}
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	m, _, err := train.ModelFromFile(f, path)
	if err != nil {
		return nil, "", err
	}
	if f.Meta["format"] != train.CheckpointFormat && !gpt.Checksummed(f.Meta) {
		fmt.Fprintf(stderr, "warning: %s has no checksum (it was not written by icl, whose files always carry one): its weights are used unverified\n", path)
	}
	return m, path, nil
}

// parseLayers parses -layers for a model of L blocks: "all" (0 .. L), or a
// comma-separated list of layers in 0 .. L, returned ascending.
func parseLayers(s string, L int) ([]int, error) {
	if strings.TrimSpace(s) == "all" {
		ls := make([]int, L+1)
		for l := range ls {
			ls[l] = l
		}
		return ls, nil
	}
	var ls []int
	for f := range strings.SplitSeq(s, ",") {
		l, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || l < 0 || l > L {
			return nil, usageErrorf("-layers %q: %q is not a layer; allowed: all, or layers 0 (the embedding) .. %d (the last block's output), comma-separated", s, f, L)
		}
		if slices.Contains(ls, l) {
			return nil, usageErrorf("-layers %q: layer %d twice", s, l)
		}
		ls = append(ls, l)
	}
	slices.Sort(ls)
	return ls, nil
}

// probeMaxBytes bounds what icl probe holds in memory for its output.
const probeMaxBytes = 4 << 30

// checkProbeSize refuses output arrays for B prompts of N points from a
// model of config c with nStreams streams that would take more than
// probeMaxBytes (8 bytes a value: npz.Array holds float64) or more than the
// process can have with the model's activations, naming the sizes.
func checkProbeSize(B, N int, c gpt.Config, nStreams int) error {
	vals := float64(nStreams+1)*float64(B)*float64(N)*float64(c.Width) + float64(B)*float64(N)
	out := memlimit.Part{What: "the output arrays", Bytes: 8 * vals,
		Settings: fmt.Sprintf("%d streams and readout_input of (B, N, C) = (%d, %d, %d), and preds", nStreams, B, N, c.Width)}
	if out.Bytes > probeMaxBytes {
		return fmt.Errorf("the output arrays would take %s in memory (%d streams and readout_input, each (B, N, C) = (%d, %d, %d), 8 bytes a value until written; %s on disk), more than icl probe's %s: use fewer prompts or fewer -layers",
			memlimit.Human(out.Bytes), nStreams, B, N, c.Width, memlimit.Human(vals*4), memlimit.Human(probeMaxBytes))
	}
	chunk, cores := min(B, eval.DefaultChunk(c)), runtime.GOMAXPROCS(0)
	return memlimit.Check("probing", out, memlimit.Part{What: "the model's activations",
		Bytes:    4 * c.ActivationSize(chunk*cores, N),
		Settings: fmt.Sprintf("%d prompts a forward pass of N = %d points, on each of %d cores", chunk, N, cores)})
}

// probeStreams runs m on b, eval.DefaultChunk(m.Cfg) prompts at a time, the chunks
// shared out over the cores (gpt.Model.OnCores; each prompt's values are the
// same in any batch and on any core), and returns the float32
// arrays icl probe writes: stream_l (B, N, C) for each l in ls, then
// readout_input (B, N, C) and preds (B, N), last.
func probeStreams(ctx context.Context, m *gpt.Model, b *prompt.Batch, ls []int, family int) ([]npz.Array, error) {
	B, N, D, C, F := b.B, b.N, b.D, m.Cfg.Width, m.Cfg.Families
	arr := func(name string, shape ...int) npz.Array {
		n := 1
		for _, s := range shape {
			n *= s
		}
		return npz.Array{Name: name, Shape: shape, DType: "<f4", Float: make([]float64, n)}
	}
	arrs := make([]npz.Array, 0, len(ls)+2)
	for _, l := range ls {
		arrs = append(arrs, arr("stream_"+strconv.Itoa(l), B, N, C))
	}
	arrs = append(arrs, arr("readout_input", B, N, C), arr("preds", B, N))
	chunk := min(B, eval.DefaultChunk(m.Cfg))
	ind := gpt.ShowFamily(chunk, F, family) // (chunk, F); nil: hidden
	// put copies v, the values of prompts lo .. lo+len(v)/per-1, per values
	// each, into a.
	put := func(a npz.Array, lo, per int, v []float32) {
		dst := a.Float[lo*per : lo*per+len(v)]
		for i, x := range v {
			dst[i] = float64(x) // exact
		}
	}
	m.OnCores(B, chunk, func() func(r *gpt.Model, lo, hi int) {
		xs := make([]float32, chunk*N*D)
		ys := make([]float32, chunk*N)
		preds := make([]float32, chunk*N)
		buf := make([]float32, chunk*N*C)
		return func(r *gpt.Model, lo, hi int) {
			if ctx.Err() != nil {
				return // stopped: the rest is skipped, and the error returned below
			}
			n := hi - lo
			for i, v := range b.Xs[lo*N*D : (lo+n)*N*D] {
				xs[i] = float32(v)
			}
			for i, v := range b.Ys[lo*N : (lo+n)*N] {
				ys[i] = float32(v)
			}
			var in []float32
			if ind != nil {
				in = ind[:n*F]
			}
			r.Predict(preds[:n*N], gpt.Input{Xs: xs[:n*N*D], Ys: ys[:n*N], Ind: in, B: n, N: N})
			for i, l := range ls {
				r.Stream(buf, l)
				put(arrs[i], lo, N*C, buf[:n*N*C])
			}
			r.ReadoutInput(buf)
			put(arrs[len(ls)], lo, N*C, buf[:n*N*C])
			put(arrs[len(ls)+1], lo, N, preds[:n*N])
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.Release()
	return arrs, nil
}

// checkFamily refuses -family K for a model (file path) with F families:
// -1 (hidden) or 0 .. F-1 are allowed.
func checkFamily(family, F int, path string) error {
	if family >= -1 && family < F {
		return nil
	}
	if F == 0 {
		return usageErrorf("-family %d: %s was pretrained without a family indicator; allowed: -1 (none)", family, path)
	}
	return usageErrorf("-family %d: %s has %d families; allowed: -1 (hidden) or 0 .. %d", family, path, F, F-1)
}
