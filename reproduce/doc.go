// Package reproduce runs icl's main job: it plans the runs the selected
// experiments need at a scale (runplan), uses shipped models where they
// match (shipped), trains the rest on this machine's cores, analyses each
// experiment (experiment) and writes one self-contained report.html
// (report) whose first paragraph says what is reproduced.
package reproduce
