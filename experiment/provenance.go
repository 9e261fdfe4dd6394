package experiment

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
)

// version returns icl's module version and the commit it was built from,
// for the report. The commit comes from the build's VCS stamp (go build in a
// clone) or, failing that (go run, go test), from git in the working
// directory, marked "+ changes" when the tree differs from it.
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
	if commit == "" {
		if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			commit = strings.TrimSpace(string(out))
			if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil {
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
