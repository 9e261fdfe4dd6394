package shipped

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"icl/gpt"
	"icl/provenance"
	"icl/safetensors"
	"icl/train"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strings"
)

// Read finds the run directories of fsys (those holding a SHA256SUMS)
// and verifies each. It returns the runs that verify, and for the others
// a *Error each.
func Read(fsys fs.FS) ([]*Run, []error) {
	var dirs []string
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == ManifestFile {
			dirs = append(dirs, path.Dir(p))
		}
		return nil
	})
	sort.Strings(dirs)
	var runs []*Run
	var errs []error
	for _, dir := range dirs {
		r, err := verify(fsys, dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		runs = append(runs, r)
	}
	return runs, errs
}

// verify checks the run directory dir of fsys.
func verify(fsys fs.FS, dir string) (*Run, error) {
	bad := func(file, format string, args ...any) error {
		return &Error{Path: dir, File: file, Reason: fmt.Sprintf(format, args...)}
	}
	text, err := fs.ReadFile(fsys, path.Join(dir, ManifestFile))
	if err != nil {
		return nil, bad(ManifestFile, "%v", err)
	}
	sums, err := parseManifest(text)
	if err != nil {
		return nil, bad(ManifestFile, "%v", err)
	}
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, bad("", "%v", err)
	}
	for _, e := range ents {
		if _, ok := sums[e.Name()]; !ok && e.Name() != ManifestFile {
			return nil, bad(e.Name(), "not listed in %s", ManifestFile)
		}
	}
	for _, need := range []string{train.ConfigFile, train.ModelFile, train.DoneFile} {
		if _, ok := sums[need]; !ok {
			return nil, bad(need, "missing from %s", ManifestFile)
		}
	}
	if _, ok := sums[train.MetricsFile]; !ok {
		if _, ok := sums[shippedMetricsGz]; !ok {
			return nil, bad(train.MetricsFile, "missing from %s (neither it nor %s is listed)", ManifestFile, shippedMetricsGz)
		}
	}
	names := make([]string, 0, len(sums))
	for name := range sums {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, bad(name, "listed in %s but unreadable: %v", ManifestFile, err)
		}
		if got := provenance.SHA256Hex(b); got != sums[name] {
			return nil, bad(name, "SHA-256 %s, %s lists %s: the file is corrupt or was changed", got, ManifestFile, sums[name])
		}
	}
	cfgText, _ := fs.ReadFile(fsys, path.Join(dir, train.ConfigFile))
	cfg, err := train.DecodeConfig(bytes.NewReader(cfgText))
	if err != nil {
		return nil, bad(train.ConfigFile, "%v", err)
	}
	mb, _ := fs.ReadFile(fsys, path.Join(dir, train.ModelFile))
	m, mcfg, err := decodeModel(mb, path.Join(dir, train.ModelFile))
	if err != nil {
		return nil, bad(train.ModelFile, "%v", err)
	}
	if m.Cfg != cfg.GPT() {
		return nil, bad(train.ModelFile, "model %+v, config.yaml's is %+v", m.Cfg, cfg.GPT())
	}
	// The model must be this run's: the training config it carries is
	// config.yaml's, name included (a manifest can be made anew for any
	// files, so the hashes alone do not tie the model to the run).
	if mcfg == nil {
		return nil, bad(train.ModelFile, "no train_config metadata: icl writes the run's config into every model it trains")
	}
	if diff, ok := train.ConfigDiff(mcfg, cfg); ok {
		return nil, bad(train.ModelFile, "the training config it carries is not config.yaml's: it has %s", diff)
	}
	return &Run{Path: dir, Cfg: cfg, Sums: sums, fsys: fsys}, nil
}

// decodeModel reads a model file's bytes, requiring float32 tensors, and
// returns the model with the training config its metadata carries (nil if
// none).
func decodeModel(b []byte, name string) (*gpt.Model, *train.Config, error) {
	f, err := safetensors.Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, err
	}
	// The reader converts other dtypes to float32; the header says what is stored.
	n := binary.LittleEndian.Uint64(b[:8]) // Read checked the header's length
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &hdr); err != nil {
		return nil, nil, err
	}
	for name, raw := range hdr {
		var e struct {
			DType string `json:"dtype"`
		}
		if name != "__metadata__" && (json.Unmarshal(raw, &e) != nil || e.DType != "F32") {
			return nil, nil, fmt.Errorf("tensor %s is %s; shipped models are float32 (F32)", name, e.DType)
		}
	}
	if f.Meta["format"] != gpt.FileFormat {
		return nil, nil, fmt.Errorf("metadata format %q, want %q (a model icl trained)", f.Meta["format"], gpt.FileFormat)
	}
	return train.ModelFromFile(f, name)
}

// parseManifest reads "HEX  NAME" lines (sha256sum's format).
func parseManifest(text []byte) (map[string]string, error) {
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" ||
			name == "" || strings.ContainsAny(name, `/\`) || name == ManifestFile {
			return nil, fmt.Errorf("line %d: %q; want 64 hex digits, two spaces and a file name", n, line)
		}
		if _, dup := sums[name]; dup {
			return nil, fmt.Errorf("line %d: %s listed twice", n, name)
		}
		sums[name] = sum
	}
	return sums, nil
}

// sameConfig reports whether two training configs are equal as decoded
// structs, names aside, and otherwise the first field that differs as
// "key: a / b".
func sameConfig(a, b *train.Config) (bool, string) {
	norm := func(c *train.Config) (*train.Config, []byte) {
		x := *c
		x.Name = ""
		text, err := x.YAML()
		if err != nil {
			panic(err) // a validated config encodes
		}
		y, err := train.DecodeConfig(bytes.NewReader(text))
		if err != nil {
			panic(err)
		}
		y.Name = ""
		return y, text
	}
	x, xt := norm(a)
	y, yt := norm(b)
	if reflect.DeepEqual(x, y) {
		return true, ""
	}
	la, lb := strings.Split(string(xt), "\n"), strings.Split(string(yt), "\n")
	for i := range max(len(la), len(lb)) {
		var p, q string
		if i < len(la) {
			p = strings.TrimSpace(la[i])
		}
		if i < len(lb) {
			q = strings.TrimSpace(lb[i])
		}
		if p != q {
			return false, fmt.Sprintf("%q where the run has %q", p, q)
		}
	}
	return false, "the decoded configs differ"
}

// Error reports a shipped run that cannot be used, naming its
// directory and, where one is to blame, the file.
type Error struct {
	Path   string // the run's directory in the models folder
	File   string // the file at fault; "" when the run as a whole is
	Reason string
}

func (e *Error) Error() string {
	if e.File != "" {
		return fmt.Sprintf("shipped model %s: %s: %s", e.Path, e.File, e.Reason)
	}
	return fmt.Sprintf("shipped model %s: %s", e.Path, e.Reason)
}
