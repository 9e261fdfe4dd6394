package eval

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// SweepLine is one predictor's error at one position across a sweep.
type SweepLine struct {
	Predictor string    `json:"predictor"`     // display text: the curve's Name
	Key       string    `json:"key,omitempty"` // the predictor's Key
	Position  int       `json:"position"`
	Mean      []float64 `json:"mean"` // (len(Sweep.X))
	Lo        []float64 `json:"lo"`
	Hi        []float64 `json:"hi"`
}

type sweepLineJSON struct {
	Predictor string `json:"predictor"`
	Key       string `json:"key,omitempty"`
	Position  int    `json:"position"`
	Mean      floats `json:"mean"`
	Lo        floats `json:"lo"`
	Hi        floats `json:"hi"`
}

// MarshalJSON writes NaN as null.
func (l SweepLine) MarshalJSON() ([]byte, error) {
	return json.Marshal(sweepLineJSON{l.Predictor, l.Key, l.Position, l.Mean, l.Lo, l.Hi})
}

// UnmarshalJSON reads null as NaN.
func (l *SweepLine) UnmarshalJSON(b []byte) error {
	var j sweepLineJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*l = SweepLine{j.Predictor, j.Key, j.Position, j.Mean, j.Lo, j.Hi}
	return nil
}

// Sweep is the error of predictors at a few positions against a parameter
// (sparsity k, combination weight alpha, frequency, ...).
type Sweep struct {
	Param    string      `json:"param"`
	X        []float64   `json:"x"`
	Settings []string    `json:"settings"` // the setting evaluated at each X
	Lines    []SweepLine `json:"lines"`
}

// NewSweep collects, from results[j] evaluated at parameter value xs[j], each
// predictor's curve at each of positions. Predictors are told apart by their
// curves' Key and taken in order of first appearance, a line named by the
// first curve's Name; a predictor missing from a setting, or a position
// beyond a setting's N, gives NaN.
func NewSweep(param string, xs []float64, results []*SettingResult, positions []int) *Sweep {
	if len(xs) != len(results) {
		panic(fmt.Sprintf("eval: NewSweep: %d values for %d results", len(xs), len(results)))
	}
	s := &Sweep{Param: param, X: append([]float64(nil), xs...)}
	var keys, names []string
	seen := map[string]bool{}
	for _, r := range results {
		s.Settings = append(s.Settings, r.Setting)
		for _, c := range r.Curves {
			if !seen[c.Key] {
				seen[c.Key] = true
				keys = append(keys, c.Key)
				names = append(names, c.Name)
			}
		}
	}
	for i, key := range keys {
		for _, pos := range positions {
			l := SweepLine{Predictor: names[i], Key: key, Position: pos,
				Mean: make([]float64, len(xs)), Lo: make([]float64, len(xs)), Hi: make([]float64, len(xs))}
			for j, r := range results {
				l.Mean[j], l.Lo[j], l.Hi[j] = math.NaN(), math.NaN(), math.NaN()
				if c := r.Curve(key); c != nil {
					l.Mean[j], l.Lo[j], l.Hi[j] = c.At(pos)
				}
			}
			s.Lines = append(s.Lines, l)
		}
	}
	return s
}

// Line returns the line of the predictor with key key at position, or nil.
func (s *Sweep) Line(key string, position int) *SweepLine {
	for i := range s.Lines {
		if s.Lines[i].Key == key && s.Lines[i].Position == position {
			return &s.Lines[i]
		}
	}
	return nil
}

// WriteCSV writes rows param, x, setting, predictor, position, mean, lo, hi.
func (s *Sweep) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"param", "x", "setting", "predictor", "position", "mean", "lo", "hi"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, l := range s.Lines {
		for j, x := range s.X {
			cw.Write([]string{s.Param, f(x), s.Settings[j], l.Predictor, strconv.Itoa(l.Position), f(l.Mean[j]), f(l.Lo[j]), f(l.Hi[j])})
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes s as indented JSON (NaN as null).
func (s *Sweep) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(s)
}
