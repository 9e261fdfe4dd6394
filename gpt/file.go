package gpt

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"icl/safetensors"
)

// FileFormat is the "format" metadata value of an exported model.
const FileFormat = "icl-gpt2"

// MetaChecksum is the metadata key of a model file's checksum: the SHA-256 of
// the other metadata (sorted by key, as key=length:value lines) followed by
// each tensor, sorted by name, as its name, its shape and its float32 bits,
// little-endian.
const MetaChecksum = "checksum"

// SaveFile writes m's weights to a .safetensors file (atomically) in the
// tensor names and nn.Linear layout of docs/design.md, with the model config as
// JSON under the metadata key "config", "format" = FileFormat, extra, and the
// checksum (MetaChecksum) of it all.
func SaveFile(path string, m *Model, extra map[string]string) error {
	cj, err := json.Marshal(m.Cfg)
	if err != nil {
		return err
	}
	meta := map[string]string{}
	for k, v := range extra {
		meta[k] = v
	}
	meta["format"] = FileFormat
	meta["config"] = string(cj)
	delete(meta, MetaChecksum)
	var ts []safetensors.Tensor
	for _, nt := range m.Tensors() {
		ts = append(ts, safetensors.Tensor{Name: nt.Name, Shape: nt.Shape, Data: nt.Data})
	}
	meta[MetaChecksum] = checksum(meta, ts)
	return safetensors.WriteFile(path, ts, meta)
}

// checksum is the MetaChecksum of meta (without its MetaChecksum key) and ts.
func checksum(meta map[string]string, ts []safetensors.Tensor) string {
	h := sha256.New()
	safetensors.HashMeta(h, meta, MetaChecksum)
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ts[order[a]].Name < ts[order[b]].Name })
	for _, i := range order {
		t := ts[i]
		fmt.Fprintf(h, "tensor %d:%s %v\n", len(t.Name), t.Name, t.Shape)
		safetensors.HashFloat32s(h, t.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// LoadFile reads a model written by SaveFile. Missing or unexpected tensor
// names, wrong shapes, a missing or invalid config and malformed files are
// errors naming the file.
func LoadFile(path string) (*Model, map[string]string, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return FromFile(f, path)
}

// FromFile is LoadFile for a file already read; path names it in errors.
//
// A file with a checksum (MetaChecksum; SaveFile writes one) must match it,
// and a file whose "format" is FileFormat must have one. A foreign file
// (weights converted from elsewhere, with another or no "format") loads
// unverified: Checksummed tells the caller, to warn. The config in the metadata must
// describe as many parameters as the file holds (so that a damaged config
// cannot make it allocate more than the file's size), and every weight must
// be finite.
func FromFile(f *safetensors.File, path string) (*Model, map[string]string, error) {
	cj, ok := f.Meta["config"]
	if !ok {
		return nil, nil, fmt.Errorf("%s: metadata has no \"config\" (the model's JSON config with n_dims, n_points, n_layer, n_embd, n_head)", path)
	}
	sum, ok := f.Meta[MetaChecksum]
	if !ok && f.Meta["format"] == FileFormat {
		return nil, nil, fmt.Errorf("%s: metadata says format %q but has no %q: icl writes one into every model file, "+
			"so it was removed (a foreign file converted from elsewhere has no format %q)", path, FileFormat, MetaChecksum, FileFormat)
	}
	if ok {
		if got := checksum(f.Meta, f.Tensors); got != sum {
			return nil, nil, fmt.Errorf("%s: checksum mismatch (stored %.12s..., computed %.12s...): the file was changed or damaged after it was written",
				path, sum, got)
		}
	}
	var cfg Config
	if err := json.Unmarshal([]byte(cj), &cfg); err != nil {
		return nil, nil, fmt.Errorf("%s: metadata \"config\": %v", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%s: metadata \"config\": %w", path, err)
	}
	held := 0.0
	for _, t := range f.Tensors {
		held += float64(len(t.Data))
	}
	if want := cfg.Size(); want != held {
		return nil, nil, fmt.Errorf("%s: metadata \"config\" %s describes a model of %.0f parameters, but the file's tensors hold %.0f values",
			path, cj, want, held)
	}
	m, err := New(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	ts := make([]NamedTensor, len(f.Tensors))
	for i, t := range f.Tensors {
		ts[i] = NamedTensor{Name: t.Name, Shape: t.Shape, Data: t.Data}
	}
	if err := m.LoadTensors(ts); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := m.CheckFinite(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, f.Meta, nil
}

// Checksummed reports whether a model file's metadata carries a checksum
// (which FromFile then verified).
func Checksummed(meta map[string]string) bool {
	_, ok := meta[MetaChecksum]
	return ok
}

// CheckFinite returns an error naming the first parameter that is NaN or
// infinite, or nil.
func (m *Model) CheckFinite() error {
	for _, nt := range m.Tensors() {
		for i, v := range nt.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("weight %s[%d] (flat) is %v: a model's weights must be finite", nt.Name, i, v)
			}
		}
	}
	return nil
}
