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

// trainingBits records the SHA-256 of the weights that bitsYAML trains to, per
// GOARCH/Gemm kernel (kernels.Kernel()). Shipped models (models/) are the
// training bits of the engine they were trained on: when a change to the
// kernels, the optimizer or the data draw alters these hashes, the shipped
// models must be retrained (`icl reproduce -preset P -verify RUN` says whether
// a run still comes out identical) before the change is done.
//
// To regenerate after such a change, for each kernel this CPU runs:
//
//	ICL_GEMM=avx512 go test ./train -run TestTrainingBits -v
//
// and copy the "got" hash the failure prints into the table.
// The AVX2 and AVX-512 kernels give the same bits; other kernels and CPUs
// (the portable Go kernel, arm64) have none recorded and skip the test.
var trainingBits = map[string]string{
	"amd64/avx512": "42cdff4dee85dd9fdc304ce357b7a5b948eda1cedf733f1df31c5258a1340e1d",
	"amd64/avx2":   "42cdff4dee85dd9fdc304ce357b7a5b948eda1cedf733f1df31c5258a1340e1d",
}

// bitsYAML exercises every part of a training step: a mixture with the
// normalized loss, two layers of multi-head attention, warmup and cosine
// decay, gradient clipping, weight decay and both curricula.
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
model: {layers: 2, width: 16, heads: 4}
train:
  steps: 24
  batch: 8
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
	key := runtime.GOARCH + "/" + kernels.Kernel()
	want, ok := trainingBits[key]
	dir := t.TempDir()
	cfg, err := DecodeConfig(strings.NewReader(bitsYAML))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), cfg, dir, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	m, _, err := gpt.LoadFile(filepath.Join(dir, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	got := weightsHash(m)
	if !ok {
		t.Skipf("no recorded training bits for %s (got %s)", key, got)
	}
	if got != want {
		t.Errorf("training bits changed on %s:\n got %s\nwant %s\n"+
			"the kernels, the optimizer or the data draw now train other weights: retrain the shipped "+
			"models (models/) and record the new hash (see trainingBits)", key, got, want)
	}
}
