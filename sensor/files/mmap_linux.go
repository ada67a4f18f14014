package files

import (
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
)

// mapMin is the size from which hashing maps a file instead of reading
// it: mapping saves the copy into a buffer, which matters when hashing
// runs at memory speed, but costs more than a read for small files.
const mapMin = 4 << 20

// hashMapped hashes a file of the given size through a read-only memory
// mapping. It returns false when the file was not mapped (then nothing
// was hashed). A file truncated while hashed makes the access fault: the
// fault is turned into an error instead of killing the process.
func (w *worker) hashMapped(f *os.File, size int64) (mapped bool, err error) {
	if size < mapMin || size != int64(int(size)) {
		return false, nil
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return false, nil // not mappable (a special file system): read it
	}
	defer syscall.Munmap(data)
	syscall.Madvise(data, syscall.MADV_SEQUENTIAL)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the file changed while it was read: %v", r)
		}
	}()
	w.hashes.write(data)
	return true, nil
}
