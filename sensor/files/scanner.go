// Package files walks directories and matches the files it finds against
// the indicators: their names, the hashes the indicators use (MD5, SHA-1,
// SHA-256, SHA-512, all computed in one read), and YARA rules. It reads
// and never writes: files are opened read-only, without following
// symbolic links unless asked, without blocking on special files, and
// (on Linux, where allowed) without updating their access times.
package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/vigie-cti/vigie/sensor"
)

// Lookup matches the values of a file; *sensor.Session is one.
type Lookup interface {
	Lookup(kind sensor.Kind, value []byte) []sensor.Match
	LookupObject(obj map[string]any, at time.Time) ([]sensor.Match, error)
}

// RuleScanner runs YARA rules over a file's content; *yara.Scanner is
// one. Each worker has its own.
type RuleScanner interface {
	Scan(data []byte) ([]sensor.RuleMatch, error)
	Close()
}

// DefaultMaxSize is the size above which files are skipped.
const DefaultMaxSize = 256 << 20

// Scanner scans files on all cores. Its fields are read when Scan starts.
type Scanner struct {
	// NewLookup returns the lookup of one worker, such as
	// (*sensor.Matcher).NewSession. Required.
	NewLookup func() Lookup
	// Objects matches whole file objects (see sensor.Matcher.NeedsObjects)
	// instead of looking each value up.
	Objects bool
	// Hashes are the algorithms to compute.
	Hashes sensor.HashAlgs
	// NewRuleScanner returns a YARA scanner for one worker; nil scans no
	// rules.
	NewRuleScanner func() (RuleScanner, error)
	// RuleIndicator returns the indicator of a YARA namespace.
	RuleIndicator func(namespace string) (*sensor.Indicator, bool)
	// Workers is how many files are read at once; 0 means GOMAXPROCS.
	Workers int
	// MaxSize is the size above which a file is skipped; 0 means
	// DefaultMaxSize.
	MaxSize int64
	// FollowSymlinks follows symbolic links inside the directories walked
	// (each directory is entered once). Paths given to Scan are always
	// followed.
	FollowSymlinks bool
	// Now gives the time of hits; nil is time.Now.
	Now func() time.Time
	// Progress, when set, counts the files and bytes read.
	Progress *sensor.Progress
}

// Summary counts what a scan did.
type Summary struct {
	Files    int   // files read (or whose names were matched)
	Bytes    int64 // bytes read
	Hits     int
	Skipped  int // files not read: too large, special, unreadable
	Symlinks int // symbolic links not followed
}

// Problem reports a file or directory that was skipped or could not be
// read; the scan goes on without it.
type Problem = sensor.FileStatus

// Scan walks roots and calls hit for each hit and problem for each file
// skipped or unreadable. hit and problem are called from one goroutine at
// a time. It returns when every file is done or ctx is cancelled.
func (s *Scanner) Scan(ctx context.Context, roots []string, hit func(sensor.Hit), problem func(Problem)) (Summary, error) {
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var mu sync.Mutex
	var sum Summary
	report := func(p Problem) {
		mu.Lock()
		defer mu.Unlock()
		sum.Skipped++
		if problem != nil {
			problem(p)
		}
	}
	deliver := func(hs []sensor.Hit) {
		mu.Lock()
		defer mu.Unlock()
		sum.Hits += len(hs)
		for _, h := range hs {
			hit(h)
		}
	}
	jobs := make(chan string, 4*workers)
	var wg sync.WaitGroup
	var werr error
	var errOnce sync.Once
	for range workers {
		w, err := s.newWorker()
		if err != nil {
			errOnce.Do(func() { werr = err })
			break
		}
		wg.Go(func() {
			defer w.close()
			for path := range jobs {
				n, size, p := w.scan(path, deliver)
				if p != nil {
					report(*p)
				}
				mu.Lock()
				sum.Files += n
				sum.Bytes += size
				mu.Unlock()
			}
		})
	}
	if werr == nil {
		wk := walker{s: s, ctx: ctx, jobs: jobs, report: report, seen: map[fileID]bool{}}
		for _, r := range roots {
			wk.root(r)
		}
		mu.Lock()
		sum.Symlinks = wk.symlinks
		mu.Unlock()
	}
	close(jobs)
	wg.Wait()
	if werr != nil {
		return sum, werr
	}
	return sum, ctx.Err()
}

// walker finds the files to scan.
type walker struct {
	s        *Scanner
	ctx      context.Context
	jobs     chan<- string
	report   func(Problem)
	seen     map[fileID]bool // directories entered, when following links
	symlinks int
}

