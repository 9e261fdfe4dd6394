package shipped

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"icl/atomicfile"
	"icl/experiment"
	"icl/provenance"
	"icl/runplan"
	"icl/train"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

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
