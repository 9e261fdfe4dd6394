// Package dirlock gives one process at a time the right to write a directory:
// a training run directory, or the output directory of a reproduction.
//
// The lock is an advisory flock(2) on the file .lock in the directory, which
// holds the holder's process id for the message another writer gets. The
// kernel drops the lock when the process exits, however it exits (SIGKILL
// included), so a lock left by a killed process never blocks: the .lock file
// stays, but it is not locked. On NFS, flock relies on the filesystem's lock
// support (Linux maps it to NFS byte-range locks since 2.6.12); on a
// filesystem without lock support, Acquire fails and says so. On systems
// without flock (not Unix) the lock is not taken.
package dirlock
