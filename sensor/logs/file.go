package logs

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/vigie-cti/vigie/sensor"
)

// ScanFile scans the log at path, or stdin when path is "-". With Follow,
// a file is read as it grows until ctx is done.
func (s *Scanner) ScanFile(ctx context.Context, path string, stdin io.Reader, hit func(sensor.Hit)) sensor.FileStatus {
	if path == "-" {
		return s.Scan(ctx, "-", stdin, hit)
	}
	f, err := os.Open(path)
	if err != nil {
		st := sensor.FileStatus{Path: path}
		st.AddError(0, err)
		return st
	}
	defer func() { f.Close() }()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return sensor.FileStatus{Path: path, Skipped: "a directory"}
	}
	if !s.Follow {
		return s.Scan(ctx, path, f, hit)
	}
	poll := s.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	fr := &followReader{ctx: ctx, f: f, path: path, poll: poll}
	defer func() { f = fr.f }()
	return s.Scan(ctx, path, fr, hit)
}

// followReader reads a file that grows: at its end it waits for more,
// reopens the path when the file was rotated (renamed and replaced), and
// starts over when it was truncated. It ends when ctx is done.
type followReader struct {
	ctx  context.Context
	f    *os.File
	path string
	poll time.Duration
	off  int64
}

func (r *followReader) Read(p []byte) (int, error) {
	for {
		n, err := r.f.Read(p)
		r.off += int64(n)
		if n > 0 {
			return n, nil
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
		if r.reopen() {
			continue
		}
		t := time.NewTimer(r.poll)
		select {
		case <-r.ctx.Done():
			t.Stop()
			return 0, io.EOF
		case <-t.C:
		}
	}
}

// reopen handles rotation and truncation; it reports whether there may
// be new data to read at once.
func (r *followReader) reopen() bool {
	cur, err := r.f.Stat()
	if err != nil {
		return false
	}
	if fi, err := os.Stat(r.path); err == nil && !os.SameFile(fi, cur) {
		nf, err := os.Open(r.path)
		if err != nil {
			return false
		}
		r.f.Close()
		r.f, r.off = nf, 0
		return true
	}
	if cur.Size() < r.off {
		if _, err := r.f.Seek(0, io.SeekStart); err == nil {
			r.off = 0
			return true
		}
	}
	return false
}

// ExpandPaths replaces each directory among paths with the regular files
// under it, in lexical order; "-" and other paths are kept as they are
// (a missing file is reported by the scan). Problems met while walking
// are given to problem, and the walk goes on.
func ExpandPaths(paths []string, problem func(path string, err error)) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if p == "-" || err != nil || !fi.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				problem(path, err)
				return nil
			}
			if d.Type().IsRegular() {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
