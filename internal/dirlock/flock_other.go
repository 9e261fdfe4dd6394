//go:build !unix

package dirlock

import "os"

// tryLock does nothing where flock is not available (see the package doc).
func tryLock(f *os.File) (held bool, err error) { return false, nil }

func unlock(f *os.File) {}
