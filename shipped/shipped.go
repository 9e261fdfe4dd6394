package shipped

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"icl/atomicfile"
	"icl/experiment"
	"icl/gpt"
	"icl/provenance"
	"icl/runplan"
	"icl/safetensors"
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

// copyRun writes s into the run directory dir as a finished run of cfg
// (whose config equals s's): the record, config.yaml as cfg resolves, the
// model, the metrics (decompressed) and the done marker.
func copyRun(s *Run, cfg *train.Config, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfgText, err := cfg.YAML()
	if err != nil {
		return err
	}
	read := func(name string) ([]byte, error) { return fs.ReadFile(s.fsys, path.Join(s.Path, name)) }
	model, err := read(train.ModelFile)
	if err != nil {
		return err
	}
	metrics, err := read(train.MetricsFile)
	if _, listed := s.Sums[train.MetricsFile]; !listed {
		var gz []byte
		if gz, err = read(shippedMetricsGz); err == nil {
			metrics, err = gunzip(gz)
		}
	}
	if err != nil {
		return fmt.Errorf("shipped model %s: %w", s.Path, err)
	}
	done, err := read(train.DoneFile)
	if err != nil {
		return err
	}
	files := map[string][]byte{train.ConfigFile: cfgText, train.ModelFile: model, train.MetricsFile: metrics, train.DoneFile: done}
	rec := runplan.ShippedCopy{Source: s.Path, Sums: map[string]string{}}
	for name, b := range files {
		rec.Sums[name] = provenance.SHA256Hex(b)
	}
	recText, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	files[runplan.ShippedCopyMarker] = append(recText, '\n')
	for _, name := range runplan.CopiedFiles {
		if err := atomicfile.WriteBytes(filepath.Join(dir, name), files[name]); err != nil {
			return err
		}
	}
	return nil
}

func gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// Use decides, for each planned run, whether a shipped run stands in
// for training it, and copies it into the run's directory if so. A shipped run
// is used when its config equals the run's and it verifies; retrain turns
// them all off. Runs trained here earlier (in their directory, finished or
// not) are kept. A copy made by an earlier invocation is kept while it still
// matches a verified shipped run, and removed otherwise, so that the run is
// trained. Every shipped run that does not verify, and every one named like a
// run whose config differs, is reported through logf by name.
func Use(runs []*runplan.Run, fsys fs.FS, retrain bool, logf func(string, ...any)) error {
	var shipped []*Run
	var broken []error
	if !retrain && fsys != nil {
		shipped, broken = Read(fsys)
	}
	for _, err := range broken {
		logf("[reproduce] %v: not used", err)
	}
	for _, r := range runs {
		rec, isCopy := runplan.ReadShippedCopy(r.Dir)
		var use *Run
		for _, s := range shipped {
			if ok, _ := sameConfig(s.Cfg, r.Cfg); ok {
				use = s
				break
			}
		}
		if use == nil {
			for _, s := range shipped {
				if s.Path == r.Name {
					_, diff := sameConfig(s.Cfg, r.Cfg)
					logf("[reproduce] shipped model %s: not used, run %s is trained here: its config.yaml differs from the run's config: %s",
						s.Path, r.Name, diff)
				}
			}
		}
		switch {
		case isCopy && use != nil && rec.Source == use.Path && rec.Sums[train.ModelFile] == use.ModelSHA256() && rec.Intact(r.Dir):
			r.State, r.Shipped = runplan.StateDone, use.Path
			continue
		case isCopy:
			why := "-retrain ignores shipped models"
			if !retrain {
				why = "it no longer matches a verified shipped model"
				if use != nil {
					why = "the shipped model changed"
				}
			}
			logf("[reproduce] %s holds a copy of shipped model %s: removed (%s)", r.Dir, rec.Source, why)
			if err := runplan.RemoveShippedCopy(r.Dir); err != nil {
				return err
			}
			r.State = runplan.StateMissing
		}
		if use == nil {
			continue
		}
		if r.State != runplan.StateMissing {
			logf("[reproduce] %s: run %s was trained here (%s), so shipped model %s is not used; "+
				"move the directory away to use it", r.Dir, r.Name, r.State, use.Path)
			continue
		}
		if err := copyRun(use, r.Cfg, r.Dir); err != nil {
			return fmt.Errorf("run %s: copying shipped model %s: %w", r.Name, use.Path, err)
		}
		r.State, r.Shipped = runplan.StateDone, use.Path
	}
	return nil
}

// askRetrainAbove is the predicted training time above which a reproduction
// stops rather than train runs that shipped models were expected to cover.
const askRetrainAbove = 5 * time.Minute

