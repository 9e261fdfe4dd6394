package reproduce

import (
	"encoding/json"
	"fmt"
	"icl/atomicfile"
	"icl/experiment"
	"icl/provenance"
	"icl/report"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// sectionFile is where an experiment's report section is kept (OUT/ID/),
// so that a later invocation with -only can show it without running it.
const sectionFile = "section.json"

// storedSection is a report section kept by an earlier invocation.
type storedSection struct {
	Section   report.Experiment `json:"section"`
	Date      string            `json:"date"`
	Commit    string            `json:"commit"`
	Preset    string            `json:"preset"`
	EvalSeed  uint64            `json:"eval_seed"`
	Precision string            `json:"precision"`
}

// keepSections writes the section of every experiment run now to
// OUT/ID/section.json, and puts into rep, in place of each experiment not
// selected in this invocation, the section an earlier invocation of the
// same preset, evaluation seed and precision kept, marked with its date and
// commit: -only never loses earlier results.
func keepSections(opts Options, rep report.Report, selected []*experiment.Def, logf func(string, ...any)) error {
	ran := map[string]bool{}
	for _, d := range selected {
		ran[d.ID] = true
	}
	_, commit := provenance.Version()
	now := time.Now().UTC().Format("2006-01-02 15:04 UTC")
	for i := range rep.Experiments {
		x := &rep.Experiments[i]
		path := filepath.Join(opts.OutDir, x.ID, sectionFile)
		if ran[x.ID] {
			if x.Verdict == report.NotRun { // failed: nothing to keep
				continue
			}
			if err := atomicfile.WriteJSON(path, storedSection{Section: *x, Date: now, Commit: commit, Preset: opts.Preset,
				EvalSeed: opts.EvalSeed, Precision: opts.Precision}); err != nil {
				return err
			}
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var st storedSection
		if json.Unmarshal(b, &st) != nil || st.Section.ID != x.ID || st.Preset != opts.Preset ||
			st.EvalSeed != opts.EvalSeed || st.Precision != opts.Precision {
			continue
		}
		first, rest, _ := strings.Cut(st.Section.VerdictNote, "\n\n")
		st.Section.VerdictNote = first + fmt.Sprintf("\n\nKept from an earlier invocation (%s, commit %s): not rerun in this one (-only).\n\n",
			st.Date, st.Commit) + rest
		*x = st.Section
		logf("[reproduce] %s: not run now; the report shows its section from %s", x.ID, st.Date)
	}
	return nil
}
