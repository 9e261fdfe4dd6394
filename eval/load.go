package eval

import (
	"encoding/json"
	"fmt"

	"icl/gpt"
	"icl/safetensors"
)

// LoadModel reads a model written by package train (model.safetensors or a
// checkpoint): the gpt.Config from the "config" metadata entry (gpt's JSON
// names) and the tensors in gpt's names. Tensors other than the model's (such
// as a checkpoint's optimizer moments) are ignored.
func LoadModel(path string) (*gpt.Model, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	text, ok := f.Meta["config"]
	if !ok {
		return nil, fmt.Errorf("%s: no \"config\" metadata entry; not a model written by icl", path)
	}
	var cfg gpt.Config
	if err := json.Unmarshal([]byte(text), &cfg); err != nil {
		return nil, fmt.Errorf("%s: config metadata: %w", path, err)
	}
	m, err := gpt.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	names := map[string]bool{}
	for _, t := range m.Tensors() {
		names[t.Name] = true
	}
	var ts []gpt.NamedTensor
	for _, t := range f.Tensors {
		if names[t.Name] {
			ts = append(ts, gpt.NamedTensor{Name: t.Name, Shape: t.Shape, Data: t.Data})
		}
	}
	if err := m.LoadTensors(ts); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
