package eval

import "icl/gpt"

// LoadModel reads a model written by package train (model.safetensors): see
// gpt.LoadFile.
func LoadModel(path string) (*gpt.Model, error) {
	m, _, err := gpt.LoadFile(path)
	return m, err
}