// root scans a path given on the command line: followed if a link.
func (wk *walker) root(path string) {
	fi, err := os.Stat(path)
	if err != nil {
		wk.report(problem(path, err))
		return
	}
	if fi.IsDir() {
		wk.dir(path, fi)
		return
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	wk.send(path)
}

func (wk *walker) send(path string) bool {
	select {
	case wk.jobs <- path:
		return true
	case <-wk.ctx.Done():
		return false
	}
}

// dir walks a directory tree.
func (wk *walker) dir(root string, fi fs.FileInfo) {
	if wk.s.FollowSymlinks {
		if id, ok := idOf(fi); ok {
			if wk.seen[id] {
				return
			}
			wk.seen[id] = true
		}
	}
	walkRoot := root
	if real, err := filepath.EvalSymlinks(root); err == nil {
		walkRoot = real
	}
	filepath.WalkDir(walkRoot, func(path string, d fs.DirEntry, err error) error {
		if wk.ctx.Err() != nil {
			return filepath.SkipAll
		}
		if err != nil {
			wk.report(problem(path, err))
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch t := d.Type(); {
		case t.IsDir():
			if path != walkRoot && wk.s.FollowSymlinks {
				if info, err := d.Info(); err == nil {
					if id, ok := idOf(info); ok {
						if wk.seen[id] {
							return filepath.SkipDir
						}
						wk.seen[id] = true
					}
				}
			}
		case t&fs.ModeSymlink != 0:
			if !wk.s.FollowSymlinks {
				wk.symlinks++
				return nil
			}
			target, err := os.Stat(path)
			if err != nil {
				wk.report(problem(path, err))
				return nil
			}
			if target.IsDir() {
				wk.dir(path, target)
				return nil
			}
			if real, err := filepath.EvalSymlinks(path); err == nil {
				wk.send(real)
			}
		case t.IsRegular():
			wk.send(path)
		default:
			wk.report(Problem{Path: path, Skipped: "not a regular file (" + t.String() + ")"})
		}
		return nil
	})
}

func problem(path string, err error) Problem {
	p := Problem{Path: path}
	p.AddError(0, err)
	return p
}

// worker reads files with its own buffer, hashes and YARA scanner.
type worker struct {
	s      *Scanner
	lookup Lookup
	rules  RuleScanner
	hashes *multiHash
	buf    []byte
	now    func() time.Time
	hits   []sensor.Hit
}

func (s *Scanner) newWorker() (*worker, error) {
	w := &worker{s: s, lookup: s.NewLookup(), hashes: newMultiHash(s.Hashes), now: s.Now}
	if w.now == nil {
		w.now = time.Now
	}
	if s.NewRuleScanner != nil {
		rs, err := s.NewRuleScanner()
		if err != nil {
			return nil, err
		}
		w.rules = rs
	}
	return w, nil
}

func (w *worker) close() {
	if w.rules != nil {
		w.rules.Close()
	}
}

// errTooLarge marks a file that grew past the limit while read.
var errTooLarge = errors.New("larger than the size limit")

// scan reads one file and delivers its hits. It returns 1 and the bytes
// read when the file was scanned, or a problem.
func (w *worker) scan(path string, deliver func([]sensor.Hit)) (int, int64, *Problem) {
	w.hits = w.hits[:0]
	name := filepath.Base(path)
	maxSize := w.s.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	needRead := w.s.Hashes != 0 || w.rules != nil
	var size int64
	var data []byte
	if needRead {
		f, err := openRead(path)
		if err != nil {
			p := problem(path, err)
			return 0, 0, &p
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			p := problem(path, err)
			return 0, 0, &p
		}
		if !fi.Mode().IsRegular() {
			return 0, 0, &Problem{Path: path, Skipped: "not a regular file"}
		}
		if fi.Size() > maxSize {
			return 0, 0, &Problem{Path: path, Skipped: fmt.Sprintf("larger than the size limit (%d > %d bytes)", fi.Size(), maxSize)}
		}
		w.hashes.reset()
		if w.rules != nil {
			data, err = w.readAll(f, fi.Size(), maxSize)
			w.hashes.write(data)
			size = int64(len(data))
		} else if mapped, merr := w.hashMapped(f, fi.Size()); mapped {
			size, err = fi.Size(), merr
		} else {
			size, err = w.stream(f, maxSize)
		}
		if w.s.Progress != nil {
			w.s.Progress.Bytes.Add(size)
		}
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return 0, size, &Problem{Path: path, Skipped: fmt.Sprintf("grew larger than the size limit (%d bytes) while read", maxSize)}
			}
			p := problem(path, fmt.Errorf("read: %w", err))
			return 0, size, &p
		}
	}
	if w.s.Progress != nil {
		w.s.Progress.Files.Add(1)
	}
	at := w.now()
	var perr error
	w.add(path, w.lookup.Lookup(sensor.KindFileName, []byte(name)), sensor.KindFileName, name, at)
	w.hashes.each(func(k sensor.Kind, hexDigest []byte) {
		w.add(path, w.lookup.Lookup(k, hexDigest), k, string(hexDigest), at)
	})
	if w.s.Objects {
		perr = w.matchObject(path, name, size, needRead, at)
	}
	if w.rules != nil {
		ms, err := w.rules.Scan(data)
		if err != nil && perr == nil {
			perr = err
		}
		for _, m := range ms {
			if ind, ok := w.s.RuleIndicator(m.Namespace); ok {
				w.hits = append(w.hits, sensor.Hit{Time: at, Source: path,
					Observable: sensor.Observable{Kind: sensor.KindRule, Value: m.Rule}, Indicator: ind})
			}
		}
	}
	if len(w.hits) > 0 {
		deliver(w.hits)
	}
	if perr != nil {
		p := problem(path, perr)
		return 1, size, &p
	}
	return 1, size, nil
}

