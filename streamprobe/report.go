package streamprobe

import (
	"fmt"
	"icl/plot"
	"icl/report"
	"icl/verdict"
	"slices"
	"strings"
)

// LayerTable is the class probes' accuracy at position pos[j] by layer,
// est[model][layer] with its interval, each model's best layer marked, and
// the Bayes classifier's, be.
func LayerTable(grids []*Grid, est [][]verdict.Estimate, be verdict.Estimate, j int) report.Table {
	t := report.Table{Caption: fmt.Sprintf("Class probe accuracy at %s by layer, on the held-out prompts: mean [90%% interval]; * marks each model's best layer (least cross-validated log loss on the fitting prompts)", report.Plural(grids[0].Pos[j], "example")),
		Header: []string{"layer"}}
	for _, g := range grids {
		t.Header = append(t.Header, g.Name)
	}
	for l := range grids[0].Cells {
		row := []string{LayerName(l)}
		for k, g := range grids {
			s := est[k][l].String()
			if g.Best(j) == l {
				s += " *"
			}
			row = append(row, s)
		}
		t.Rows = append(t.Rows, row)
	}
	row := []string{"Bayes classifier"}
	for range grids {
		row = append(row, be.String())
	}
	t.Rows = append(t.Rows, row)
	return t
}

// gridTable tabulates v(cell) for every model, layer and position.
func gridTable(caption string, grids []*Grid, v func(c Cell) string) report.Table {
	t := report.Table{Caption: caption, Header: []string{"model", "layer"}}
	for _, p := range grids[0].Pos {
		t.Header = append(t.Header, report.Plural(p, "example"))
	}
	for _, g := range grids {
		for l, cs := range g.Cells {
			row := []string{g.Name, LayerName(l)}
			for _, c := range cs {
				row = append(row, v(c))
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

func AccuracyTable(grids []*Grid, bayes [][]float64) report.Table {
	t := gridTable("Class probe accuracy on the held-out prompts, by model, layer and position (chance 0.5; the Bayes classifier's last)", grids,
		func(c Cell) string { return verdict.Num(c.Acc) })
	row := []string{"Bayes classifier", ""}
	for _, b := range bayes {
		row = append(row, verdict.Num(mean(b)))
	}
	t.Rows = append(t.Rows, row)
	return t
}

func R2Table(grids []*Grid) report.Table {
	return gridTable("Posterior probe: held-out R^2 of a ridge probe of the Bayes posterior p(sparse | context), by model, layer and position (n/a where the posterior does not vary: no context)", grids,
		func(c Cell) string { return verdict.Num(c.R2) })
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// layerAxis is 0 .. layers-1 as float64.
func layerAxis(layers int) []float64 {
	x := make([]float64, layers)
	for l := range x {
		x[l] = float64(l)
	}
	return x
}

// LayersFigure draws each model's class probe accuracy at position p by
// layer, est[model][layer] with its band, against the Bayes classifier's
// accuracy bayes and the check's threshold ratio x bayes.
func LayersFigure(grids []*Grid, est [][]verdict.Estimate, bayes, ratio float64, p int) *plot.Figure {
	roles := []plot.Role{plot.RoleModel, plot.RoleModel, plot.RoleBaseline}
	var ss []plot.Series
	for k, g := range grids {
		s := plot.Series{Name: g.Name, X: layerAxis(len(g.Cells)), Role: roles[k%len(roles)]}
		for _, v := range est[k] {
			s.Y, s.Lo, s.Hi = append(s.Y, v.M), append(s.Lo, v.Lo), append(s.Hi, v.Hi)
		}
		ss = append(ss, s)
	}
	return &plot.Figure{Title: fmt.Sprintf("E8: class probe accuracy at %s, by layer", report.Plural(p, "example")),
		XLabel: "layer (0: embedding, l: block l)", YLabel: "held-out accuracy", Series: ss,
		HLines: []plot.HLine{{Y: bayes, Name: "Bayes classifier"}, {Y: ratio * bayes, Name: fmt.Sprintf("%g x Bayes (check 1)", ratio), Dashed: true},
			{Y: 0.5, Name: "chance"}, {Y: 1}}}
}

// R2Figure draws the posterior probes' R^2 by layer at position pos[j] and
// at the last position, n-1, for each model.
func R2Figure(grids []*Grid, j, n int) *plot.Figure {
	var ss []plot.Series
	for k, g := range grids {
		for _, jj := range slices.Compact([]int{j, len(g.Pos) - 1}) {
			s := plot.Series{Name: fmt.Sprintf("%s, %s", g.Name, report.Plural(g.Pos[jj], "example")), X: layerAxis(len(g.Cells)),
				Markers: true, Color: plot.PaletteColor(k), Dashed: g.Pos[jj] == n-1 && jj != j}
			for l := range g.Cells {
				s.Y = append(s.Y, g.Cells[l][jj].R2)
			}
			ss = append(ss, s)
		}
	}
	return &plot.Figure{Title: "E8: how well a linear probe reads the Bayes posterior p(sparse | context)", XLabel: "layer (0: embedding, l: block l)",
		YLabel: "held-out R^2", Series: ss, HLines: []plot.HLine{{Y: 0}, {Y: 1}}}
}

// PredTable tabulates the prediction probes' held-out R^2, each class's in
// turn in every cell.
func PredTable(grids []*Grid) report.Table {
	names := strings.Join(grids[0].Classes, " / ")
	return gridTable(fmt.Sprintf("Specialist probes: held-out R^2 of ridge probes of each class's Bayes prediction of y (%s), by model, layer and position, on the prompts the targets are given for (n/a with no context)", names), grids,
		func(c Cell) string {
			var s []string
			for _, v := range c.R2Pred {
				s = append(s, verdict.Num(v))
			}
			return strings.Join(s, " / ")
		})
}

// PredFigure draws each class's prediction probe's R^2 by layer at position
// pos[j], for each model: a colour per model, a line style per class; id
// names the experiment in the title, on the prompts the probes read
// ("sparse prompts").
func PredFigure(id string, grids []*Grid, j int, on string) *plot.Figure {
	var ss []plot.Series
	for k, g := range grids {
		for c, name := range g.Classes {
			s := plot.Series{Name: fmt.Sprintf("%s, %s", g.Name, name), X: layerAxis(len(g.Cells)), Markers: true, Color: plot.PaletteColor(k), Dashed: c > 0}
			for l := range g.Cells {
				s.Y = append(s.Y, g.Cells[l][j].R2Pred[c])
			}
			ss = append(ss, s)
		}
	}
	return &plot.Figure{Title: fmt.Sprintf("%s: each class's Bayes prediction read by a linear probe (%s, %s)", id, on, report.Plural(grids[0].Pos[j], "example")),
		XLabel: "layer (0: embedding, l: block l)", YLabel: "held-out R^2", Series: ss, HLines: []plot.HLine{{Y: 0}, {Y: 1}}}
}