// MissingError reports runs of a shipped scale that the models folder
// does not cover, and that would take long to train.
type MissingError struct {
	Runs  []string // "run SCALE/NAME (about 2h 30m of training): what the folder lacks"
	Total time.Duration
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%d run(s) that ship with icl are missing from the models folder and would take about %s to train:\n  %s\n"+
		"restore the models folder (or point -models at one that holds them), or pass -retrain to train them here",
		len(e.Runs), train.FormatDuration(e.Total), strings.Join(e.Runs, "\n  "))
}

// CheckCover looks at the runs of shipped scales (Scale.Shipped) that
// are to be trained here from scratch. For each it says what the models
// folder fsys (named where) lacks; when their predicted training time is
// above askRetrainAbove it returns a *MissingError, and otherwise it
// only logs them. A run resumed from its own checkpoints was started here on
// purpose and is not asked about. retrain turns the check off.
func CheckCover(runs []*runplan.Run, fsys fs.FS, where string, retrain bool, logf func(string, ...any)) error {
	if retrain {
		return nil
	}
	var lines []string
	var total time.Duration
	for _, r := range runs {
		if r.State != runplan.StateMissing || r.Shipped != "" {
			continue
		}
		scaleName, _, _ := strings.Cut(r.Name, "/")
		sc, err := experiment.LoadScale(scaleName)
		if err != nil || !sc.Shipped {
			continue
		}
		left := time.Duration(r.Work() * float64(time.Second))
		total += left
		lines = append(lines, fmt.Sprintf("run %s (about %s of training): %s", r.Name, train.FormatDuration(left), shippedLack(fsys, where, r)))
	}
	if len(lines) == 0 {
		return nil
	}
	if total <= askRetrainAbove {
		for _, l := range lines {
			logf("[reproduce] %s; it is trained here", l)
		}
		return nil
	}
	return &MissingError{Runs: lines, Total: total}
}

// shippedLack says why the models folder fsys gives no shipped model for r.
func shippedLack(fsys fs.FS, where string, r *runplan.Run) string {
	if fsys == nil {
		return "no models folder"
	}
	dir := r.Name
	if st, err := fs.Stat(fsys, dir); err != nil || !st.IsDir() {
		return fmt.Sprintf("%s has no directory %s", where, dir)
	}
	if _, err := fs.Stat(fsys, path.Join(dir, ManifestFile)); err != nil {
		return fmt.Sprintf("%s/%s has no %s, so none of its files can be verified", where, dir, ManifestFile)
	}
	s, err := verify(fsys, dir)
	if err != nil {
		return err.Error()
	}
	if _, diff := sameConfig(s.Cfg, r.Cfg); diff != "" {
		return fmt.Sprintf("%s/%s was trained under another config: %s", where, dir, diff)
	}
	return fmt.Sprintf("%s/%s was not used", where, dir)
}

// Limit is the most the models folder may hold, in bytes: it ships
// inside the module and the binary.
const Limit = 40_000_000

// PackOptions configures Pack.
type PackOptions struct {
	Preset    string // the reproduction's preset: quick, small, medium or paper
	OutDir    string // its output directory; empty means out/PRESET
	ModelsDir string // the models folder to write into, e.g. "models"
	Progress  io.Writer
	Scale     *experiment.Scale // as Options.Scale
}

