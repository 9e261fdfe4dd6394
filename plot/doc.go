// Package plot draws the figures of an icl reproduction: in-context learning
// curves with interval bands, parameter sweeps, fitted functions for d = 1 and
// model-selection weights, as SVG and PNG via gonum.org/v1/plot.
//
// A Figure holds plain data (float64 slices), so callers need no other icl
// package. Constructors (ICLCurves, Sweep, FittedFunction, ModelSelection) fill
// the labels and defaults of each kind of figure; the caller may adjust the
// returned *Figure before calling Render or Save.
//
// Layout: the legend sits outside the data area on the right, so it never
// covers a curve; colours come from the Okabe–Ito colour-blind-safe palette;
// interval bands are translucent polygons drawn beneath all lines. Non-finite
// values (and non-positive values on a log axis) are skipped: lines break at
// them, bands leave a gap. Output bytes depend only on the Figure.
package plot
