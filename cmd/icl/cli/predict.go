package cli

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"

	"icl/eval"
	"icl/npz"
	"icl/prompt"
)

// predictCommand is `icl predict`.
var predictCommand = &command{
	name:  "predict",
	short: "run a trained model on prompts and save its predictions as .npy",
	usage: "-weights model.safetensors|RUNDIR -prompts prompts.npz [-o preds.npy] [-family K]",
	long: `
Predict loads exported weights (a run's model.safetensors, or the run directory
itself, or one of its checkpoints ckpt-*.safetensors for the model partway
through) and a prompts file
('icl sample' writes one; any .npz with xs (B, N, D) and ys (B, N) will do) and
writes the model's predictions as a (B, N) float32 .npy: entry [p, i] is the
prediction of y_i of prompt p from the points before it (the read-out at x-token
2i). D must equal the model's input dimension and N be at most its points.

A model pretrained with a family indicator (train's data.family_indicator > 0)
is asked with it hidden unless -family K shows family K, the index of a
component of its pretraining mixture in the order of the config's task.of, on
every prompt.

Examples:

icl predict -weights runs/quick/dense_linear/model.safetensors -prompts p.npz -o preds.npy
icl predict -weights runs/cond -prompts dense.npz -family 0 -o shown.npy
`,
	setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
		weights := fs.String("weights", "", "model `file` (.safetensors), or a run directory for its model")
		prompts := fs.String("prompts", "", "prompts `file` (.npz with xs, ys)")
		out := fs.String("o", "preds.npy", "output `file` (.npy, (B, N) float32)")
		family := fs.Int("family", -1, "show family `K` (0 .. families-1) to a model pretrained with a family\nindicator; -1: hidden")
		return func(ctx context.Context, e *env) error {
			if *weights == "" || *prompts == "" {
				return usageErrorf("-weights and -prompts are required")
			}
			m, path, err := loadModel(*weights, e.stderr)
			if err != nil {
				return err
			}
			if err := checkFamily(*family, m.Cfg.Families, path); err != nil {
				return err
			}
			b, _, _, err := prompt.ReadNPZ(*prompts)
			if err != nil {
				return err
			}
			if err := checkPromptValues(*prompts, b, true); err != nil {
				return err
			}
			if b.D != m.Cfg.Dim {
				return fmt.Errorf("%s: prompts have D = %d but the model takes d = %d", *prompts, b.D, m.Cfg.Dim)
			}
			if b.N > m.Cfg.Points {
				return fmt.Errorf("%s: prompts have N = %d points but the model takes at most %d", *prompts, b.N, m.Cfg.Points)
			}
			// -family -1 hides the indicator (ShowFamily's zero value).
			tf := &eval.Transformer{Model: m, Chunk: predictChunk, ShowFamily: *family >= 0, Family: *family}
			p64 := make([]float64, b.B*b.N)
			tf.Predict(p64, b)
			preds := make([]float32, len(p64))
			for i, v := range p64 {
				preds[i] = float32(v) // the model's float32 outputs: exact
			}
			if err := checkPredictions(preds, b); err != nil {
				return fmt.Errorf("%s: %w; nothing written", *prompts, err)
			}
			if err := npz.WriteNPY(*out, npz.NewFloat32("preds", []int{b.B, b.N}, preds)); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s: (%d, %d) predictions\n", *out, b.B, b.N)
			return nil
		}
	},
}

// predictChunk is the prompts icl predict runs per forward pass.
const predictChunk = 256

// checkPromptValues refuses prompts whose values a command cannot use, naming
// the array, the element and its value (prompt.ReadNPZ has refused NaN and
// infinities in xs and ys): a NaN or an infinity in query_xs or query_ys at a
// position that has a query (Batch.QueryLen), which would make the baselines
// predict NaN; and, with fit32 (the model computes in float32), a value in xs
// or ys that float32 cannot hold.
func checkPromptValues(path string, b *prompt.Batch, fit32 bool) error {
	if fit32 {
		for _, a := range []struct {
			name  string
			data  []float64
			shape []int
		}{{"xs", b.Xs, []int{b.B, b.N, b.D}}, {"ys", b.Ys, []int{b.B, b.N}}} {
			for k, v := range a.data {
				if math.IsInf(float64(float32(v)), 0) && !math.IsInf(v, 0) {
					return fmt.Errorf("%s: array %q: element %s = %g does not fit float32 (|value| <= %g), in which the model computes",
						path, a.name, npIndex(k, a.shape), v, float32(math.MaxFloat32))
				}
			}
		}
	}
	if b.QXs == nil {
		return nil
	}
	bad := func(name string, k int, shape []int, v float64) error {
		return fmt.Errorf("%s: array %q: element %s is %g; the queries of positions 0 .. %d (every position before prompt 0's first NaN in query_ys) must be finite",
			path, name, npIndex(k, shape), v, b.QueryLen-1)
	}
	for p := 0; p < b.B; p++ {
		for i := 0; i < b.QueryLen; i++ {
			o := p*b.N + i
			for j, v := range b.QXs[o*b.D : (o+1)*b.D] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return bad("query_xs", o*b.D+j, []int{b.B, b.N, b.D}, v)
				}
			}
			if v := b.QYs[o]; math.IsNaN(v) || math.IsInf(v, 0) {
				return bad("query_ys", o, []int{b.B, b.N}, v)
			}
		}
	}
	return nil
}

// npIndex formats flat index k of a C-order array of the given shape as numpy
// prints an index: [1, 2, 0].
func npIndex(k int, shape []int) string {
	idx := make([]string, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = strconv.Itoa(k % shape[d])
		k /= shape[d]
	}
	return "[" + strings.Join(idx, ", ") + "]"
}

// checkPredictions refuses (B, N) predictions of b that are not finite,
// naming the first and the largest magnitude of its prompt's values.
func checkPredictions(preds []float32, b *prompt.Batch) error {
	for k, v := range preds {
		if !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) {
			continue
		}
		p, i := k/b.N, k%b.N
		xs, ys := b.Prompt(p)
		mx, my := 0.0, 0.0
		for _, x := range xs {
			mx = max(mx, math.Abs(x))
		}
		for _, y := range ys {
			my = max(my, math.Abs(y))
		}
		return fmt.Errorf("the model's prediction [%d, %d] is %g (prompt %d's values reach |x| = %g, |y| = %g)", p, i, v, p, mx, my)
	}
	return nil
}
