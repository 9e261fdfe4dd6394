package evalcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"icl/atomicfile"
	"icl/provenance"
)

// Cache keeps the results of an experiment's evaluations in a folder of
// the output directory, one gob file per evaluation (gob keeps every float64's
// bits, NaN included), named by the SHA-256 of
// everything the result is a function of: icl's commit, the experiment's
// definition, the scale, the evaluation seed, the evaluation's own arguments,
// the models' file hashes and the numerics of their forward pass. A second
// reproduction with nothing changed reads them instead of evaluating again.
// Without a clean commit (a build from a tree with uncommitted changes, or
// without version control) the code that made a result cannot be named, so
// nothing is cached.
type Cache struct {
	dir    string // OUT/cache
	commit string
	// Hits and Misses count the loads that found a result and those that
	// did not.
	Hits, Misses int
}

// format changes when what a cache file holds or how keys are made changes.
const format = "2"

// Dir is the cache's folder under the output directory.
const Dir = "cache"

// New returns the evaluation cache of the output folder outDir, or nil (with
// the reason) when the build cannot name its code.
func New(outDir string) (*Cache, string) {
	_, commit := provenance.Version()
	if len(commit) != 40 || strings.Trim(commit, "0123456789abcdef") != "" {
		return nil, "icl's source is not a clean commit (" + commit + ")"
	}
	return Open(filepath.Join(outDir, Dir), commit), ""
}

// Open returns the cache in folder dir for the code named commit (tests
// name their own).
func Open(dir, commit string) *Cache { return &Cache{dir: dir, commit: commit} }

// Key is the cache key of an evaluation whose result is a function of parts
// (any value that JSON-encodes everything it depends on besides icl's code,
// which the cache adds: the experiment's definition, the scale, the
// evaluation's arguments, the models' file hashes and numerics); "" without a
// cache.
func (c *Cache) Key(parts any) string {
	if c == nil {
		return ""
	}
	b, err := json.Marshal(struct {
		Format, Commit string
		Parts          any
	}{format, c.commit, parts})
	if err != nil {
		panic(err) // the arguments are plain data
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Has reports whether the cache holds key, without reading it or counting
// a hit or a miss.
func (c *Cache) Has(key string) bool {
	if c == nil || key == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(c.dir, key+".gob"))
	return err == nil
}

// Load reads the result stored under key into v; false when there is none
// (or it does not decode: it is then computed again).
func (c *Cache) Load(key string, v any) bool {
	if c == nil {
		return false
	}
	b, err := os.ReadFile(filepath.Join(c.dir, key+".gob"))
	if err == nil && gob.NewDecoder(bytes.NewReader(b)).Decode(v) == nil {
		c.Hits++
		return true
	}
	c.Misses++
	return false
}

// Store writes v under key.
func (c *Cache) Store(key string, v any) error {
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
