package shipped

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"icl/experiment"
	"icl/gpt"
	"icl/runeval"
	"icl/runplan"
	"icl/safetensors"
	"icl/train"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
)

// resolveScale is the scale of preset, or s when given.
func resolveScale(preset string, s *experiment.Scale) (*experiment.Scale, error) {
	if s != nil {
		return s, s.Validate()
	}
	return experiment.LoadScale(preset)
}

// VerifyOptions configures Verify.
type VerifyOptions struct {
	Preset string // quick, small, medium or paper
	// Run is the shipped run: its name without the scale ("dense_sparse")
	// or its directory in the models folder ("small/dense_sparse").
	Run    string
	OutDir string // the retrained run goes to OutDir/verify/SCALE/NAME; empty means out/PRESET
	Models fs.FS  // the models folder; nil means none
	Train  train.Options
	Scale  *experiment.Scale // as Options.Scale
}

// VerifyResult is the outcome of Verify.
type VerifyResult struct {
	Shipped   *Run
	Dir       string // the retrained run
	Identical bool   // same config and the same bits in every tensor
	Diffs     []string
	// UsedFor names the run of the preset whose resolved config equals the
	// shipped one ("" when none does: reproduce would not use it).
	UsedFor string
	// TrainS is the training time the retrained run's metrics record;
	// ShippedS the shipped run's.
	TrainS, ShippedS float64
	// Numerics and ShippedNumerics are the numerics ids (gpt.NumericsID)
	// the retrained and the shipped model were trained under. Under one id
	// the comparison is bit for bit (Comparison "bits", Identical); under
	// different ids it is statistical (Comparison "statistical"): both are
	// evaluated on the same in-distribution prompts and Agrees says whether
	// every error of the retrained model lies in the shipped model's 90%
	// interval, Diffs listing those that do not, of Compared errors in all.
	Numerics, ShippedNumerics string
	Comparison                string
	Agrees                    bool
	Compared                  int
}

// Verification comparisons (VerifyResult.Comparison).
const (
	CompareBits        = "bits"
	CompareStatistical = "statistical"
)

// verifyPrompts is the number of prompts per setting of a statistical
// verification.
const verifyPrompts = 2560

// Verify retrains a shipped run from scratch under its own config and
// compares the result with it: the configs as decoded structs, the model's
// tensors name by name, bit for bit (not the files, whose metadata may
// differ). An interrupted verification resumes; a finished one is trained
// again.
func Verify(ctx context.Context, opts VerifyOptions) (*VerifyResult, error) {
	scale, err := resolveScale(opts.Preset, opts.Scale)
	if err != nil {
		return nil, err
	}
	if opts.OutDir == "" {
		opts.OutDir = filepath.Join("out", opts.Preset)
	}
	name := opts.Run
	if !strings.Contains(name, "/") {
		name = scale.Name + "/" + name
	}
	if opts.Models == nil {
		return nil, fmt.Errorf("verify: no models folder")
	}
	if _, err := fs.Stat(opts.Models, path.Join(name, ManifestFile)); err != nil {
		var have []string
		runs, errs := Read(opts.Models)
		for _, r := range runs {
			have = append(have, r.Path)
		}
		for _, e := range errs {
			var se *Error
			if errors.As(e, &se) {
				have = append(have, se.Path+" (does not verify)")
			}
		}
		if len(have) == 0 {
			have = []string{"none"}
		}
		return nil, fmt.Errorf("-verify %s: no shipped run %s; shipped: %s", opts.Run, name, strings.Join(have, ", "))
	}
	s, err := verify(opts.Models, name)
	if err != nil {
		return nil, err
	}
	res := &VerifyResult{Shipped: s, Dir: filepath.Join(opts.OutDir, "verify", filepath.FromSlash(name))}
	if defs, err := experiment.Defs(); err == nil {
	find:
		for _, d := range defs {
			for i := range d.Runs {
				if c, err := experiment.RunConfig(d, &d.Runs[i], scale); err == nil {
					if ok, _ := sameConfig(c, s.Cfg); ok {
						res.UsedFor = c.Name
						break find
					}
				}
			}
		}
	}
	if train.IsDone(res.Dir) {
		if err := os.RemoveAll(res.Dir); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(res.Dir, train.ConfigFile)); err == nil {
		_, err = train.Resume(ctx, res.Dir, opts.Train)
		if err != nil {
			return nil, err
		}
	} else if _, err := train.Run(ctx, s.Cfg, res.Dir, opts.Train); err != nil {
		return nil, err
	}
	got, meta, err := gpt.LoadFile(filepath.Join(res.Dir, train.ModelFile))
	if err != nil {
		return nil, err
	}
	mb, _ := fs.ReadFile(opts.Models, path.Join(name, train.ModelFile))
	want, _, err := decodeModel(mb, path.Join(name, train.ModelFile))
	if err != nil {
		return nil, err
	}
	res.Numerics, res.ShippedNumerics = numericsOf(meta), numericsOf(fileMeta(mb))
	if c, err := train.DecodeConfig(strings.NewReader(meta["train_config"])); err != nil {
		res.Diffs = append(res.Diffs, "the retrained model's train_config does not decode: "+err.Error())
	} else if !reflect.DeepEqual(c, s.Cfg) {
		_, diff := sameConfig(c, s.Cfg)
		res.Diffs = append(res.Diffs, "config: "+diff)
	}
	if res.Numerics == res.ShippedNumerics {
		res.Comparison = CompareBits
		res.Diffs = append(res.Diffs, compareModels(got, want)...)
		res.Identical = len(res.Diffs) == 0
		res.Agrees = res.Identical
	} else {
		res.Comparison = CompareStatistical
		diffs, n, err := compareEvaluations(got, want, s.Cfg)
		if err != nil {
			return nil, err
		}
		res.Compared = n
		res.Diffs = append(res.Diffs, diffs...)
		res.Agrees = len(res.Diffs) == 0
	}
	if d, ok := runplan.ReadTrainTime(res.Dir); ok {
		res.TrainS = d.Wall.Seconds()
	}
	if b, err := shippedMetrics(s); err == nil {
		if d, ok := runplan.MetricsTime(b); ok {
			res.ShippedS = d.Wall.Seconds()
		}
	}
	return res, nil
}

