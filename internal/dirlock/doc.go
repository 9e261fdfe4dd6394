// Package dirlock gives one process at a time the right to write a directory:
// a training run directory, or the output directory of a reproduction.
//
// The lock is an advisory flock(2) on the directory itself, which nobody
// deletes while it holds files. The file .lock in the directory holds the
// holder's process id, for the message another writer gets; it is removed
// when the lock is released, and deleting it by hand releases nothing. The
// kernel drops the lock when the process exits, however it exits (SIGKILL
// included), so a lock left by a killed process never blocks: its .lock file
// may stay, but the directory is not locked. On NFS, flock relies on the filesystem's lock
// support (Linux maps it to NFS byte-range locks since 2.6.12); on a
// filesystem without lock support, Acquire fails and says so. On systems
// without flock (not Unix) the lock is not taken.
package dirlock
