package files

import (
	"errors"
	"os"
	"syscall"
)

// openRead opens a file for reading without following a final symlink,
// without blocking on a FIFO put in its place, and without updating its
// access time when the system allows it (the owner, or root).
func openRead(path string) (*os.File, error) {
	const flags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOFOLLOW | syscall.O_CLOEXEC
	f, err := os.OpenFile(path, flags|syscall.O_NOATIME, 0)
	if errors.Is(err, syscall.EPERM) {
		f, err = os.OpenFile(path, flags, 0)
	}
	return f, err
}
