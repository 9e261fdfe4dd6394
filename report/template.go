package report

const pageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { --ink: #1d232b; --muted: #5b6672; --line: #d9dee4; --bg-soft: #f5f7f9; --accent: #0b5cad; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 58rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .75rem; }
h2 { font-size: 1.45rem; line-height: 1.25; margin: 0 0 .75rem; display: flex; flex-wrap: wrap; gap: .5rem .75rem; align-items: center; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
a { color: var(--accent); }
p { margin: .5rem 0; }
.intro { font-size: 1.05rem; }
.meta { border-collapse: collapse; font-size: .9rem; margin: 1rem 0; }
.meta th { text-align: left; font-weight: 600; color: var(--muted); padding: .15rem 1.25rem .15rem 0; }
.meta td { padding: .15rem 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
nav.toc { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1.25rem; margin: 1.5rem 0; }
nav.toc h2 { font-size: 1rem; margin: 0 0 .25rem; }
nav.toc ol { margin: 0; padding-left: 1.5rem; }
section { border-top: 2px solid var(--line); padding-top: 1.5rem; margin-top: 2.5rem; }
.id { color: var(--muted); font-weight: 600; }
table.data { border-collapse: collapse; width: 100%; font-size: .92rem; margin: .5rem 0 1rem; }
table.data caption { caption-side: top; text-align: left; color: var(--muted); font-size: .9rem; padding-bottom: .35rem; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: .35rem .6rem; text-align: left; vertical-align: top; }
table.data thead th { border-bottom: 2px solid var(--ink); font-weight: 600; }
table.data tbody tr:nth-child(even) { background: var(--bg-soft); }
table.data td { overflow-wrap: break-word; }
/* On a narrow screen the summary's rows stack, each cell under its label,
   and other tables scroll sideways rather than cut columns off. */
@media screen and (max-width: 760px) {
  table.summary thead { display: none; }
  table.summary tr { display: block; border-bottom: 2px solid var(--line); padding: .3rem 0; }
  table.summary td { display: grid; grid-template-columns: 8.5rem 1fr; gap: .5rem; border: none; padding: .15rem .4rem; }
  table.summary td::before { content: attr(data-label); font-weight: 600; color: var(--muted); }
  table.summary td > * { justify-self: start; }
  table.data:not(.summary) { display: block; overflow-x: auto; }
}
th.num { text-align: right; }
td.num { text-align: right; font-variant-numeric: tabular-nums; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88rem; }
.badge { display: inline-block; border-radius: 999px; padding: .1rem .65rem; font-size: .8rem; font-weight: 600;
  line-height: 1.5; white-space: nowrap; border: 1px solid transparent; vertical-align: middle; }
.badge.ok { background: #dcf3e5; color: #11592f; border-color: #9fd8b5; }
.badge.partly { background: #fdf1d6; color: #6b4a00; border-color: #ecd08a; }
.badge.no { background: #fbe1dd; color: #8a1f11; border-color: #efaaa0; }
.badge.untestable { background: #e3ecf7; color: #23466e; border-color: #a9c1de; }
.badge.notrun { background: #eceff2; color: #47515c; border-color: #cfd5db; }
.legend { font-size: .9rem; color: var(--muted); }
.legend li { margin: .15rem 0; }
blockquote.claim { margin: 1rem 0; padding: .6rem 1rem; border-left: 4px solid var(--accent); background: #eef4fb; }
blockquote.claim .label { display: block; font-size: .78rem; text-transform: uppercase; letter-spacing: .05em; color: var(--accent); font-weight: 700; }
figure { margin: 1.25rem 0; break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
/* Figures are drawn 7 in wide: narrower, their text gets too small to read, so they scroll. */
table.runs td { overflow-wrap: anywhere; }
table.runs td:nth-child(3) { font-family: ui-monospace, monospace; font-size: .8em; }
@media screen { .figscroll { overflow-x: auto; } .figscroll img { min-width: 34rem; } }
figcaption { font-size: .9rem; color: var(--muted); margin-top: .4rem; }
figcaption b, table.data caption b { color: var(--ink); }
.missing { padding: 2rem; text-align: center; border: 1px dashed var(--line); color: var(--muted); }
.verdict { margin: 1.25rem 0; padding: .75rem 1rem; border-radius: 6px; border: 1px solid var(--line); background: var(--bg-soft); }
.verdict.ok { border-color: #9fd8b5; background: #f1faf4; }
.verdict.partly { border-color: #ecd08a; background: #fefaef; }
.verdict.no { border-color: #efaaa0; background: #fdf3f1; }
.verdict.untestable { border-color: #a9c1de; background: #f3f7fc; }
.verdict h3 { margin: 0 0 .35rem; font-size: 1rem; }
.verdict .meaning { color: var(--muted); font-size: .88rem; }
details { margin: 1rem 0; border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; }
details summary { cursor: pointer; font-weight: 600; }
details h4 { margin: .75rem 0 .25rem; font-size: .92rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 4px; padding: .6rem .8rem; overflow-x: auto;
  font: .84rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); padding-top: 1rem; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  section { break-before: page; border-top: none; margin-top: 0; }
  nav.toc { display: none; }
  details { border: none; padding: 0; }
  details::details-content { content-visibility: visible; display: block; }
  pre { white-space: pre-wrap; }
  .badge, .verdict, blockquote.claim { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
</head>
<body>
<main>
<header>
<h1>{{.Title}}</h1>
{{range .Lead}}<p class="lead"><b>{{.}}</b></p>
{{end}}{{range .Intro}}<p class="intro">{{.}}</p>
{{end}}{{if .Meta}}<table class="meta">
{{range .Meta}}<tr><th scope="row">{{.Key}}</th><td>{{.Value}}</td></tr>
{{end}}</table>
{{end}}</header>

<nav class="toc" aria-label="Contents">
<h2>Contents</h2>
<ol>
<li><a href="#summary">Summary of results</a></li>
{{if .Runs}}<li><a href="#runs">Models</a></li>
{{end}}<li><a href="#reading">How to read this report</a></li>
{{range .Experiments}}<li><a href="#{{.ID}}">{{.ID}}: {{.Title}}</a></li>
{{end}}</ol>
</nav>

<section id="summary">
<h2>Summary of results</h2>
{{if .Counts}}<p>{{len .Experiments}} experiment{{if ne (len .Experiments) 1}}s{{end}}:{{range $i, $c := .Counts}}{{if $i}},{{end}} {{$c.N}} <span class="badge {{$c.Class}}">{{$c.Verdict}}</span>{{end}}</p>
{{end}}<table class="data summary">
<thead><tr><th scope="col">Experiment</th><th scope="col">What it tests</th><th scope="col">Models (scale)</th><th scope="col">Verdict</th><th scope="col">Control</th><th scope="col">Deciding numbers</th></tr></thead>
<tbody>
{{range .Experiments}}<tr><td data-label="Experiment"><a href="#{{.ID}}">{{.ID}}</a></td><td data-label="What it tests">{{.Title}}</td><td data-label="Models (scale)">{{.Models}}</td><td data-label="Verdict"><span class="badge {{.VerdictClass}}">{{.Verdict}}</span></td><td data-label="Control">{{if .Control}}{{.Control}}{{else}}none{{end}}</td><td data-label="Deciding numbers">{{.NoteFirst}}</td></tr>
{{else}}<tr><td colspan="6">No experiments in this report.</td></tr>
{{end}}</tbody>
</table>
</section>

{{with .Runs}}<section id="runs">
<h2>Models</h2>
<table class="data runs">
<caption><b>{{.N}}.</b> {{.Caption}}</caption>
<thead><tr>{{range .Header}}<th scope="col">{{.Text}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</section>
{{end}}
<section id="reading">
<h2>How to read this report</h2>
<p>Each experiment below states a claim of the paper, shows our figures and key numbers, and gives a verdict on whether our run reproduces the claim, with the numbers that decided it.</p>
<p><b>ICL curves</b> plot the prediction error of a model against the number of in-context examples it has seen in the prompt. The error is the squared error divided by the scale of the function class, so predicting 0 everywhere (the <i>zero predictor</i>, dashed line) scores about 1; lower is better. Shaded bands are 90% bootstrap intervals of the mean over test prompts. Baselines (least squares, lasso, the Bayes-optimal predictor) show what is achievable from the same examples.</p>
<p>Verdicts:</p>
<ul class="legend">
<li><span class="badge ok">supported</span> our numbers show what the paper claims;</li>
<li><span class="badge partly">partly supported</span> some of the claim shows, some does not;</li>
<li><span class="badge no">not supported at this scale</span> at the model and training size we ran, the claim's checks can be tested and do not hold;</li>
<li><span class="badge untestable">not testable at this scale</span> the models did not learn what the claim needs (a precondition failed or is not established), or they do not differ where the claim needs them to, or every check is inconclusive, or a control (a model that should not earn the claim, put in its model's place) earns the same verdict, so the numbers can neither show nor refute the claim; the verdict note gives the numbers;</li>
<li><span class="badge notrun">not run</span> the experiment was skipped in this run.</li>
</ul>
<p>A check <i>holds</i> when the 90% interval of the quantity it compares lies on the passing side of its threshold, <i>fails</i> when it lies on the other side, and is <i>inconclusive</i> when it straddles the threshold; the table of checks gives the value, the interval, the threshold, the margin and whether the check holds for the control.</p>
<p>The exact configuration and command of every experiment are in its <i>Configs and commands</i> box, so any number here can be regenerated.</p>
</section>

{{range .Experiments}}<section id="{{.ID}}">
<h2><span class="id">{{.ID}}</span> <span>{{.Title}}</span> <span class="badge {{.VerdictClass}}">{{.Verdict}}</span></h2>
{{if .Claim}}<blockquote class="claim"><span class="label">{{.ClaimLabel}}</span>
{{range .Claim}}<p>{{.}}</p>
{{end}}</blockquote>
{{end}}{{range .Figures}}<figure>
{{if .Missing}}<div class="missing">figure not available</div>{{else}}<div class="figscroll"><img {{.Src}} alt="{{.N}}: {{.Caption}}"></div>{{end}}
<figcaption><b>{{.N}}.</b> {{.Caption}}</figcaption>
</figure>
{{end}}{{range .Tables}}<table class="data">
<caption><b>{{.N}}.</b> {{.Caption}}</caption>
{{if .Header}}<thead><tr>{{range .Header}}<th scope="col"{{if .Num}} class="num"{{end}}>{{.Text}}</th>{{end}}</tr></thead>
{{end}}<tbody>
{{range .Rows}}<tr>{{range .}}<td{{if .Num}} class="num"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}<div class="verdict {{.VerdictClass}}">
<h3>Verdict: <span class="badge {{.VerdictClass}}">{{.Verdict}}</span> <span class="meaning">({{.VerdictMeaning}})</span></h3>
{{range .Note}}<p>{{.}}</p>
{{else}}<p>No note given.</p>
{{end}}</div>
{{if .HasDetails}}<details>
<summary>Configs and commands</summary>
{{if .Commands}}<h4>commands</h4>
<pre><code>{{.Commands}}</code></pre>
{{end}}{{range .Configs}}<h4>{{.Name}}</h4>
<pre><code>{{.Text}}</code></pre>
{{end}}</details>
{{end}}</section>

{{end}}<footer>
<p>Generated by icl. This file is self-contained: figures are embedded, and it loads nothing from the network.</p>
</footer>
</main>
</body>
</html>
`
