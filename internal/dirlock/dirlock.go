package dirlock

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Name is the lock file's name inside the locked directory.
const Name = ".lock"

// Lock is a held directory lock.
type Lock struct {
	f *os.File
}

// HeldError reports a directory another process is writing.
type HeldError struct {
	Dir string
	PID int // the holder's process id; 0 if it could not be read
}

func (e *HeldError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = "process " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("%s is in use by %s (it holds %s): one writer at a time; wait for it to finish or stop it",
		e.Dir, who, filepath.Join(e.Dir, Name))
}

// Acquire takes dir's lock (dir must exist) without waiting: if another
// process holds it, it returns a *HeldError naming that process. Release the
// lock with Release; exiting releases it too.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, Name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s (%s): %w", dir, path, err)
	}
	if held {
		b, _ := os.ReadFile(path)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		f.Close()
		return nil, &HeldError{Dir: dir, PID: pid}
	}
	// The file's content is informational: the pid for another writer's message.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Release gives the lock up. It is safe to call on a nil Lock and more than once.
func (l *Lock) Release() {
	if l == nil || l.f == nil {
		return
	}
	unlock(l.f)
	l.f.Close()
	l.f = nil
}
