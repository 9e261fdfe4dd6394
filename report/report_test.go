package report

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const tinySVG = `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#0072B2"/></svg>`

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.NRGBA{0xD5, 0x5E, 0x00, 0xFF})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sampleReport(t *testing.T, svg, pngb []byte) Report {
	return Report{
		Title: "icl reproduction: Yadlowsky et al. 2023",
		Intro: "Transformers pretrained on mixtures of function classes select among them in context.\n\nThis run used the quick preset.",
		Meta: []KV{
			{"preset", "quick"}, {"seed", "1"}, {"wall time", "3m12s"},
			{"machine", "linux/amd64, 2 cores"}, {"icl version", "v0.1.0-dev"},
		},
		Experiments: []Experiment{
			{
				ID:    "E1",
				Title: "Model selection between dense and sparse linear functions",
				Claim: "The mixture model matches each specialist on its own class and is near Bayes-optimal.",
				Figures: []Figure{
					{Caption: "Dense linear functions: ICL curves of the three models and baselines.", SVG: svg},
					{Caption: "Sparse linear functions.", PNG: pngb},
				},
				Tables: []Table{{
					Caption: "Mean normalized error at position 10 (90% interval).",
					Header:  []string{"model", "dense", "sparse"},
					Rows: [][]string{
						{"mixture", "0.231", "0.052"},
						{"dense only", "0.224", "0.310"},
						{"sparse only", "0.912", "0.049"},
					},
				}},
				Verdict:     Supported,
				VerdictNote: "Mixture within 0.01 of each specialist at every position.\n\nGap to Bayes at position 10: 0.006 (dense), 0.004 (sparse).",
				Configs:     []Code{{Name: "presets/quick/e1.yaml", Text: "model:\n  layers: 2\n  embed: 32\ntrain:\n  steps: 2000\n"}},
				Commands:    []string{"icl train -config presets/quick/e1.yaml", "icl eval -run runs/e1"},
			},
			{
				ID:          "E5",
				Title:       "Sweep of the convex-combination weight",
				Claim:       "Predictions become erratic when both parts contribute substantially.",
				Figures:     []Figure{{Caption: "Error against alpha.", SVG: svg}},
				Verdict:     NotAtScale,
				VerdictNote: "Error peaks at alpha = 0.5 (0.81) but the quick model is also poor at alpha = 0 (0.62).",
			},
		},
	}
}

