package gpt

import (
	"fmt"
	"slices"
)

// NamedTensor is a named float32 tensor, row-major.
type NamedTensor struct {
	Name  string
	Shape []int
	Data  []float32 // len = product of Shape
}

// tensorSpec places one named tensor in the flat parameter buffer.
type tensorSpec struct {
	name  string
	shape []int
	off   int
}

func (s tensorSpec) size() int {
	n := 1
	for _, d := range s.shape {
		n *= d
	}
	return n
}

// layout lists the tensors of a model with config c in buffer order: the order,
// names and nn.Linear (out, in) shapes of the exported safetensors file.
func layout(c Config) []tensorSpec {
	C, d, T := c.Width, c.In(), 2*c.Points
	var specs []tensorSpec
	off := 0
	add := func(name string, shape ...int) {
		s := tensorSpec{name: name, shape: shape, off: off}
		specs = append(specs, s)
		off += s.size()
	}
	add("read_in.weight", C, d)
	add("read_in.bias", C)
	add("wpe", T, C)
	for l := 0; l < c.Layers; l++ {
		p := fmt.Sprintf("blocks.%d.", l)
		add(p+"ln_1.weight", C)
		add(p+"ln_1.bias", C)
		add(p+"c_attn.weight", 3*C, C)
		add(p+"c_attn.bias", 3*C)
		add(p+"c_proj.weight", C, C)
		add(p+"c_proj.bias", C)
		add(p+"ln_2.weight", C)
		add(p+"ln_2.bias", C)
		add(p+"c_fc.weight", 4*C, C)
		add(p+"c_fc.bias", 4*C)
		add(p+"mlp_proj.weight", C, 4*C)
		add(p+"mlp_proj.bias", C)
	}
	add("ln_f.weight", C)
	add("ln_f.bias", C)
	add("read_out.weight", 1, C)
	add("read_out.bias", 1)
	return specs
}

// Weights are named views into a flat buffer laid out by layout.
type Weights struct {
	ReadInW  []float32 // (C, d+F)
	ReadInB  []float32 // (C)
	WPE      []float32 // (2*Points, C)
	Blocks   []BlockWeights
	LnFW     []float32 // (C)
	LnFB     []float32 // (C)
	ReadOutW []float32 // (1, C)
	ReadOutB []float32 // (1)
}

// BlockWeights are the views of one transformer block.
type BlockWeights struct {
	Ln1W, Ln1B   []float32 // (C)
	AttnW        []float32 // (3C, C): q, k, v stacked, heads contiguous within each
	AttnB        []float32 // (3C)
	ProjW, ProjB []float32 // (C, C), (C)
	Ln2W, Ln2B   []float32 // (C)
	FcW, FcB     []float32 // (4C, C), (4C)
	MlpW, MlpB   []float32 // (C, 4C), (C)
}

// views cuts buf into Weights following layout(c).
func views(c Config, buf []float32) Weights {
	specs := layout(c)
	i := 0
	next := func() []float32 {
		s := specs[i]
		i++
		n := s.size()
		return buf[s.off : s.off+n : s.off+n]
	}
	var w Weights
	w.ReadInW, w.ReadInB, w.WPE = next(), next(), next()
	w.Blocks = make([]BlockWeights, c.Layers)
	for l := range w.Blocks {
		b := &w.Blocks[l]
		b.Ln1W, b.Ln1B = next(), next()
		b.AttnW, b.AttnB = next(), next()
		b.ProjW, b.ProjB = next(), next()
		b.Ln2W, b.Ln2B = next(), next()
		b.FcW, b.FcB = next(), next()
		b.MlpW, b.MlpB = next(), next()
	}
	w.LnFW, w.LnFB = next(), next()
	w.ReadOutW, w.ReadOutB = next(), next()
	return w
}

func tensorsOf(c Config, buf []float32) []NamedTensor {
	specs := layout(c)
	ts := make([]NamedTensor, len(specs))
	for i, s := range specs {
		n := s.size()
		ts[i] = NamedTensor{Name: s.name, Shape: slices.Clone(s.shape), Data: buf[s.off : s.off+n : s.off+n]}
	}
	return ts
}

// Tensors returns every parameter tensor, in buffer order, with its exported name
// and shape; Data are views into m.Params.
func (m *Model) Tensors() []NamedTensor { return tensorsOf(m.Cfg, m.Params) }

// GradTensors is Tensors for the gradient buffer m.Grads.
func (m *Model) GradTensors() []NamedTensor { return tensorsOf(m.Cfg, m.Grads) }

// TensorError reports a tensor that LoadTensors cannot accept.
type TensorError struct {
	Name    string
	Problem string // "missing", "unexpected", "duplicate", "shape" or "length"
	Want    []int  // expected shape (for "shape" and "length")
	Got     []int  // given shape (for "shape"); for "length", the data length
}

func (e *TensorError) Error() string {
	switch e.Problem {
	case "missing":
		return fmt.Sprintf("gpt: tensor %q missing", e.Name)
	case "unexpected":
		return fmt.Sprintf("gpt: unexpected tensor %q", e.Name)
	case "duplicate":
		return fmt.Sprintf("gpt: tensor %q given twice", e.Name)
	case "shape":
		return fmt.Sprintf("gpt: tensor %q has shape %v, want %v", e.Name, e.Got, e.Want)
	case "length":
		return fmt.Sprintf("gpt: tensor %q of shape %v holds %d values", e.Name, e.Want, e.Got[0])
	}
	return fmt.Sprintf("gpt: tensor %q: %s", e.Name, e.Problem)
}

// LoadTensors copies ts into m.Params. Every tensor of m.Tensors must appear
// exactly once with the same shape, and no other name may appear; otherwise
// LoadTensors returns a *TensorError and leaves m.Params unchanged.
func (m *Model) LoadTensors(ts []NamedTensor) error {
	specs := layout(m.Cfg)
	byName := make(map[string]int, len(specs))
	for i, s := range specs {
		byName[s.name] = i
	}
	given := make([]int, len(specs))
	for i := range given {
		given[i] = -1
	}
	for j, t := range ts {
		i, ok := byName[t.Name]
		if !ok {
			return &TensorError{Name: t.Name, Problem: "unexpected"}
		}
		if given[i] >= 0 {
			return &TensorError{Name: t.Name, Problem: "duplicate"}
		}
		s := specs[i]
		if !slices.Equal(t.Shape, s.shape) {
			return &TensorError{Name: t.Name, Problem: "shape", Want: slices.Clone(s.shape), Got: slices.Clone(t.Shape)}
		}
		if len(t.Data) != s.size() {
			return &TensorError{Name: t.Name, Problem: "length", Want: slices.Clone(s.shape), Got: []int{len(t.Data)}}
		}
		given[i] = j
	}
	for i, j := range given {
		if j < 0 {
			return &TensorError{Name: specs[i].name, Problem: "missing"}
		}
	}
	for i, j := range given {
		s := specs[i]
		copy(m.Params[s.off:s.off+s.size()], ts[j].Data)
	}
	return nil
}
