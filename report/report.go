package report

import (
	"icl/atomicfile"

	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// Verdicts an experiment can receive.
const (
	Supported     = "supported"
	Partly        = "partly supported"
	NotAtScale    = "not supported at this scale"
	NotTestable   = "not testable at this scale"
	NotRun        = "not run"
	verdictsNamed = `"supported", "partly supported", "not supported at this scale", "not testable at this scale", "not run"`
)

// KV is one line of run metadata (preset, seed, wall time, machine, version).
type KV struct {
	Key, Value string
}

// Figure is one embedded figure. SVG is used when present, else PNG.
type Figure struct {
	Caption string
	SVG     []byte
	PNG     []byte
}

// Table is a small table of key numbers. Cells that parse as numbers are
// right-aligned.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// Code is a named block of text shown verbatim, e.g. a YAML config.
type Code struct {
	Name, Text string
}

// Experiment is one section of the report. ID ("E1") is the section's
// anchor: letters, digits, '-' and '_' only. Verdict is one of the
// constants above; an empty Verdict means NotRun. The first line of
// VerdictNote is also shown in the summary table, so it should carry the
// deciding numbers.
type Experiment struct {
	ID    string
	Title string
	Claim string
	// ClaimLabel heads the claim; empty means "The paper's claim".
	ClaimLabel  string
	Figures     []Figure
	Tables      []Table
	Verdict     string
	VerdictNote string
	Configs     []Code
	Commands    []string
	// Models names the models that decided the verdict (layers, width,
	// steps), for the summary table's model column.
	Models string
	// Control is the verdict the rule gives a control in the place of the
	// model the claim is about, for the summary table's control column;
	// empty when the experiment has none.
	Control string
}

// Report is the whole document. Intro and the Claim and VerdictNote of each
// experiment may hold several paragraphs separated by blank lines.
type Report struct {
	Title string
	// Lead, when set, is the report's first paragraph: what it reproduces,
	// in plain words, above the summary.
	Lead        string
	Intro       string
	Meta        []KV
	Experiments []Experiment
	// Runs, when set, is the table of the pretraining runs (where each model
	// came from), shown in a section of its own after the summary.
	Runs *Table
}

// FieldError reports an invalid report field.
type FieldError struct {
	Field string // e.g. "Experiments[1].Verdict"
	Msg   string
}

func (e *FieldError) Error() string { return "report: " + e.Field + ": " + e.Msg }

// Validate checks IDs (non-empty, unique, anchor-safe), verdicts and
// figure data.
func (r *Report) Validate() error {
	seen := map[string]bool{}
	for i, e := range r.Experiments {
		field := fmt.Sprintf("Experiments[%d]", i)
		if e.ID == "" {
			return &FieldError{field + ".ID", "empty; want e.g. \"E1\""}
		}
		for _, c := range e.ID {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return &FieldError{field + ".ID", fmt.Sprintf("%q: allowed characters are letters, digits, '-' and '_'", e.ID)}
			}
		}
		if seen[e.ID] {
			return &FieldError{field + ".ID", fmt.Sprintf("%q used twice", e.ID)}
		}
		seen[e.ID] = true
		switch e.Verdict {
		case "", Supported, Partly, NotAtScale, NotTestable, NotRun:
		default:
			return &FieldError{field + ".Verdict", fmt.Sprintf("%q; allowed: %s", e.Verdict, verdictsNamed)}
		}
		for j, f := range e.Figures {
			ff := fmt.Sprintf("%s.Figures[%d]", field, j)
			if len(f.SVG) > 0 && !bytes.Contains(f.SVG[:min(len(f.SVG), 4096)], []byte("<svg")) {
				return &FieldError{ff + ".SVG", "does not look like SVG (no <svg element at the start)"}
			}
			if len(f.SVG) == 0 && len(f.PNG) > 0 && !bytes.HasPrefix(f.PNG, []byte("\x89PNG\r\n\x1a\n")) {
				return &FieldError{ff + ".PNG", "does not start with the PNG signature"}
			}
		}
	}
	return nil
}

// view types: what the template sees.
type (
	reportView struct {
		Title       string
		Lead        []string
		Intro       []string
		Meta        []KV
		Experiments []expView
		Counts      []countView
		Runs        *tableView
	}
	countView struct {
		Verdict, Class string
		N              int
	}
	expView struct {
		ID, Title      string
		Claim          []string
		ClaimLabel     string
		Figures        []figView
		Tables         []tableView
		Verdict        string
		VerdictClass   string
		Note           []string
		NoteFirst      string
		Models         string
		Control        string
		Configs        []Code
		Commands       string
		HasDetails     bool
		VerdictMeaning string
	}
	figView struct {
		N       string
		Caption string
		Src     template.HTMLAttr
		Missing bool
	}
	tableView struct {
		N       string
		Caption string
		Header  []cellView // Num: the whole column is numeric
		Rows    [][]cellView
	}
	cellView struct {
		Text string
		Num  bool
	}
)

var verdictClass = map[string]string{
	Supported:   "ok",
	Partly:      "partly",
	NotAtScale:  "no",
	NotTestable: "untestable",
	NotRun:      "notrun",
}