// add records the matches of one value.
func (w *worker) add(path string, ms []sensor.Match, k sensor.Kind, v string, at time.Time) {
	for _, m := range ms {
		w.hits = append(w.hits, sensor.Hit{Time: at, Source: path, Observable: sensor.Observable{Kind: k, Value: v}, Indicator: m.Indicator})
	}
}

// matchObject matches the file as one STIX file object, for the patterns
// that test more than one of its values; indicators already hit by one
// value are not reported twice.
func (w *worker) matchObject(path, name string, size int64, read bool, at time.Time) error {
	direct := len(w.hits)
	obj := map[string]any{"type": "file", "name": name}
	if read {
		obj["size"] = size
		hashes := map[string]any{}
		w.hashes.each(func(k sensor.Kind, hexDigest []byte) { hashes[stixHashName(k)] = string(hexDigest) })
		if len(hashes) > 0 {
			obj["hashes"] = hashes
		}
	}
	ms, err := w.lookup.LookupObject(obj, at)
next:
	for _, m := range ms {
		for _, h := range w.hits[:direct] {
			if h.Indicator == m.Indicator {
				continue next
			}
		}
		w.hits = append(w.hits, sensor.Hit{Time: at, Source: path, Observable: sensor.Observable{Kind: sensor.KindFile, Value: name}, Indicator: m.Indicator})
	}
	return err
}

// readAll reads a whole file into the worker's buffer.
func (w *worker) readAll(f *os.File, size, maxSize int64) ([]byte, error) {
	want := int(size) + 1 // one more byte to see growth
	if cap(w.buf) < want {
		w.buf = make([]byte, want)
	}
	buf := w.buf[:cap(w.buf)]
	n := 0
	for {
		if n == len(buf) {
			if int64(n) > maxSize {
				return buf[:n], errTooLarge
			}
			nb := make([]byte, min(2*len(buf), int(maxSize)+1))
			copy(nb, buf[:n])
			w.buf, buf = nb, nb
		}
		m, err := f.Read(buf[n:])
		n += m
		if err == io.EOF || (err == nil && m == 0) {
			break
		}
		if err != nil {
			return buf[:n], err
		}
	}
	if int64(n) > maxSize {
		return buf[:n], errTooLarge
	}
	return buf[:n], nil
}

// stream hashes a file through a fixed buffer.
func (w *worker) stream(f *os.File, maxSize int64) (int64, error) {
	if w.buf == nil {
		w.buf = make([]byte, streamBuffer)
	}
	buf := w.buf[:min(len(w.buf), streamBuffer)]
	var total int64
	for {
		n, err := f.Read(buf)
		if n > 0 {
			total += int64(n)
			if total > maxSize {
				return total, errTooLarge
			}
			w.hashes.write(buf[:n])
		}
		if err == io.EOF || (err == nil && n == 0) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// streamBuffer is the read size when hashing: large enough to amortise
// the system calls, small enough to stay in cache between algorithms.
const streamBuffer = 512 << 10
