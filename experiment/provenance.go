package experiment

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
)

// version returns icl's module version and the commit it was built from,
// for the report. The commit comes from the build's VCS stamp (go build in a
// clone) or, failing that (go run, go test), from git in the directory of
// the source icl was compiled from (never the working directory, which may be
// another repository), marked "+ changes" when that tree differs from it.
func version() (mod, commit string) {
	mod, commit = "(devel)", ""
	dirty := false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" {
			mod = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if root := sourceRoot(); commit == "" && root != "" {
		if out, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output(); err == nil {
			commit = strings.TrimSpace(string(out))
			if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil {
				dirty = len(bytes.TrimSpace(st)) > 0
			}
		}
	}
	switch {
	case commit == "":
		commit = "not recorded (built without version control information, outside a git clone)"
	case dirty:
		commit += " + changes not committed"
	}
	return mod, commit
}

// sourceRoot returns the root of the module icl was compiled from (where
// its go.mod says "module icl"), from this file's compile-time path; "" when
// the build does not record it (-trimpath) or the source is gone.
func sourceRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	root := filepath.Dir(filepath.Dir(file))
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !bytes.HasPrefix(b, []byte("module icl\n")) {
		return ""
	}
	return root
}

// machine describes the computer: OS, architecture, CPU model, cores and
// the Go version.
func machine() string {
	cpu := ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v) + ", "
				break
			}
		}
		f.Close()
	}
	return fmt.Sprintf("%s/%s, %s%d cores (GOMAXPROCS %d), %s", runtime.GOOS, runtime.GOARCH, cpu, runtime.NumCPU(),
		runtime.GOMAXPROCS(0), runtime.Version())
}
