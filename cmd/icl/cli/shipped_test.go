package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// The shipped-model flags of reproduce: bad combinations and folders are
// usage errors naming the flag; -verify names the shipped runs there are.
func TestReproduceShippedFlags(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-verify", "dense_sparse", "-pack", empty, "-out", t.TempDir()}, 2, "-verify and -pack"},
		{[]string{"-models", filepath.Join(empty, "none"), "-out", t.TempDir()}, 2, "-models"},
		{[]string{"-preset", "small", "-models", empty, "-verify", "dense_sparse", "-out", t.TempDir()}, 1,
			"no shipped run small/dense_sparse; shipped: none"},
	} {
		code, _, stderr := run(t, append([]string{"reproduce"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("reproduce %q: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
