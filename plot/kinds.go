package plot

import (
	"image/color"
	"math"
)

// ICLCurves returns a figure of error against the number of in-context
// examples: one line per model or baseline (with its interval band when the
// series has Lo and Hi), and a dashed reference line at zeroError, the zero
// predictor's error (1 for the normalized error). A zeroError that is NaN or
// not positive omits the reference line. Give each series its Role (model,
// baseline, reference) for distinct line styles and a draw order that keeps
// references visible. Values above 3 x zeroError (least squares at fewer
// examples than dimensions, say) leave the plot at the top, the axis ending
// a little above the other curves, and their legend entry says how far.
func ICLCurves(title string, zeroError float64, curves ...Series) *Figure {
	return &Figure{
		Title:     title,
		XLabel:    "in-context examples",
		YLabel:    "normalized squared error",
		ZeroBased: true,
		Series:    curves,
		HLines:    zeroLine(zeroError),
	}
}

// ExcessCurves returns a figure of a difference of errors against the number
// of in-context examples (a model's error minus a reference model's on the
// same prompts, say), one line per series with its band, and a dashed line
// at 0, where the two are equal.
func ExcessCurves(title, yLabel string, curves ...Series) *Figure {
	return &Figure{
		Title:  title,
		XLabel: "in-context examples",
		YLabel: yLabel,
		Series: curves,
		HLines: []HLine{{Y: 0, Name: "no difference", Dashed: true}},
	}
}

// Sweep returns a figure of error against a swept parameter (sparsity k,
// combination weight alpha, frequency, ...): one line with markers per
// series, e.g. the transformer at several prompt positions and baselines.
// zeroError is as for ICLCurves.
func Sweep(title, xLabel string, zeroError float64, lines ...Series) *Figure {
	for i := range lines {
		lines[i].Markers = true
	}
	return &Figure{
		Title:     title,
		XLabel:    xLabel,
		YLabel:    "normalized squared error",
		ZeroBased: true,
		Series:    lines,
		HLines:    zeroLine(zeroError),
	}
}

func zeroLine(y float64) []HLine {
	if !(y > 0) || math.IsInf(y, 0) {
		return nil
	}
	return []HLine{{Y: y, Name: "zero predictor", Dashed: true}}
}

// FittedFunction returns a figure of a fitted function for d = 1: the
// in-context examples as markers, the true function as a wide light grey line
// beneath the others (RoleTruth) and each
// predictor evaluated on a grid (e.g. the transformer, the Bayes predictor)
// as a coloured line. Names left empty get "in-context examples" and
// "true function".
func FittedFunction(title string, context, truth Series, preds ...Series) *Figure {
	if context.Name == "" {
		context.Name = "in-context examples"
	}
	if context.Color == nil {
		context.Color = color.Black
	}
	if truth.Name == "" {
		truth.Name = "true function"
	}
	if truth.Role == RoleDefault {
		truth.Role = RoleTruth
	}
	series := append([]Series{truth}, preds...)
	for i := range preds {
		if series[i+1].Color == nil {
			series[i+1].Color = PaletteColor(i)
		}
	}
	return &Figure{
		Title:     title,
		XLabel:    "x",
		YLabel:    "y",
		Series:    series,
		Points:    []Series{context},
		linesOnly: true,
	}
}

// ModelSelection returns a figure of the transformer's implied weight on one
// class (from regressing its predictions on the two class-Bayes predictions)
// against the Bayes posterior probability of that class, per prompt
// position. More are further reference curves (another posterior), drawn
// like posterior (RoleReference unless they say otherwise). Names left empty get defaults; the y axis always shows
// [0, 1].
func ModelSelection(title, className string, implied, posterior Series, more ...Series) *Figure {
	if implied.Name == "" {
		implied.Name = "transformer: implied weight"
	}
	if posterior.Name == "" {
		posterior.Name = "Bayes: posterior p(class | context)"
	}
	if implied.Role == RoleDefault {
		implied.Role = RoleModel
	}
	series := append([]Series{implied, posterior}, more...)
	for i := 1; i < len(series); i++ {
		if series[i].Role == RoleDefault {
			series[i].Role = RoleReference
		}
	}
	return &Figure{
		Title:  title,
		XLabel: "in-context examples",
		YLabel: "weight on " + className,
		Series: series,
		HLines: []HLine{{Y: 0}, {Y: 1}}, // keep [0, 1] in view
	}
}
