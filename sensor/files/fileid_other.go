//go:build !unix

package files

import "io/fs"

// fileID identifies a directory across the paths that lead to it.
type fileID struct{ dev, ino uint64 }

// idOf cannot identify directories here: link loops are then only
// bounded by the depth of the paths.
func idOf(fi fs.FileInfo) (fileID, bool) { return fileID{}, false }
