// Package reproduce runs icl's main job: it plans the runs the selected
// experiments need at a scale (runplan), uses shipped models where they
// match (shipped), trains the rest on this machine's cores, analyses each
// experiment (experiment) and writes one self-contained report.html
// (report) whose first paragraph says what is reproduced.
//
// Output layout under Options.OutDir:
//
//	runs/SCALE/NAME/     training runs (config.yaml, metrics.jsonl, model.safetensors, done)
//	ID/                  per experiment: results.json, results.csv, sweep.json/csv,
//	                     selection.json, fitted.json, figures (NAME.svg, NAME.png),
//	                     verdict.json and section.json (its report section)
//	cache/               the evaluation cache (package evalcache)
//	report.html          the report
package reproduce
