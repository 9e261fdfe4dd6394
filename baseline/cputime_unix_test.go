//go:build unix

package baseline

import (
	"syscall"
	"time"
)

// cpuTime is the user+system CPU time of this process so far, so that
// benchmarks on a shared machine can report CPU seconds beside wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
