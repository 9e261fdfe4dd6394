package experiment

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"icl/atomicfile"
	"icl/gpt"
	"icl/provenance"
)

// EvalCache keeps the results of an experiment's evaluations in a folder of
// the output directory, one gob file per evaluation (gob keeps every float64's
// bits, NaN included), named by the SHA-256 of
// everything the result is a function of: icl's commit, the experiment's
// definition, the scale, the evaluation seed, the evaluation's own arguments,
// the models' file hashes and the numerics of their forward pass. A second
// reproduction with nothing changed reads them instead of evaluating again.
// Without a clean commit (a build from a tree with uncommitted changes, or
// without version control) the code that made a result cannot be named, so
// nothing is cached.
type EvalCache struct {
	dir          string // OUT/cache
	commit       string
	hits, misses int
}

// cacheFormat changes when what a cache file holds changes.
const cacheFormat = "1"

// cacheDir is the cache's folder under the output directory.
const cacheDir = "cache"

// NewEvalCache returns the evaluation cache of the output folder outDir, or nil (with the reason) when the
// build cannot name its code.
func NewEvalCache(outDir string) (*EvalCache, string) {
	_, commit := provenance.Version()
	if len(commit) != 40 || strings.Trim(commit, "0123456789abcdef") != "" {
		return nil, "icl's source is not a clean commit (" + commit + ")"
	}
	return &EvalCache{dir: filepath.Join(outDir, cacheDir), commit: commit}, ""
}

// key is the cache key of an evaluation of e described by what (any value
// that JSON-encodes the evaluation's own arguments), with the models of roles;
// "" without a cache.
func (c *EvalCache) key(e *env, kind string, what any, roles []string) string {
	if c == nil {
		return ""
	}
	type modelID struct {
		Role, SHA256, Label, Numerics string
	}
	var ms []modelID
	for _, r := range roles {
		m := e.models[r]
		ms = append(ms, modelID{r, m.SHA256, m.label, gpt.NumericsID(gpt.FP32)})
	}
	scale, err := yaml.Marshal(e.scale) // its fields as the scale's file has them
	if err != nil {
		panic(err)
	}
	b, err := json.Marshal(struct {
		Format, Commit, Def, Kind, Scale, ScaleName, Precision string
		EvalSeed                                               uint64
		What                                                   any
		Models                                                 []modelID
	}{cacheFormat, c.commit, e.def.Source, kind, string(scale), e.scale.Name, e.scale.Precision, e.evalSeed, what, ms})
	if err != nil {
		panic(err) // the arguments are plain data
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// load reads the result stored under key into v; false when there is none
// (or it does not decode: it is then computed again).
// has reports whether the cache holds key, without reading it or counting
// a hit or a miss.
func (c *EvalCache) has(key string) bool {
	if c == nil || key == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(c.dir, key+".gob"))
	return err == nil
}

func (c *EvalCache) load(key string, v any) bool {
	if c == nil {
		return false
	}
	b, err := os.ReadFile(filepath.Join(c.dir, key+".gob"))
	if err == nil && gob.NewDecoder(bytes.NewReader(b)).Decode(v) == nil {
		c.hits++
		return true
	}
	c.misses++
	return false
}

// store writes v under key.
func (c *EvalCache) store(key string, v any) error {
	if c == nil {
		return nil
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(c.dir, key+".gob"), b.Bytes())
}
