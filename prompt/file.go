package prompt

import (
	"bytes"
	"fmt"
	"math"

	"gopkg.in/yaml.v3"

	"icl/config"
	"icl/npz"
)

// Arrays of a prompts file (.npz, numpy's format): `icl sample`'s output,
// `icl baselines`' and `icl predict`'s input.
const (
	arrXs     = "xs"          // (B, N, D) float64
	arrYs     = "ys"          // (B, N) float64
	arrClass  = "class"       // (B) int64, the mixture component of each prompt
	arrScale  = "scale"       // (B) float64, each prompt's error normalizer
	arrQXs    = "query_xs"    // (B, N, D) float64, OOD query settings only
	arrQYs    = "query_ys"    // (B, N) float64
	arrConfig = "config_yaml" // (bytes) uint8, the Config as YAML
)

// WriteNPZ saves a batch and the config it was drawn from to a prompts file
// (atomically).
func WriteNPZ(path string, b *Batch, cfg Config) error {
	arrs := []npz.Array{
		npz.NewFloat64(arrXs, []int{b.B, b.N, b.D}, b.Xs),
		npz.NewFloat64(arrYs, []int{b.B, b.N}, b.Ys),
		npz.NewFloat64(arrScale, []int{b.B}, b.Scale),
	}
	if b.Class != nil {
		cls := make([]int64, len(b.Class))
		for i, c := range b.Class {
			cls[i] = int64(c)
		}
		arrs = append(arrs, npz.NewInt64(arrClass, []int{b.B}, cls))
	}
	if b.QXs != nil {
		arrs = append(arrs, npz.NewFloat64(arrQXs, []int{b.B, b.N, b.D}, b.QXs),
			npz.NewFloat64(arrQYs, []int{b.B, b.N}, b.QYs))
	}
	y, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	raw := make([]int64, len(y))
	for i, c := range y {
		raw[i] = int64(c)
	}
	a := npz.NewInt64(arrConfig, []int{len(raw)}, raw)
	a.DType = "|u1"
	arrs = append(arrs, a)
	return npz.WriteNPZ(path, arrs...)
}

// ReadNPZ loads a prompts file. xs and ys are required; scale, class and the
// query arrays are read when present (Scale stays nil without scale). The
// config (and so the class prior) is returned when the file carries one, with
// ok = true.
func ReadNPZ(path string) (b *Batch, cfg Config, ok bool, err error) {
	f, err := npz.ReadNPZ(path)
	if err != nil {
		return nil, cfg, false, err
	}
	defer f.Close()
	xs, xsh, err := f.Float64(arrXs, -1, -1, -1)
	if err != nil {
		return nil, cfg, false, err
	}
	B, N, D := xsh[0], xsh[1], xsh[2]
	if B < 1 || N < 1 || D < 1 {
		return nil, cfg, false, fmt.Errorf("%s: array %q has shape (%d, %d, %d): the prompts B, the points N and the dimension D must each be >= 1",
			path, arrXs, B, N, D)
	}
	ys, _, err := f.Float64(arrYs, B, N)
	if err != nil {
		return nil, cfg, false, err
	}
	if err := finite(path, arrXs, xs, N*D); err != nil {
		return nil, cfg, false, err
	}
	if err := finite(path, arrYs, ys, N); err != nil {
		return nil, cfg, false, err
	}
	b = &Batch{B: B, N: N, D: D, Xs: xs, Ys: ys, QueryLen: N}
	if _, has := f.Get(arrScale); has {
		if b.Scale, _, err = f.Float64(arrScale, B); err != nil {
			return nil, cfg, false, err
		}
		for p, v := range b.Scale {
			if !(v > 0) || math.IsInf(v, 0) {
				return nil, cfg, false, fmt.Errorf("%s: array %q: prompt %d has scale %g; a scale must be finite and > 0", path, arrScale, p, v)
			}
		}
	}
	if _, has := f.Get(arrClass); has {
		cls, _, err := f.Int64(arrClass, B)
		if err != nil {
			return nil, cfg, false, err
		}
		b.Class = make([]int, B)
		for i, c := range cls {
			b.Class[i] = int(c)
		}
	}
	if _, has := f.Get(arrQXs); has {
		if b.QXs, _, err = f.Float64(arrQXs, B, N, D); err != nil {
			return nil, cfg, false, err
		}
		if b.QYs, _, err = f.Float64(arrQYs, B, N); err != nil {
			return nil, cfg, false, err
		}
		b.QueryLen = N
		for i := 0; i < N; i++ {
			if b.QYs[i] != b.QYs[i] { // NaN: no query from here on
				b.QueryLen = i
				break
			}
		}
	}
	if f.Has(arrConfig) {
		raw, _, err := f.Int64(arrConfig, -1)
		if err != nil {
			return nil, cfg, false, err
		}
		y := make([]byte, len(raw))
		for i, c := range raw {
			y[i] = byte(c)
		}
		if err := config.Decode(bytes.NewReader(y), &cfg); err != nil {
			return nil, cfg, false, fmt.Errorf("%s: array %q: %w", path, arrConfig, err)
		}
		if cfg.Dim != D {
			return nil, cfg, false, fmt.Errorf("%s: array %q says dim %d but xs has D = %d", path, arrConfig, cfg.Dim, D)
		}
		ok = true
	}
	return b, cfg, ok, nil
}

// finite returns an error naming the first prompt of a (per values per
// prompt) that holds a NaN or an infinity.
func finite(path, name string, a []float64, per int) error {
	for i, v := range a {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: array %q: prompt %d holds %g (at flat index %d); prompts must be finite", path, name, i/per, v, i)
		}
	}
	return nil
}