// Pack copies every finished run of the reproduction in OutDir that was
// trained there (not copied from a shipped model) into
// ModelsDir/SCALE/NAME/ in the shipped layout (package models), replacing a
// shipped run of that name, and reads each back as Reproduce would. It lists
// the runs it leaves out and the folder's total size, and fails when that
// passes Limit.
func Pack(opts PackOptions) error {
	w := opts.Progress
	if w == nil {
		w = os.Stderr
	}
	logf := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	scale, err := resolveScale(opts.Preset, opts.Scale)
	if err != nil {
		return err
	}
	if opts.OutDir == "" {
		opts.OutDir = filepath.Join("out", opts.Preset)
	}
	if opts.ModelsDir == "" {
		return errors.New("pack: no models folder given")
	}
	defs, err := experiment.Defs()
	if err != nil {
		return err
	}
	runs, err := runplan.Plan(defs, scale, opts.OutDir)
	if err != nil {
		return err
	}
	packed := 0
	for _, r := range runs {
		if rec, ok := runplan.ReadShippedCopy(r.Dir); ok {
			logf("[pack] %s: left out, it is a copy of shipped model %s", r.Name, rec.Source)
			continue
		}
		if r.TrunkOnly() {
			logf("[pack] %s: left out, the trunk of budget branches (which ship) that no experiment reads", r.Name)
			continue
		}
		if r.State != runplan.StateDone {
			logf("[pack] %s: left out, not finished in %s (%s)", r.Name, r.Dir, r.State)
			continue
		}
		dest, err := packRun(r, opts.ModelsDir)
		if err != nil {
			return fmt.Errorf("pack %s: %w", r.Name, err)
		}
		packed++
		logf("[pack] %s -> %s", r.Name, dest)
	}
	var total int64
	filepath.WalkDir(opts.ModelsDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	if packed == 0 {
		return fmt.Errorf("-pack: nothing to pack: none of the %d runs of preset %s in %s was trained there and finished", len(runs), opts.Preset, opts.OutDir)
	}
	logf("[pack] %d of %d runs packed; %s holds %.1f MB (limit %.0f MB)", packed, len(runs), opts.ModelsDir,
		float64(total)/1e6, float64(Limit)/1e6)
	if total > Limit {
		return fmt.Errorf("pack: %s holds %d bytes, more than the %d the module may ship", opts.ModelsDir, total, Limit)
	}
	return nil
}

// packRun writes run r into modelsDir/NAME and verifies it there.
func packRun(r *runplan.Run, modelsDir string) (string, error) {
	dest := filepath.Join(modelsDir, filepath.FromSlash(r.Name))
	files := map[string][]byte{}
	for _, name := range []string{train.ConfigFile, train.ModelFile, train.MetricsFile, train.DoneFile} {
		b, err := os.ReadFile(filepath.Join(r.Dir, name))
		if err != nil {
			return "", err
		}
		files[name] = b
	}
	if _, _, err := decodeModel(files[train.ModelFile], filepath.Join(r.Dir, train.ModelFile)); err != nil {
		return "", err
	}
	if m := files[train.MetricsFile]; len(m) > gzipMetricsAbove {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // zero header: the same bytes every time
		zw.Write(m)
		if err := zw.Close(); err != nil {
			return "", err
		}
		delete(files, train.MetricsFile)
		files[shippedMetricsGz] = buf.Bytes()
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var sums bytes.Buffer
	for _, name := range names {
		fmt.Fprintf(&sums, "%s  %s\n", provenance.SHA256Hex(files[name]), name)
	}
	files[ManifestFile] = sums.Bytes()

	// Written beside the destination, then swapped in, so that a failure
	// leaves the old shipped run or none, never a mixture.
	tmp := dest + ".pack-tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
			return "", err
		}
	}
	if _, err := os.Stat(dest); err == nil {
		if _, err := os.Stat(filepath.Join(dest, ManifestFile)); err != nil {
			return "", fmt.Errorf("%s exists and is not a shipped run (no %s); move it away", dest, ManifestFile)
		}
		if err := os.RemoveAll(dest); err != nil {
			return "", err
		}
	}
	if err := os.Rename(tmp, dest); err != nil {
		return "", err
	}
	s, err := verify(os.DirFS(modelsDir), r.Name)
	if err != nil {
		return "", err
	}
	if ok, diff := sameConfig(s.Cfg, r.Cfg); !ok {
		return "", fmt.Errorf("packed config differs from the run's: %s", diff)
	}
	return dest, nil
}

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
	// interval, Diffs listing those that do not.
	Numerics, ShippedNumerics string
	Comparison                string
	Agrees                    bool
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
		diffs, err := compareEvaluations(got, want, s.Cfg)
		if err != nil {
			return nil, err
		}
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
// (gpt.LegacyNumerics when it records none).
func numericsOf(meta map[string]string) string {
	if id, ok := meta[gpt.MetaNumerics]; ok {
		return id
	}
	return gpt.LegacyNumerics
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
func compareEvaluations(got, want *gpt.Model, cfg *train.Config) ([]string, error) {
	opts := experiment.RunOptions{Prompts: verifyPrompts, Seed: 1, NoOOD: true, Baselines: []string{"least_squares"}}
	rg, err := experiment.EvaluateModel(got, cfg, opts)
	if err != nil {
		return nil, err
	}
	rw, err := experiment.EvaluateModel(want, cfg, opts)
	if err != nil {
		return nil, err
	}
	var diffs []string
	for _, sw := range rw.Settings {
		sg := rg.Setting(sw.Setting)
		cw, cg := sw.Curve(experiment.KeyRunModel), sg.Curve(experiment.KeyRunModel)
		for i := range cw.Mean {
			g, _, _ := cg.At(i)
			m, lo, hi := cw.At(i)
			if !(g >= lo && g <= hi) {
				diffs = append(diffs, fmt.Sprintf("%s, %d examples: retrained %.4g, outside the shipped model's 90%% interval [%.4g, %.4g] (mean %.4g)",
					sw.Setting, i, g, lo, hi, m))
			}
		}
	}
	return diffs, nil
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
