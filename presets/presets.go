// Package presets holds icl's built-in training presets: YAML files named
// SCALE/MIXTURE.yaml, embedded in the binary. Scales: quick (minutes on 2 CPU
// cores), small (hours on 2 cores), medium (dense, sparse and their mixture at
// 6 layers, width 128: up to 10 core-hours a run), long (dense, sparse and
// their mixture trained 400k steps at a constant rate, the trunks of budget
// branches), paper (Garg et al.'s d = 20, 12 layers, width 256, 8 heads). Mixtures: dense_linear, sparse_linear, dense_sparse,
// sinusoid, linear_sinusoid, convex.
package presets

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed quick/*.yaml small/*.yaml medium/*.yaml long/*.yaml paper/*.yaml
var files embed.FS

// Scales lists the preset scales, smallest first. Each is a folder of this
// package (its presets) and a key of experiment/scales.yaml (its
// evaluation sizes); the tests hold the three together.
var Scales = []string{"quick", "small", "medium", "long", "paper"}

// DefaultScale is the scale `icl reproduce` runs when none is named. Its
// every run ships with icl (models/), so the default evaluates trained
// models and trains nothing, and of the scales that ship it is the one whose
// report supports the most findings (a tie goes to the later scale of
// Scales): long, whose E1, E3, MS and E8 read mixtures trained 400k steps,
// where medium's read one that stalled at 72k.
const DefaultScale = "long"

// Names lists the presets as "scale/name", sorted.
func Names() []string {
	var names []string
	fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
			names = append(names, strings.TrimSuffix(path, ".yaml"))
		}
		return nil
	})
	sort.Strings(names)
	return names
}

// Read returns the YAML text of preset name ("scale/name").
func Read(name string) ([]byte, error) {
	return files.ReadFile(name + ".yaml")
}
