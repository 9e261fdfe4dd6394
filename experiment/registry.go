package experiment

import (
	"fmt"
	"icl/eval"
	"icl/plot"
	"slices"
	"strings"
)

// An experiment is one YAML file and one Go file beside it (e1.yaml and
// e1.go): the YAML holds its runs, evaluations, figures, thresholds (params)
// and the rule in words; the Go file its analysis (checks, positions, tables,
// figures), and it registers both, so that the experiment list, the help of
// icl reproduce and the tests all come from the registered experiments.

// Env is what an experiment's analysis works with: its definition, scale
// and loaded models, and the evaluation helpers (package experiment's
// analyses use them; other packages can name it to register one).
type Env = env

// Registration is an experiment as registered.
type Registration struct {
	ID string
	// Order places the experiment in reports and lists, increasing.
	Order int
	// Summary is its line in `icl help reproduce`.
	Summary string
	// YAML is its definition's text (Def).
	YAML string
	// Analyze evaluates the experiment's models and decides its checks.
	Analyze func(e *Env) (*Outcome, error)
}

var registry = map[string]*Registration{}

// Register adds an experiment; a second registration of an id, or one
// without YAML or Analyze, is a programmer error.
func Register(r Registration) {
	if r.ID == "" || r.YAML == "" || r.Analyze == nil {
		panic(fmt.Sprintf("experiment: Register(%q): ID, YAML and Analyze are required", r.ID))
	}
	if _, dup := registry[r.ID]; dup {
		panic("experiment: " + r.ID + " registered twice")
	}
	registry[r.ID] = &r
}

// IDs lists the registered experiments in report order.
func IDs() []string {
	var ids []string
	for id := range registry {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if d := registry[a].Order - registry[b].Order; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return ids
}

// Summary is experiment id's line of help, "" if it is not registered.
func Summary(id string) string {
	if r := registry[id]; r != nil {
		return r.Summary
	}
	return ""
}

// What an analysis outside this package works with (package experiment's own
// analyses use Env's fields and helpers directly).

// Def is the experiment's definition.
func (e *Env) Def() *Def { return e.def }

// Points is the number of points per prompt of the experiment's runs.
func (e *Env) Points() int { return e.n }

// Evaluate runs the definition's evaluations (Def.Evals) into a new outcome.
func (e *Env) Evaluate() (*Outcome, error) {
	o := e.newOutcome()
	return o, e.evaluateDefs(o)
}

// ModelError is the mean error of the model of run role in setting r after
// p examples (0-based position p).
func (e *Env) ModelError(r *eval.SettingResult, role string, p int) float64 {
	return at(r, ModelKey(role), p)
}

// ICLFigure draws every curve of setting r against the number of examples.
func (e *Env) ICLFigure(title string, r *eval.SettingResult) *plot.Figure {
	return e.iclFigure(title, r)
}
