// Package plot draws the figures of an icl reproduction: in-context learning
// curves with interval bands, parameter sweeps, fitted functions for d = 1 and
// model-selection weights, as SVG and PNG via gonum.org/v1/plot.
//
// A Figure holds plain data (float64 slices), so callers need no other icl
// package. Constructors (ICLCurves, Sweep, FittedFunction, ModelSelection) fill
// the labels and defaults of each kind of figure; the caller may adjust the
// returned *Figure before calling Render or Save.
//
// Layout (see Figure): the legend never covers a curve and is never cut
// off: beside the data area when it is narrow, else below the plot,
// wrapped into rows, the figure growing to hold it; an optional zoom panel
// below the plot shows an x range with its own y axis. Colours come from
// the Okabe–Ito colour-blind-safe palette; interval bands are translucent
// polygons drawn beneath all lines. Non-finite values (and non-positive
// values on a log axis) are skipped: lines break at them, bands leave a
// gap. Values beyond a clipped axis (a ceiling above exploding errors, a
// log axis's floor) leave the panel through its edge, marked there and
// noted in the legend. Output bytes depend only on the Figure.
package plot
