package provenance

import (
	"os/exec"
	"strings"
	"testing"
)

// The report's commit is that of icl's source, wherever the command runs:
// from inside another git repository it is not that repository's.
func TestVersionIgnoresWorkingDirectory(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	root := SourceRoot()
	if root == "" {
		t.Skip("built without source paths")
	}
	want, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("source not in a git clone: %v", err)
	}
	other := t.TempDir()
	for _, args := range [][]string{{"init", "-q"}, {"-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "--allow-empty", "-m", "other"}} {
		if out, err := exec.Command("git", append([]string{"-C", other}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	t.Chdir(other)
	_, commit := Version()
	if !strings.HasPrefix(commit, strings.TrimSpace(string(want))) {
		t.Errorf("commit %q from inside another repository; want icl's %s", commit, want)
	}
}
