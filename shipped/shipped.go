package shipped

import (
	"io/fs"

	"icl/train"
)

// Files of a shipped run directory (package models describes the layout).
const (
	ManifestFile     = "SHA256SUMS"
	shippedMetricsGz = train.MetricsFile + ".gz"
)

// gzipMetricsAbove is the size in bytes above which metrics.jsonl ships
// compressed (a variable for tests).
var gzipMetricsAbove = 256 << 10

// Run is a verified shipped run: every file its manifest lists hashes
// to the listed SHA-256, nothing else is in its directory, its config decodes
// and its model holds that config's tensors in float32.
type Run struct {
	Path string            // its directory in the models folder, "small/dense_sparse"
	Cfg  *train.Config     // config.yaml, decoded
	Sums map[string]string // file name -> SHA-256, hex
	fsys fs.FS
}

// ModelSHA256 is the SHA-256 of the run's model.safetensors.
func (s *Run) ModelSHA256() string { return s.Sums[train.ModelFile] }
