package dirlock

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestSecondWriterRefused(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no flock")
	}
	dir := t.TempDir()
	a, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir)
	var he *HeldError
	if !errors.As(err, &he) || he.PID != os.Getpid() || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second Acquire: %v; want a HeldError naming pid %d", err, os.Getpid())
	}
	a.Release()
	a.Release() // twice is fine
	b, err := Acquire(dir)
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	b.Release()
}

// TestKilledHolderDoesNotBlock kills a process holding the lock with SIGKILL
// and takes the lock after it.
func TestKilledHolderDoesNotBlock(t *testing.T) {
	if os.Getenv("DIRLOCK_HOLD") != "" {
		if _, err := Acquire(os.Getenv("DIRLOCK_HOLD")); err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("held\n")
		select {} // until killed
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no flock")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledHolderDoesNotBlock$")
	cmd.Env = append(os.Environ(), "DIRLOCK_HOLD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "held\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %q", line)
	}
	_, err = Acquire(dir)
	var he *HeldError
	if !errors.As(err, &he) || he.PID != cmd.Process.Pid {
		t.Errorf("while the child holds it: %v; want a HeldError naming pid %d", err, cmd.Process.Pid)
	}
	cmd.Process.Kill() // SIGKILL: no chance to clean up
	cmd.Wait()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	l.Release()
}

// Deleting the .lock file while the lock is held lets no second writer in,
// and a released lock leaves no .lock file behind.
func TestLockFileDeletedStillHeld(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no flock")
	}
	dir := t.TempDir()
	a, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(dir + "/" + Name); err != nil {
		t.Fatal(err)
	}
	var he *HeldError
	if _, err := Acquire(dir); !errors.As(err, &he) {
		t.Fatalf("after rm %s: second Acquire %v; want a HeldError", Name, err)
	}
	a.Release()
	b, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	if _, err := os.Stat(dir + "/" + Name); !os.IsNotExist(err) {
		t.Errorf("%s left after Release: %v", Name, err)
	}
}
