//go:build unix

package gpt

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system) used so far by this process.
func cpuTime() time.Duration {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