// checkBalanced verifies that every non-void element is closed in order,
// that no raw '<' appears in text, and that the document parses with
// encoding/xml in HTML mode.
func checkBalanced(t *testing.T, doc []byte) {
	t.Helper()
	void := map[string]bool{"meta": true, "img": true, "br": true, "hr": true, "link": true, "input": true}
	tagRE := regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>`)
	s := string(doc)
	s = strings.TrimPrefix(s, "<!DOCTYPE html>")
	// Style content is CSS; check it holds no markup, then drop it.
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	for _, m := range style.FindAllStringSubmatch(s, -1) {
		if strings.ContainsAny(m[1], "<>") && strings.Contains(m[1], "</") {
			t.Errorf("markup inside <style>")
		}
	}
	s = style.ReplaceAllString(s, "<style></style>")
	var stack []string
	last := 0
	for _, m := range tagRE.FindAllStringSubmatchIndex(s, -1) {
		text := s[last:m[0]]
		if strings.Contains(text, "<") {
			t.Fatalf("raw '<' in text near %q", text)
		}
		last = m[1]
		closing, name := s[m[2]:m[3]] == "/", strings.ToLower(s[m[4]:m[5]])
		switch {
		case void[name]:
			if closing {
				t.Fatalf("closing tag for void element %s", name)
			}
		case closing:
			if len(stack) == 0 || stack[len(stack)-1] != name {
				t.Fatalf("</%s> does not close the open element (stack %v)", name, stack)
			}
			stack = stack[:len(stack)-1]
		default:
			stack = append(stack, name)
		}
	}
	if strings.Contains(s[last:], "<") {
		t.Fatal("raw '<' after last tag")
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements: %v", stack)
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("html does not parse: %v", err)
		}
	}
}

func render(t *testing.T, r Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWellFormed(t *testing.T) {
	doc := render(t, sampleReport(t, []byte(tinySVG), tinyPNG(t)))
	checkBalanced(t, doc)
	for _, id := range []string{"summary", "reading", "E1", "E5"} {
		if !bytes.Contains(doc, []byte(`<section id="`+id+`">`)) {
			t.Errorf("no section with id %q", id)
		}
		if !bytes.Contains(doc, []byte(`href="#`+id+`"`)) {
			t.Errorf("no link to #%s", id)
		}
	}
	for _, want := range []string{"badge ok", "badge no", "<details>", "<blockquote", "icl train -config presets/quick/e1.yaml", "Figure E1.2", "Table E1.1"} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The first line of the note is in the summary; the second paragraph
	// only in the section.
	if n := bytes.Count(doc, []byte("Mixture within 0.01 of each specialist")); n != 2 {
		t.Errorf("first note line appears %d times, want 2 (summary and section)", n)
	}
}

// TestSelfContained checks that every src and href stays in the page
// (a fragment or a data: URI) and that no http(s) URL appears anywhere.
func TestSelfContained(t *testing.T) {
	doc := render(t, sampleReport(t, []byte(tinySVG), tinyPNG(t)))
	attr := regexp.MustCompile(`(?i)\b(src|href|action|srcset|poster)\s*=\s*"([^"]*)"`)
	n := 0
	for _, m := range attr.FindAllSubmatch(doc, -1) {
		v := html.UnescapeString(string(m[2]))
		if !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "data:image/svg+xml;base64,") && !strings.HasPrefix(v, "data:image/png;base64,") {
			t.Errorf("%s=%q points off the page", m[1], v)
		}
		n++
	}
	if n == 0 {
		t.Error("no src/href found at all: test regexp broken?")
	}
	for _, bad := range []string{"http://", "https://", "<script", "<link", "@import", "url("} {
		if bytes.Contains(bytes.ToLower(doc), []byte(bad)) {
			t.Errorf("output contains %q", bad)
		}
	}
}

// TestFiguresRoundTrip decodes the embedded data URIs back to the input.
func TestFiguresRoundTrip(t *testing.T) {
	pngb := tinyPNG(t)
	doc := render(t, sampleReport(t, []byte(tinySVG), pngb))
	re := regexp.MustCompile(`src="data:image/(svg\+xml|png);base64,([A-Za-z0-9+/=]+)"`)
	got := map[string][][]byte{}
	for _, m := range re.FindAllSubmatch(doc, -1) {
		b, err := base64.StdEncoding.DecodeString(string(m[2]))
		if err != nil {
			t.Fatal(err)
		}
		got[string(m[1])] = append(got[string(m[1])], b)
	}
	if len(got["svg+xml"]) != 2 || len(got["png"]) != 1 {
		t.Fatalf("embedded %d svg and %d png, want 2 and 1", len(got["svg+xml"]), len(got["png"]))
	}
	if !bytes.Equal(got["svg+xml"][0], []byte(tinySVG)) || !bytes.Equal(got["png"][0], pngb) {
		t.Error("embedded figure bytes differ from the input")
	}
	if _, err := png.Decode(bytes.NewReader(got["png"][0])); err != nil {
		t.Error(err)
	}
}

