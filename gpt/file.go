package gpt

import (
	"encoding/json"
	"fmt"

	"icl/safetensors"
)

// FileFormat is the "format" metadata value of an exported model.
const FileFormat = "icl-gpt2"

// SaveFile writes m's weights to a .safetensors file (atomically) in the
// tensor names and nn.Linear layout of docs/design.md, with the model config as
// JSON under the metadata key "config", "format" = FileFormat, and extra.
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
	var ts []safetensors.Tensor
	for _, nt := range m.Tensors() {
		ts = append(ts, safetensors.Tensor{Name: nt.Name, Shape: nt.Shape, Data: nt.Data})
	}
	return safetensors.WriteFile(path, ts, meta)
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
func FromFile(f *safetensors.File, path string) (*Model, map[string]string, error) {
	cj, ok := f.Meta["config"]
	if !ok {
		return nil, nil, fmt.Errorf("%s: metadata has no \"config\" (the model's JSON config with n_dims, n_points, n_layer, n_embd, n_head)", path)
	}
	var cfg Config
	if err := json.Unmarshal([]byte(cj), &cfg); err != nil {
		return nil, nil, fmt.Errorf("%s: metadata \"config\": %v", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%s: metadata \"config\": %w", path, err)
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
	return m, f.Meta, nil
}
