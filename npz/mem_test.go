package npz

import (
	"runtime"
	"runtime/debug"
	"testing"
)

type runtimeMem struct{ total uint64 }

func (m *runtimeMem) read() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.total = s.TotalAlloc
}

// withMemoryLimit sets the Go runtime's memory limit (GOMEMLIMIT), which bounds
// what package memlimit reports available, to bytes for the rest of the test,
// so that checks against it do not depend on the machine.
func withMemoryLimit(t *testing.T, bytes int64) {
	t.Helper()
	old := debug.SetMemoryLimit(bytes)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
}