func TestEscaping(t *testing.T) {
	inj := `<script>alert("x")</script>`
	r := sampleReport(t, []byte(tinySVG), tinyPNG(t))
	r.Title = inj
	r.Intro = inj
	r.Meta = append(r.Meta, KV{inj, inj})
	e := &r.Experiments[0]
	e.Title, e.Claim, e.VerdictNote = inj, inj, inj
	e.Figures[0].Caption = inj
	e.Tables[0].Caption = inj
	e.Tables[0].Header[0] = inj
	e.Tables[0].Rows[0][0] = inj
	e.Configs[0].Name, e.Configs[0].Text = inj, inj
	e.Commands = append(e.Commands, inj)
	doc := render(t, r)
	if bytes.Contains(bytes.ToLower(doc), []byte("<script")) {
		t.Fatal("injected <script> not escaped")
	}
	if n := bytes.Count(doc, []byte("&lt;script&gt;")); n < 12 {
		t.Errorf("escaped script tag appears %d times, want >= 12 (one per injected field)", n)
	}
	checkBalanced(t, doc)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(r *Report)
		field string
	}{
		{"bad verdict", func(r *Report) { r.Experiments[0].Verdict = "yes" }, "Experiments[0].Verdict"},
		{"empty id", func(r *Report) { r.Experiments[1].ID = "" }, "Experiments[1].ID"},
		{"duplicate id", func(r *Report) { r.Experiments[1].ID = "E1" }, "Experiments[1].ID"},
		{"unsafe id", func(r *Report) { r.Experiments[0].ID = `E1" onclick="x` }, "Experiments[0].ID"},
		{"not svg", func(r *Report) { r.Experiments[0].Figures[0].SVG = []byte("hello") }, "Experiments[0].Figures[0].SVG"},
		{"not png", func(r *Report) { r.Experiments[0].Figures[1].PNG = []byte("GIF89a") }, "Experiments[0].Figures[1].PNG"},
	}
	for _, tt := range tests {
		r := sampleReport(t, []byte(tinySVG), tinyPNG(t))
		tt.edit(&r)
		err := Write(io.Discard, r)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: err = %v, want FieldError on %s", tt.name, err, tt.field)
		}
	}
	if err := (&Report{}).Validate(); err != nil {
		t.Errorf("empty report: %v", err)
	}
}

func TestEmptyAndDefaults(t *testing.T) {
	doc := render(t, Report{Experiments: []Experiment{{ID: "E9", Figures: []Figure{{Caption: "none"}}}}})
	checkBalanced(t, doc)
	for _, want := range []string{"icl reproduction report", "badge notrun", "figure not available", "No note given."} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("output lacks %q", want)
		}
	}
	checkBalanced(t, render(t, Report{}))
}

func TestNumericCells(t *testing.T) {
	doc := render(t, Report{Experiments: []Experiment{{ID: "E1", Tables: []Table{{
		Header: []string{"method", "error"},
		Rows:   [][]string{{"lasso", "0.25", "-1e-3", "12%", "n/a"}},
	}}}}})
	for _, want := range []string{`<th scope="col">method</th>`, `<th scope="col" class="num">error</th>`} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("header: want %s", want)
		}
	}
	for _, tt := range []struct {
		cell string
		num  bool
	}{{"lasso", false}, {"0.25", true}, {"-1e-3", true}, {"12%", true}, {"n/a", false}} {
		want := "<td>" + tt.cell + "</td>"
		if tt.num {
			want = `<td class="num">` + tt.cell + "</td>"
		}
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("cell %q: want %s", tt.cell, want)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	r := sampleReport(t, []byte(tinySVG), tinyPNG(t))
	if err := WriteFile(path, r); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, render(t, r)) {
		t.Error("file differs from Write output")
	}
	r.Experiments[0].Verdict = "bad"
	if err := WriteFile(path, r); err == nil {
		t.Error("invalid report written")
	}
	if got2, _ := os.ReadFile(path); !bytes.Equal(got2, got) {
		t.Error("failed write changed the existing file")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d entries in dir, want 1 (temp file left?)", len(ents))
	}
}

// A claim beyond the paper is headed as such, and "not testable at this
// scale" is a verdict of its own, counted in the summary.
func TestClaimLabelAndNotTestable(t *testing.T) {
	r := Report{Experiments: []Experiment{
		{ID: "E1", Title: "t", Claim: "c", Verdict: NotTestable, VerdictNote: "Precondition failed: the specialists differ (0.300, 0.306)."},
		{ID: "MS", Title: "t", Claim: "c", ClaimLabel: "The claim (beyond the paper)", Verdict: NotAtScale},
	}}
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, want := range []string{`<span class="badge untestable">not testable at this scale</span>`, "The claim (beyond the paper)",
		"The paper&#39;s claim", "Precondition failed: the specialists differ (0.300, 0.306).</td>"} {
		if !strings.Contains(h, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(h, "(see why)") {
		t.Error("report says \"(see why)\"")
	}
}
