package gpt

import "time"

// Profile accumulates the wall time a Model's Forward and Backward spend in
// each kind of layer, when set as Model.Prof: the next profile of a step
// needs no hand-made timers. Matmul counts the matrix products of c_attn,
// c_proj, c_fc and mlp_proj with their bias and residual passes; Other is the
// read-in, read-out, loss and token building.
type Profile struct {
	Matmul, Attention, LayerNorm, GELU, Other time.Duration
}

// Total is the time of all layers.
func (p *Profile) Total() time.Duration {
	return p.Matmul + p.Attention + p.LayerNorm + p.GELU + p.Other
}

// layerKind names a field of Profile.
type layerKind int

const (
	kMatmul layerKind = iota
	kAttention
	kLayerNorm
	kGELU
	kOther
)

// lap adds the time since *t to the field of kind k and sets *t to now; a nil
// Profile (the default) costs one comparison.
func (p *Profile) lap(k layerKind, t *time.Time) {
	if p == nil {
		return
	}
	now := time.Now()
	d := now.Sub(*t)
	*t = now
	switch k {
	case kMatmul:
		p.Matmul += d
	case kAttention:
		p.Attention += d
	case kLayerNorm:
		p.LayerNorm += d
	case kGELU:
		p.GELU += d
	default:
		p.Other += d
	}
}

// start returns now for a Profile, the zero time for nil.
func (p *Profile) start() time.Time {
	if p == nil {
		return time.Time{}
	}
	return time.Now()
}
