// Package streamprobe probes a transformer's residual stream: it captures
// the stream after every layer at chosen positions of a batch of prompts
// (Capture) and fits, on one set of prompts, a logistic probe of a binary
// label and ridge probes of real targets at every layer and position,
// scored on a held-out set (Fit), with penalties chosen by cross-validation
// (package probe). Its tables and figures (LayerTable, LayersFigure, ...)
// show a set of models' grids side by side, as report section E8 does.
package streamprobe