// numericsOf is the numerics id a model file's metadata records
// (gpt.LegacyNumerics of its config's precision when it records none).
func numericsOf(meta map[string]string) string {
	if id, ok := meta[gpt.MetaNumerics]; ok {
		return id
	}
	p := gpt.FP32
	if c, err := train.DecodeConfig(strings.NewReader(meta["train_config"])); err == nil {
		if q, err := gpt.ParsePrecision(c.Train.Precision); err == nil {
			p = q
		}
	}
	return gpt.LegacyNumerics(p)
}

// fileMeta returns the metadata of the safetensors file b (nil if it cannot
// be read).
func fileMeta(b []byte) map[string]string {
	f, err := safetensors.Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil
	}
	return f.Meta
}

// compareEvaluations evaluates got and want, both trained under cfg, on the
// same in-distribution prompts and lists every setting and number of
// examples at which got's mean error lies outside want's 90% interval.
func compareEvaluations(got, want *gpt.Model, cfg *train.Config) (diffs []string, compared int, err error) {
	opts := runeval.RunOptions{Prompts: verifyPrompts, Seed: 1, NoOOD: true, Baselines: []string{"least_squares"}}
	rg, err := runeval.EvaluateModel(got, cfg, opts)
	if err != nil {
		return nil, 0, err
	}
	rw, err := runeval.EvaluateModel(want, cfg, opts)
	if err != nil {
		return nil, 0, err
	}
	for _, sw := range rw.Settings {
		sg := rg.Setting(sw.Setting)
		cw, cg := sw.Curve(runeval.KeyRunModel), sg.Curve(runeval.KeyRunModel)
		for i := range cw.Mean {
			compared++
			g, _, _ := cg.At(i)
			m, lo, hi := cw.At(i)
			if !(g >= lo && g <= hi) {
				diffs = append(diffs, fmt.Sprintf("%s, %d examples: retrained %.4g, outside the shipped model's 90%% interval [%.4g, %.4g] (mean %.4g)",
					sw.Setting, i, g, lo, hi, m))
			}
		}
	}
	return diffs, compared, nil
}

// compareModels lists how got's tensors differ from want's: names, shapes,
// and per tensor the count of values whose bits differ and the largest
// difference.
func compareModels(got, want *gpt.Model) []string {
	var diffs []string
	if got.Cfg != want.Cfg {
		return []string{fmt.Sprintf("model %+v, shipped %+v", got.Cfg, want.Cfg)}
	}
	wt := want.Tensors()
	for i, g := range got.Tensors() {
		w := wt[i]
		if g.Name != w.Name || !slicesEqual(g.Shape, w.Shape) {
			diffs = append(diffs, fmt.Sprintf("tensor %d: %s %v, shipped %s %v", i, g.Name, g.Shape, w.Name, w.Shape))
			continue
		}
		n, worst := 0, 0.0
		for j, v := range g.Data {
			if math.Float32bits(v) != math.Float32bits(w.Data[j]) {
				n++
				worst = max(worst, math.Abs(float64(v)-float64(w.Data[j])))
			}
		}
		if n > 0 {
			diffs = append(diffs, fmt.Sprintf("%s: %d of %d values differ, by up to %.3g", g.Name, n, len(g.Data), worst))
		}
	}
	return diffs
}

func slicesEqual(a, b []int) bool { return reflect.DeepEqual(a, b) }

// shippedMetrics returns a shipped run's metrics.jsonl, decompressed.
func shippedMetrics(s *Run) ([]byte, error) {
	if _, ok := s.Sums[train.MetricsFile]; ok {
		return fs.ReadFile(s.fsys, path.Join(s.Path, train.MetricsFile))
	}
	gz, err := fs.ReadFile(s.fsys, path.Join(s.Path, shippedMetricsGz))
	if err != nil {
		return nil, err
	}
	return gunzip(gz)
}
