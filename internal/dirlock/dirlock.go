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
	d   *os.File // the directory, open: the flock is on it
	pid string   // the .lock file's content, to remove only our own
	dir string
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
	return fmt.Sprintf("%s is in use by %s (it holds the directory's lock; %s names it): one writer at a time; wait for it to finish or stop it",
		e.Dir, who, filepath.Join(e.Dir, Name))
}

// Acquire takes dir's lock (dir must exist) without waiting: if another
// process holds it, it returns a *HeldError naming that process. Release the
// lock with Release; exiting releases it too.
func Acquire(dir string) (*Lock, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	held, err := tryLock(d)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	path := filepath.Join(dir, Name)
	if held {
		b, _ := os.ReadFile(path)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		d.Close()
		return nil, &HeldError{Dir: dir, PID: pid}
	}
	// The file is informational: the holder's pid, for another writer's
	// message. Deleting it does not release the lock.
	pid := strconv.Itoa(os.Getpid()) + "\n"
	if err := os.WriteFile(path, []byte(pid), 0o644); err != nil {
		unlock(d)
		d.Close()
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return &Lock{d: d, pid: pid, dir: dir}, nil
}

// Release gives the lock up and removes the .lock file, if it still names
// this process. It is safe to call on a nil Lock and more than once.
func (l *Lock) Release() {
	if l == nil || l.d == nil {
		return
	}
	path := filepath.Join(l.dir, Name)
	if b, err := os.ReadFile(path); err == nil && string(b) == l.pid {
		os.Remove(path)
	}
	unlock(l.d)
	l.d.Close()
	l.d = nil
}
