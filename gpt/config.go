package gpt

import (
	"fmt"
	"icl/config"
)

// Config is the shape of a model.
type Config struct {
	Dim    int `yaml:"dim" json:"n_dims"`      // d, the input dimension
	Points int `yaml:"points" json:"n_points"` // the largest N; position embeddings cover 2*Points tokens
	Layers int `yaml:"layers" json:"n_layer"`  // L, transformer blocks
	Width  int `yaml:"width" json:"n_embd"`    // C, the residual width
	Heads  int `yaml:"heads" json:"n_head"`    // H, attention heads; must divide Width
	// Families is F, the length of the family indicator appended to every
	// token (docs/design.md section 2): the read-in is Linear(d+F -> C). 0, the
	// default, is the unconditional model, whose exported config omits it.
	Families int `yaml:"families,omitempty" json:"n_families,omitempty"`
}

// In is the width of a token, d + F: the read-in's input size.
func (c Config) In() int { return c.Dim + c.Families }

// Validate reports the first invalid field of c, or nil.
func (c Config) Validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"dim", c.Dim}, {"points", c.Points}, {"layers", c.Layers}, {"width", c.Width}, {"heads", c.Heads}} {
		if f.v < 1 {
			return config.Must(f.name, f.v, "a positive integer")
		}
	}
	if c.Width%c.Heads != 0 {
		return config.Must("width", c.Width, fmt.Sprintf("a multiple of heads (%d)", c.Heads))
	}
	if c.Families < 0 {
		return config.Must("families", c.Families, "0 (no family indicator) or the number of families")
	}
	return nil
}

// Size is the number of scalar parameters of a model with config c, counted
// in float64 so that it cannot overflow (NumParams is exact but needs a config
// of a size that can be built).
func (c Config) Size() float64 {
	C, d, N, L := float64(c.Width), float64(c.In()), float64(c.Points), float64(c.Layers)
	// read_in (C, d+F) + (C); wpe (2N, C); per block: two LayerNorms 4C, c_attn
	// 3C*C + 3C, c_proj C*C + C, c_fc 4C*C + 4C, mlp_proj 4C*C + C; ln_f 2C;
	// read_out C + 1.
	return C*d + C + 2*N*C + L*(12*C*C+13*C) + 3*C + 1
}

// ActivationSize is the number of float32 values of the activations a model
// with config c stores for a forward and backward pass over B prompts of N
// points, in float64 so that it cannot overflow.
func (c Config) ActivationSize(B, N int) float64 {
	C, H, d, L := float64(c.Width), float64(c.Heads), float64(c.In()), float64(c.Layers)
	T := 2 * float64(N)
	BT := float64(B) * T
	att := float64(B) * H * T * float64(attStride(2*N))
	// ln_1, qkv, att, atty, res2, ln_2, GELU and its derivative, res3, and
	// four LayerNorm statistics.
	perBlock := 16*BT*C + 4*BT + att
	BN := BT / 2
	// tokens, encoded, blocks, the x-token rows resX and attyX, ln_f (+ mean,
	// rstd) on them, preds and dpreds, and the scratch: dres, dln, dfch,
	// dqkv, datty, datt.
	return BT*d + BT*C + L*perBlock + 2*BN*C + BN*C + 2*BN + BT + 2*BT*C + 4*BT*C + 3*BT*C + BT*C + att
}

// NumParams is the number of scalar parameters of a model with config c.
func (c Config) NumParams() int {
	n := 0
	for _, s := range layout(c) {
		n += s.size()
	}
	return n
}

// FLOPs is the number of floating-point operations (a multiply-add counts as
// two) of one training step (forward and backward) on a batch of B prompts of
// N points, counting the matrix products as executed: the read-in, the block
// projections (ProductFLOPs), the full T x T attention products of every
// head, and the read-out. Elementwise work (LayerNorm, GELU, softmax, AdamW) is
// not counted.
func (c Config) FLOPs(B, N int) float64 {
	bt := float64(B * 2 * N)
	C := float64(c.Width)
	T := float64(2 * N)
	// Forward matrix products; backward does twice the work of each (dinp and dW),
	// except the read-in, whose input needs no gradient.
	attn := float64(c.Layers) * float64(B) * 4 * T * T * C // q k^T and att v over all heads
	readIn := 2 * bt * C * float64(c.In())
	readOut := 2 * float64(B*N) * C
	return c.ProductFLOPs(B, N) + 3*(attn+readOut) + 2*readIn
}

// ProductFLOPs is the part of FLOPs in the blocks' four matrix products
// (c_attn, c_proj, c_fc and mlp_proj: what Profile.Matmul times), forward and
// backward (dinp and dW, twice the forward's work), as executed: the last
// block runs c_proj, c_fc and mlp_proj on the B*N x-token rows only.
func (c Config) ProductFLOPs(B, N int) float64 {
	bt, bn := float64(B*2*N), float64(B*N)
	C := float64(c.Width)
	fwd := 0.0
	for l := 0; l < c.Layers; l++ {
		r := bt
		if l == c.Layers-1 {
			r = bn
		}
		// c_attn (C -> 3C) on every row; c_proj (C -> C), c_fc (C -> 4C)
		// and mlp_proj (4C -> C) on r rows.
		fwd += 2*bt*C*3*C + 2*r*C*(C+4*C+4*C)
	}
	return 3 * fwd
}
