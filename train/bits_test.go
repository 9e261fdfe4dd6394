package train

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"icl/gpt"
	"icl/gpt/kernels"
)

// trainingBits records the SHA-256 of the weights that bitsYAML trains to,
// per numerics id (gpt.NumericsID: the precision and the kernels' summation
// order). Model files record the id they were trained under, and a shipped
// model is verified bit for bit only under its own id (across ids,
// `icl reproduce -verify` compares evaluations). So when a change to the
// kernels, the optimizer or the data draw alters a hash here, raise that
// precision's version in gpt/numerics.go (numericsVersion) and record the new
// hash under the new id: the change is then free of retraining.
//
// To regenerate, for each precision on a CPU that runs the assembly kernels:
//
//	go test ./train -run TestTrainingBits -v
//
// and copy the "got" hash the failure prints into the table. The AVX2 and
// AVX-512 float32 kernels give the same bits, and so do the AVX512-BF16 and
// plain-Go bf16 kernels; the portable float32 kernels (ICL_GEMM=go or ref,
// other architectures) have ids of their own and none recorded here.
var trainingBits = map[string]string{
	"fp32.1": "08424bc6a5660dd88cf8163f0883809c180f1b09cad0fade94a1234554ab81a1",
	"bf16.1": "9e763be5886473a7379d8bad611d73f57134ae1b43b576622fc0aca539e249af",
}

// bitsYAML exercises every part of a training step: a mixture with the
// normalized loss, two layers of multi-head attention, warmup and cosine
// decay, gradient clipping, weight decay and both curricula; heads of 8 (the
// attention tiles' vector paths) and, at 40 prompts of up to 14 tokens, weight
// gradients summed over more rows than one K block of the GEMM (256).
const bitsYAML = `
name: bits
seed: 11
task:
  class: mixture
  weights: [0.5, 0.5]
  of:
    - class: dense_linear
    - class: sparse_linear
      k: 1
data: {dim: 4, points: 7}
model: {layers: 2, width: 32, heads: 4}
train:
  steps: 24
  batch: 40
  optimizer: {weight_decay: 0.01}
  schedule: {kind: warmup_cosine, lr: 0.003, min_lr: 0.0001, warmup_steps: 4}
  grad_clip: 1
  loss: normalized
curriculum:
  dims: {start: 2, inc: 1, interval: 8}
  points: {start: 3, inc: 2, interval: 8}
log_every: 8
eval_every: 8
eval_batch: 8
checkpoint_every: 1000
`

// weightsHash is the SHA-256 of the model's tensors in gpt's order: each
// name, its shape and its float32 values, little-endian. It leaves out the
// file's metadata, which may change without changing the weights.
func weightsHash(m *gpt.Model) string {
	h := sha256.New()
	var b [4]byte
	for _, t := range m.Tensors() {
		io.WriteString(h, t.Name)
		for _, d := range t.Shape {
			binary.LittleEndian.PutUint32(b[:], uint32(d))
			h.Write(b[:])
		}
		for _, v := range t.Data {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			h.Write(b[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestTrainingBits(t *testing.T) {
	for _, prec := range []gpt.Precision{gpt.FP32, gpt.BF16} {
		t.Run(prec.String(), func(t *testing.T) {
			id := gpt.NumericsID(prec)
			want, ok := trainingBits[id]
			if prec == gpt.BF16 && !kernels.HasBF16() && testing.Short() {
				t.Skip("bf16 in plain Go is slow; -short skips it on a CPU without AVX512-BF16")
			}
			dir := t.TempDir()
			cfg, err := DecodeConfig(strings.NewReader(bitsYAML))
			if err != nil {
				t.Fatal(err)
			}
			cfg.Train.Precision = prec.String()
			if _, err := Run(context.Background(), cfg, dir, Options{Progress: io.Discard}); err != nil {
				t.Fatal(err)
			}
			m, meta, err := gpt.LoadFile(filepath.Join(dir, ModelFile))
			if err != nil {
				t.Fatal(err)
			}
			if meta[gpt.MetaNumerics] != id {
				t.Errorf("model file numerics %q, want %q", meta[gpt.MetaNumerics], id)
			}
			got := weightsHash(m)
			if !ok {
				t.Skipf("no recorded training bits for numerics %s on %s (got %s)", id, runtime.GOARCH, got)
			}
			if got != want {
				t.Errorf("training bits of numerics %s changed:\n got %s\nwant %s\n"+
					"the kernels, the optimizer or the data draw now train other weights: raise the version "+
					"of %s in gpt/numerics.go and record the new hash under the new id (see trainingBits)", id, got, want, prec)
			}
		})
	}
}
