package reproduce

import (
	"fmt"
	"icl/atomicfile"
	"icl/experiment"
	"icl/verdict"
	"os"
	"path/filepath"
)

// writeOutcome writes an analysed experiment's results (JSON, CSV),
// figures (SVG, PNG) and verdict (verdict.json) to dir, and keeps the SVGs
// in o.SVGs for the report.
func writeOutcome(o *experiment.Outcome, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if len(o.Results.Settings) > 0 {
		if err := o.Results.Save(dir, "results"); err != nil {
			return err
		}
	}
	for i, s := range o.Sweeps {
		base := "sweep"
		if i > 0 {
			base = fmt.Sprintf("sweep%d", i+1)
		}
		if err := atomicfile.Write(filepath.Join(dir, base+".json"), s.WriteJSON); err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(dir, base+".csv"), s.WriteCSV); err != nil {
			return err
		}
	}
	if len(o.Selections) > 0 {
		if err := atomicfile.WriteJSON(filepath.Join(dir, "selection.json"), o.Selections); err != nil {
			return err
		}
	}
	if len(o.Fitted) > 0 {
		if err := atomicfile.WriteJSON(filepath.Join(dir, "fitted.json"), o.Fitted); err != nil {
			return err
		}
	}
	type checkJSON struct {
		Name         string `json:"name"`
		Detail       string `json:"detail"`
		Pass         bool   `json:"pass"`
		Inconclusive bool   `json:"inconclusive,omitempty"`
		Precondition bool   `json:"precondition,omitempty"`
		Untestable   string `json:"untestable,omitempty"`
	}
	type controlJSON struct {
		Name    string      `json:"name"`
		Verdict string      `json:"verdict"`
		Summary string      `json:"summary"`
		Note    string      `json:"note"`
		Checks  []checkJSON `json:"checks"`
	}
	checks := func(cs []verdict.Check) []checkJSON {
		var out []checkJSON
		for _, c := range cs {
			out = append(out, checkJSON{c.Name, c.Detail, c.Pass, c.Inconclusive, c.Precondition, c.Untestable})
		}
		return out
	}
	t := verdict.Count(o.Checks)
	v := struct {
		ID           string       `json:"id"`
		Verdict      string       `json:"verdict"`
		Summary      string       `json:"summary"`
		Held         int          `json:"held"`
		Testable     int          `json:"testable"`
		Claims       int          `json:"claims"`
		Inconclusive int          `json:"inconclusive"`
		Checks       []checkJSON  `json:"checks"`
		Control      *controlJSON `json:"control,omitempty"`
	}{ID: o.Def.ID, Verdict: o.Verdict, Summary: t.String(), Held: t.Held, Testable: t.Testable, Claims: t.Claims,
		Inconclusive: t.Inconclusive, Checks: checks(o.Checks)}
	if c := o.Control; c != nil {
		v.Control = &controlJSON{Name: c.Name, Verdict: c.Verdict, Summary: verdict.Count(c.Checks).String(), Note: o.ControlNote(), Checks: checks(c.Checks)}
	}
	if err := atomicfile.WriteJSON(filepath.Join(dir, "verdict.json"), v); err != nil {
		return err
	}
	o.SVGs = make([][]byte, len(o.Figures))
	for i, f := range o.Figures {
		for _, format := range []string{"svg", "png"} {
			b, err := f.F.Render(format)
			if err != nil {
				return fmt.Errorf("figure %s: %w", f.Name, err)
			}
			if format == "svg" {
				o.SVGs[i] = b
			}
			if err := atomicfile.WriteBytes(filepath.Join(dir, f.Name+"."+format), b); err != nil {
				return err
			}
		}
	}
	return nil
}
