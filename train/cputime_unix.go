//go:build unix

package train

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process has used, or
// 0 where it cannot be read.
func processCPU() time.Duration {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
