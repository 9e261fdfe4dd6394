package presets

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// Every scale is a folder of presets and every folder a scale; every scale
// has the quick scale's mixtures, except medium and long, which have the three of E1
// (its other experiments take the small scale's runs, experiment/
// scales.yaml runs_from).
func TestScalesAreTheFolders(t *testing.T) {
	ents, err := fs.ReadDir(files, ".")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range ents {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	want := slices.Clone(Scales)
	slices.Sort(want)
	if !slices.Equal(dirs, want) {
		t.Errorf("folders %v, Scales %v", dirs, Scales)
	}
	if !slices.Contains(Scales, DefaultScale) {
		t.Errorf("DefaultScale %q is not in Scales %v", DefaultScale, Scales)
	}
	mixtures := map[string][]string{}
	for _, n := range Names() {
		scale, m, _ := strings.Cut(n, "/")
		mixtures[scale] = append(mixtures[scale], m)
	}
	for _, s := range Scales {
		want := mixtures[Scales[0]]
		if s == "medium" || s == "long" {
			want = []string{"dense_linear", "dense_sparse", "sparse_linear"}
		}
		if !slices.Equal(mixtures[s], want) {
			t.Errorf("scale %s has presets %v, %s has %v", s, mixtures[s], Scales[0], mixtures[Scales[0]])
		}
	}
}
