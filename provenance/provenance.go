package provenance

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version returns icl's module version and the commit it was built from,
// for the report. The commit comes from the build's VCS stamp (go build in a
// clone) or, failing that (go run, go test), from git in the directory of
// the source icl was compiled from (never the working directory, which may be
// another repository), marked "+ changes" when that tree differs from it.
func Version() (mod, commit string) {
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
	if root := SourceRoot(); commit == "" && root != "" {
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

// SourceRoot returns the root of the module icl was compiled from (where
// its go.mod says "module icl"), from this file's compile-time path; "" when
// the build does not record it (-trimpath) or the source is gone.
func SourceRoot() string {
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

// Machine describes the computer: OS, architecture, CPU model, cores and
// the Go version.
func Machine() string {
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

// SHA256Hex is the hex SHA-256 of b, which names a file's contents in
// manifests, done files and caches.
func SHA256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// FileSHA256 is SHA256Hex of the file at path, read in a stream.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