var verdictMeaning = map[string]string{
	Supported:   "our numbers show what the paper claims",
	Partly:      "some of the claim shows in our numbers, some does not; the note below says which",
	NotAtScale:  "at the scale we ran, our numbers do not show the claim; a larger run may",
	NotTestable: "at the scale we ran, the models did not learn what the claim needs, or do not differ where it compares them, so our numbers can neither show nor refute it",
	NotRun:      "this experiment was not run in this report",
}

// paragraphs splits s at blank lines and trims each paragraph.
func paragraphs(s string) []string {
	var ps []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			ps = append(ps, p)
		}
	}
	return ps
}

func isNumber(s string) bool {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "%")
	s = strings.TrimPrefix(s, "±")
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// srcAttr returns the src attribute of an <img> showing b. It is safe to
// mark as trusted: the value is standard base64 ([A-Za-z0-9+/=], nothing to
// escape in a quoted attribute) after a fixed prefix, and an SVG shown
// through <img> runs no scripts and loads nothing.
func srcAttr(mime string, b []byte) template.HTMLAttr {
	return template.HTMLAttr(`src="data:` + mime + ";base64," + base64.StdEncoding.EncodeToString(b) + `"`)
}

func newView(r *Report) reportView {
	v := reportView{Title: r.Title, Lead: paragraphs(r.Lead), Intro: paragraphs(r.Intro), Meta: r.Meta}
	if v.Title == "" {
		v.Title = "icl reproduction report"
	}
	counts := map[string]int{}
	for _, e := range r.Experiments {
		verdict := e.Verdict
		if verdict == "" {
			verdict = NotRun
		}
		counts[verdict]++
		ev := expView{
			ID: e.ID, Title: e.Title, Claim: paragraphs(e.Claim),
			ClaimLabel: e.ClaimLabel,
			Verdict:    verdict, VerdictClass: verdictClass[verdict], VerdictMeaning: verdictMeaning[verdict],
			Note: paragraphs(e.VerdictNote), Configs: e.Configs, Models: e.Models, Control: e.Control,
			Commands:   strings.Join(e.Commands, "\n"),
			HasDetails: len(e.Configs) > 0 || len(e.Commands) > 0,
		}
		if ev.ClaimLabel == "" {
			ev.ClaimLabel = "The paper's claim"
		}
		if first, _, _ := strings.Cut(strings.TrimSpace(e.VerdictNote), "\n"); first != "" {
			ev.NoteFirst = first
		}
		for i, f := range e.Figures {
			fv := figView{N: fmt.Sprintf("Figure %s.%d", e.ID, i+1), Caption: f.Caption}
			switch {
			case len(f.SVG) > 0:
				fv.Src = srcAttr("image/svg+xml", f.SVG)
			case len(f.PNG) > 0:
				fv.Src = srcAttr("image/png", f.PNG)
			default:
				fv.Missing = true
			}
			ev.Figures = append(ev.Figures, fv)
		}
		for i, t := range e.Tables {
			tv := tableView{N: fmt.Sprintf("Table %s.%d", e.ID, i+1), Caption: t.Caption}
			for _, row := range t.Rows {
				var cells []cellView
				for _, c := range row {
					cells = append(cells, cellView{Text: c, Num: isNumber(c)})
				}
				tv.Rows = append(tv.Rows, cells)
			}
			for j, h := range t.Header {
				num := len(tv.Rows) > 0
				for _, row := range tv.Rows {
					if j < len(row) && !row[j].Num && strings.TrimSpace(row[j].Text) != "" {
						num = false
					}
				}
				tv.Header = append(tv.Header, cellView{Text: h, Num: num})
			}
			ev.Tables = append(ev.Tables, tv)
		}
		v.Experiments = append(v.Experiments, ev)
	}
	if r.Runs != nil {
		v.Runs = runsView(r.Runs)
	}
	for _, verdict := range []string{Supported, Partly, NotAtScale, NotTestable, NotRun} {
		if counts[verdict] > 0 {
			v.Counts = append(v.Counts, countView{Verdict: verdict, Class: verdictClass[verdict], N: counts[verdict]})
		}
	}
	return v
}

// runsView is the view of the runs table: every cell as text.
func runsView(t *Table) *tableView {
	tv := &tableView{N: "Table R", Caption: t.Caption}
	for _, h := range t.Header {
		tv.Header = append(tv.Header, cellView{Text: h})
	}
	for _, row := range t.Rows {
		var cells []cellView
		for _, c := range row {
			cells = append(cells, cellView{Text: c})
		}
		tv.Rows = append(tv.Rows, cells)
	}
	return tv
}

var page = template.Must(template.New("report").Parse(pageTemplate))

// Write renders r as one self-contained HTML document.
func Write(w io.Writer, r Report) error {
	if err := r.Validate(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, newView(&r)); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteFile writes the report to path atomically: to a temporary file in
// the same directory, then renamed.
func WriteFile(path string, r Report) error {
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(path, buf.Bytes()); err != nil {
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	return nil
}
