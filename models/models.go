// Package models holds icl's shipped pretrained models, embedded in the
// binary so that `icl reproduce` evaluates them instead of training, from a
// clone (`go run ./cmd/icl`) or an installed binary alike.
//
// Layout: one directory per run, SCALE/NAME/ (the run's name, e.g.
// small/dense_sparse), holding
//
//	config.yaml        the run's resolved training config
//	model.safetensors  its final weights, float32
//	metrics.jsonl      its training log (metrics.jsonl.gz when large)
//	done               its completion record
//	SHA256SUMS         the SHA-256 of every other file, as sha256sum writes it
//
// `icl reproduce -preset P -pack models` writes these directories from a
// finished reproduction; `icl reproduce` uses a shipped run only when its
// config equals the run's resolved config and every checksum verifies
// (package experiment).
package models

import (
	"embed"
	"io/fs"
)

// The pattern takes every run directory; this file keeps it from matching
// nothing when none is shipped.
//
//go:embed *
var files embed.FS

// FS returns the shipped models: the directories SCALE/NAME/ described above.
func FS() fs.FS { return files }
