package shipped

import (
	"strings"
	"testing"
)

// FuzzParseManifest reads arbitrary SHA256SUMS files: it must not panic, and
// what it accepts has 64 lowercase hex digits per name, names without path
// separators, each once, and reads back the same from its own lines.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(strings.Repeat("0", 64) + "  config.yaml\n" + strings.Repeat("a", 64) + "  model.safetensors\n"))
	f.Add([]byte(strings.Repeat("0", 64) + "  ../x\n"))
	f.Add([]byte("\n\n" + strings.Repeat("f", 64) + "  done"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sums, err := parseManifest(data)
		if err != nil {
			return
		}
		var b strings.Builder
		for name, sum := range sums {
			if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
				t.Fatalf("accepted sum %q", sum)
			}
			if name == "" || strings.ContainsAny(name, `/\`) || name == ManifestFile {
				t.Fatalf("accepted name %q", name)
			}
			b.WriteString(sum + "  " + name + "\n")
		}
		back, err := parseManifest([]byte(b.String()))
		if err != nil || len(back) != len(sums) {
			t.Fatalf("its own lines read back as %v, %v", back, err)
		}
		for k, v := range sums {
			if back[k] != v {
				t.Fatalf("%s: %s read back as %s", k, v, back[k])
			}
		}
	})
}
