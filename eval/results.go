package eval

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"icl/atomicfile"
)

// Results is a set of evaluated settings, as written to JSON and CSV.
type Results struct {
	Level    float64          `json:"level"` // interval level, e.g. 0.9
	Boots    int              `json:"boots"` // bootstrap resamples
	Settings []*SettingResult `json:"settings"`
}

// NewResults returns an empty Results for settings evaluated with opts: its
// interval level and number of resamples, defaults resolved.
func NewResults(opts Options) *Results {
	return &Results{Level: opts.level(), Boots: opts.boots()}
}

// Setting returns the result of the setting named name, or nil.
func (r *Results) Setting(name string) *SettingResult {
	for _, s := range r.Settings {
		if s.Setting == name {
			return s
		}
	}
	return nil
}

// floats is a []float64 that JSON-encodes NaN and infinities as null.
type floats []float64

func (f floats) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	for i, v := range f {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
	}
	return append(b, ']'), nil
}

func (f *floats) UnmarshalJSON(b []byte) error {
	var raw []*float64
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*f = make(floats, len(raw))
	for i, p := range raw {
		if p == nil {
			(*f)[i] = math.NaN()
		} else {
			(*f)[i] = *p
		}
	}
	return nil
}

type curveJSON struct {
	Name string `json:"name"`
	Key  string `json:"key,omitempty"`
	Mean floats `json:"mean"`
	Lo   floats `json:"lo"`
	Hi   floats `json:"hi"`
}

// MarshalJSON writes NaN (positions without a query) as null.
func (c Curve) MarshalJSON() ([]byte, error) {
	return json.Marshal(curveJSON{c.Name, c.Key, c.Mean, c.Lo, c.Hi})
}

// UnmarshalJSON reads null as NaN.
func (c *Curve) UnmarshalJSON(b []byte) error {
	var j curveJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Curve{Name: j.Name, Key: j.Key, Mean: j.Mean, Lo: j.Lo, Hi: j.Hi}
	return nil
}

// WriteJSON writes r as indented JSON.
func (r *Results) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(r)
}

// ReadJSON reads results written by WriteJSON.
func ReadJSON(rd io.Reader) (*Results, error) {
	var r Results
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("eval: results JSON: %w", err)
	}
	return &r, nil
}

// CSVHeader is the header row of WriteCSV.
var CSVHeader = []string{"setting", "predictor", "position", "mean", "lo", "hi"}

// WriteCSV writes one row per setting, predictor and position (the number of
// in-context examples, 0-based): setting, predictor, position, mean, lo, hi.
// Values are written with full precision; NaN as "NaN".
func (r *Results) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, s := range r.Settings {
		for _, c := range s.Curves {
			for i := range c.Mean {
				if err := cw.Write([]string{s.Setting, c.Name, strconv.Itoa(i), f(c.Mean[i]), f(c.Lo[i]), f(c.Hi[i])}); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV reads the curves of a file written by WriteCSV. Only the fields the
// CSV holds are set (setting names, curves, N); rows must come grouped by
// setting and predictor with positions 0, 1, ... in order.
func ReadCSV(rd io.Reader) (*Results, error) {
	cr := csv.NewReader(rd)
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("eval: results CSV: %w", err)
	}
	if len(rows) == 0 || fmt.Sprint(rows[0]) != fmt.Sprint(CSVHeader) {
		return nil, fmt.Errorf("eval: results CSV: header is not %v", CSVHeader)
	}
	r := &Results{}
	for k, row := range rows[1:] {
		line := k + 2
		pos, err := strconv.Atoi(row[2])
		if err != nil {
			return nil, fmt.Errorf("eval: results CSV line %d: position %q: %w", line, row[2], err)
		}
		var v [3]float64
		for j := range v {
			if v[j], err = strconv.ParseFloat(row[3+j], 64); err != nil {
				return nil, fmt.Errorf("eval: results CSV line %d: %s %q: %w", line, CSVHeader[3+j], row[3+j], err)
			}
		}
		s := r.Setting(row[0])
		if s == nil {
			s = &SettingResult{Setting: row[0]}
			r.Settings = append(r.Settings, s)
		}
		// The CSV names a curve by its predictor column only.
		var c *Curve
		for i := range s.Curves {
			if s.Curves[i].Name == row[1] {
				c = &s.Curves[i]
			}
		}
		if c == nil {
			s.Curves = append(s.Curves, Curve{Name: row[1]})
			c = &s.Curves[len(s.Curves)-1]
		}
		if pos != len(c.Mean) {
			return nil, fmt.Errorf("eval: results CSV line %d: position %d out of order (want %d)", line, pos, len(c.Mean))
		}
		c.Mean = append(c.Mean, v[0])
		c.Lo = append(c.Lo, v[1])
		c.Hi = append(c.Hi, v[2])
		s.N = max(s.N, len(c.Mean))
	}
	return r, nil
}

// Save writes r to dir/base.json and dir/base.csv.
func (r *Results) Save(dir, base string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, w := range []struct {
		ext   string
		write func(io.Writer) error
	}{{".json", r.WriteJSON}, {".csv", r.WriteCSV}} {
		path := filepath.Join(dir, base+w.ext)
		if err := atomicfile.Write(path, w.write); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}
