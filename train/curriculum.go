package train

import "icl/config"

// Ramp is a quantity that grows from Start to End by Inc every Interval steps, as in
// Garg et al.'s curriculum (active dimensions 5 -> d by +1 every 2000 steps; points
// 11 -> 2d+1 by +2 every 2000 steps). Start == End disables it.
type Ramp struct {
	Start    int `yaml:"start"`
	End      int `yaml:"end"`
	Inc      int `yaml:"inc"`
	Interval int `yaml:"interval"`
}

// At returns the value at step s (0-based): min(End, Start + Inc*floor(s/Interval)).
func (r Ramp) At(s int) int {
	if r.Start >= r.End || r.Interval <= 0 || r.Inc <= 0 {
		return r.End
	}
	v := r.Start + r.Inc*(s/r.Interval)
	if v > r.End {
		v = r.End
	}
	return v
}

// defaults fills End with final, Start with End, Inc with inc and Interval with 2000.
func (r *Ramp) defaults(final, inc int) {
	if r.End == 0 {
		r.End = final
	}
	if r.Start == 0 {
		r.Start = r.End
	}
	if r.Inc == 0 {
		r.Inc = inc
	}
	if r.Interval == 0 {
		r.Interval = 2000
	}
}

func (r Ramp) validate(field, finalField string, final int) error {
	bad := func(sub, format string, args ...any) error {
		return config.Errorf(field+"."+sub, format, args...)
	}
	switch {
	case r.End != final:
		return bad("end", "%d: must equal %s (%d) or be omitted", r.End, finalField, final)
	case r.Start < 1 || r.Start > r.End:
		return bad("start", "%d: allowed 1..%d (%s.end)", r.Start, r.End, field)
	case r.Inc < 1:
		return bad("inc", "%d: must be >= 1", r.Inc)
	case r.Interval < 1:
		return bad("interval", "%d: must be >= 1", r.Interval)
	}
	return nil
}

// Curriculum schedules the active input dimensions (coordinates >= Dims are zero)
// and the points per prompt over training. Omitted, it is off: every batch has all
// dimensions and all points.
type Curriculum struct {
	Dims   Ramp `yaml:"dims"`
	Points Ramp `yaml:"points"`
	// SparseInActive draws sparse linear functions' support among the
	// coordinates the curriculum has not zeroed (Garg et al.'s valid_coords);
	// off, a sparse function may be zero on every input of a prompt.
	SparseInActive bool `yaml:"sparse_in_active,omitempty"`
}

// Stage is the curriculum state at one step.
type Stage struct {
	Dims   int `json:"dims"`
	Points int `json:"points"`
}

// At returns the curriculum state at step s.
func (c Curriculum) At(s int) Stage { return Stage{Dims: c.Dims.At(s), Points: c.Points.At(s)} }
