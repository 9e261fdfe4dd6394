package gpt

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"icl/safetensors"
)

func savedModel(t *testing.T, edit func(m *Model)) (*Model, string) {
	t.Helper()
	m, err := New(tinyCfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rand.New(rand.NewPCG(1, 2)))
	if edit != nil {
		edit(m)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := SaveFile(path, m, map[string]string{"note": "x"}); err != nil {
		t.Fatal(err)
	}
	return m, path
}

func TestFileRoundTripChecksummed(t *testing.T) {
	m, path := savedModel(t, nil)
	back, meta, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !Checksummed(meta) || meta["note"] != "x" {
		t.Errorf("metadata %v: want a checksum and the extra key", meta)
	}
	for i := range m.Params {
		if back.Params[i] != m.Params[i] {
			t.Fatalf("param %d: %g, want %g", i, back.Params[i], m.Params[i])
		}
	}
}

// TestFileBitFlip flips each of a few bits of the tensor data and of the
// metadata: every flip is refused.
func TestFileBitFlip(t *testing.T) {
	_, path := savedModel(t, nil)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{len(data) - 1, len(data) - 4*tinyCfg.Width - 3, len(data) / 2} {
		bad := append([]byte(nil), data...)
		bad[off] ^= 0x10
		p := filepath.Join(t.TempDir(), "flipped.safetensors")
		os.WriteFile(p, bad, 0o644)
		if _, _, err := LoadFile(p); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
			t.Errorf("bit flipped at byte %d of %d: err %v, want a checksum mismatch", off, len(data), err)
		}
	}
	// Changing the metadata (n_head 2 -> 4, same parameter count) is caught too.
	bad := strings.Replace(string(data), `\"n_head\":2`, `\"n_head\":4`, 1)
	if bad == string(data) {
		t.Fatal("n_head not found in the header")
	}
	p := filepath.Join(t.TempDir(), "heads.safetensors")
	os.WriteFile(p, []byte(bad), 0o644)
	if _, _, err := LoadFile(p); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("edited n_head: err %v, want a checksum mismatch", err)
	}
}

func TestFileNonFiniteRefused(t *testing.T) {
	for _, v := range []float32{float32(math.NaN()), float32(math.Inf(1))} {
		_, path := savedModel(t, func(m *Model) { m.W.Blocks[0].FcW[5] = v })
		_, _, err := LoadFile(path)
		if err == nil || !strings.Contains(err.Error(), "blocks.0.c_fc.weight[5]") || !strings.Contains(err.Error(), "finite") {
			t.Errorf("weight %v: err %v, want one naming blocks.0.c_fc.weight[5]", v, err)
		}
	}
}

// writeUnchecked writes m's tensors with meta and no checksum, as a converter
// from another framework would.
func writeUnchecked(t *testing.T, m *Model, meta map[string]string) string {
	t.Helper()
	var ts []safetensors.Tensor
	for _, nt := range m.Tensors() {
		ts = append(ts, safetensors.Tensor{Name: nt.Name, Shape: nt.Shape, Data: nt.Data})
	}
	path := filepath.Join(t.TempDir(), "conv.safetensors")
	if err := safetensors.WriteFile(path, ts, meta); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFileWithoutChecksumLoads(t *testing.T) {
	m, _ := savedModel(t, nil)
	path := writeUnchecked(t, m, map[string]string{"config": `{"n_dims":3,"n_points":4,"n_layer":2,"n_embd":8,"n_head":2}`})
	back, meta, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if Checksummed(meta) || back.Params[7] != m.Params[7] {
		t.Errorf("unchecked file: checksummed %v", Checksummed(meta))
	}
}

// A file that says it is icl's (format icl-gpt2) must carry its checksum:
// deleting the key and editing a weight is refused, not loaded unverified.
func TestFileChecksumRemovedRefused(t *testing.T) {
	m, _ := savedModel(t, nil)
	m.Params[3] += 1
	path := writeUnchecked(t, m, map[string]string{"format": FileFormat,
		"config": `{"n_dims":3,"n_points":4,"n_layer":2,"n_embd":8,"n_head":2}`})
	if _, _, err := LoadFile(path); err == nil || !strings.Contains(err.Error(), `no "checksum"`) {
		t.Errorf("icl-gpt2 file without a checksum: err %v, want a refusal naming the missing checksum", err)
	}
}

// TestFileSizeFromMetadata checks that a config claiming more parameters than
// the file holds is refused before anything of that size is allocated.
func TestFileSizeFromMetadata(t *testing.T) {
	m, _ := savedModel(t, nil)
	path := writeUnchecked(t, m, map[string]string{"config": `{"n_dims":3,"n_points":1100000000,"n_layer":2,"n_embd":8,"n_head":2}`})
	_, _, err := LoadFile(path)
	if err == nil || !strings.Contains(err.Error(), "describes a model of 17600001801 parameters") || !strings.Contains(err.Error(), "hold 1865 values") {
		t.Errorf("err %v", err)
	}
}
