// Package memlimit refuses work whose estimated memory exceeds what the
// process can have, before anything of that size is allocated: a command
// that would be killed for memory (or die with "fatal error: out of memory")
// says instead which setting asks for how much.
//
// What the process can have is the least of: the system's available memory
// (MemAvailable in /proc/meminfo), the cgroup's limit less its usage (cgroup
// v2 memory.max and memory.current, as in a container or a Slurm job), and
// the Go runtime's memory limit (GOMEMLIMIT) where one is set. Where none of
// these is known (not Linux, and no GOMEMLIMIT), the budget is Cap.
package memlimit

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// Cap is the budget where the system reports no available memory.
const Cap = 64 << 30

// Available returns the bytes the process can still allocate and where that
// figure comes from.
func Available() (bytes float64, source string) {
	bytes, source = math.Inf(1), ""
	take := func(v float64, src string) {
		if v < bytes {
			bytes, source = v, src
		}
	}
	if v, ok := meminfoAvailable(); ok {
		take(v, "MemAvailable in /proc/meminfo")
	}
	if max, ok := readNumber("/sys/fs/cgroup/memory.max"); ok {
		cur, _ := readNumber("/sys/fs/cgroup/memory.current")
		take(max-cur, "the cgroup's memory.max less memory.current")
	}
	if lim := debug.SetMemoryLimit(-1); lim < math.MaxInt64 {
		take(float64(lim), "GOMEMLIMIT")
	}
	if math.IsInf(bytes, 1) {
		return Cap, fmt.Sprintf("memlimit.Cap, %s: the system reports no available memory", Human(Cap))
	}
	return max(bytes, 0), source
}

// meminfoAvailable reads MemAvailable from /proc/meminfo, in bytes.
func meminfoAvailable() (float64, bool) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				if v, err := strconv.ParseFloat(f[0], 64); err == nil {
					return v * 1024, true
				}
			}
		}
	}
	return 0, false
}

// readNumber reads a file holding one number ("max" is not one).
func readNumber(path string) (float64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	return v, err == nil
}

// Part is one share of an estimate: its bytes, what it is, and the settings
// it grows with (e.g. "train.batch = 64, data.points = 11").
type Part struct {
	What     string
	Bytes    float64
	Settings string
}

// Error reports work that needs more memory than is available.
type Error struct {
	Work      string  // e.g. "training"
	Need      float64 // estimated bytes
	Available float64 // bytes
	Source    string  // where Available comes from
	Largest   Part    // the largest share of Need
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s needs an estimated %s of memory, more than the %s available (%s); "+
		"the largest share is %s, %s, from %s: lower one of these",
		e.Work, Human(e.Need), Human(e.Available), e.Source, e.Largest.What, Human(e.Largest.Bytes), e.Largest.Settings)
}

// Check returns an *Error if the parts of work together need more than
// Available, or nil.
func Check(work string, parts ...Part) error {
	avail, src := Available()
	return check(work, avail, src, parts)
}

func check(work string, avail float64, src string, parts []Part) error {
	need := 0.0
	var largest Part
	for _, p := range parts {
		need += p.Bytes
		if p.Bytes > largest.Bytes || math.IsNaN(p.Bytes) {
			largest = p
		}
	}
	if need <= avail {
		return nil
	}
	return &Error{Work: work, Need: need, Available: avail, Source: src, Largest: largest}
}

// Human formats a byte count with a binary unit ("1.5 GiB").
func Human(b float64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f bytes", b)
	}
	return fmt.Sprintf("%.3g %s", b, units[i])
}
