package shipped

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"icl/experiment"
	"icl/provenance"
	"icl/runplan"
	"icl/train"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Limit is the most the models folder may hold, in bytes: it ships
// inside the module and the binary. It leaves room for the long scale's
// budget models (thirteen small models of about 1.1 MB each) beside the
// small and medium ones (23 MB).
const Limit = 60_000_000

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
