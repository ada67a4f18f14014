package advisory

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// LoadOptions bounds Load and can narrow what it decodes. Zero fields take
// the defaults.
type LoadOptions struct {
	// MaxRecordBytes bounds one JSON document (an OSV record, a CSAF
	// document), on disk or uncompressed from a zip; default 32 MiB.
	MaxRecordBytes int64
	// MaxTotalBytes bounds everything one Load reads, uncompressed;
	// default 8 GiB. It stops zip bombs.
	MaxTotalBytes int64
	// MaxEntries bounds the files of a directory tree and the entries of
	// each zip; default 2,000,000.
	MaxEntries int
	// Wants, when set, is asked about the packages an OSV record names
	// before the record is decoded; a record that names none it wants is
	// skipped unread and counted in Batch.Skipped. It must be safe for
	// concurrent use. CSAF documents are always decoded.
	Wants func(ecosystem, name string) bool
	// Workers is the number of documents decoded in parallel; default
	// GOMAXPROCS.
	Workers int
	// Progress, when set, is called now and then with the number of
	// documents seen so far, from one goroutine at a time.
	Progress func(seen int)
	// IndexDir, when set together with Wants, keeps there an index of the
	// packages each zip entry names, one file per zip (named after the
	// zip's path, size and modification time). The first Load of a zip
	// writes it; later ones inflate only the entries that name wanted
	// packages, which makes checking an SBOM against OSV's all.zip files
	// fast.
	IndexDir string
}

// The default limits of Load.
const (
	DefaultMaxRecordBytes = 32 << 20
	DefaultMaxTotalBytes  = 8 << 30
	DefaultMaxEntries     = 2_000_000
)

func (o LoadOptions) withDefaults() LoadOptions {
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.MaxTotalBytes <= 0 {
		o.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// Batch is what a Load read: the advisories, in the order of their files and
// zip entries, and an error for each document that could not be read.
type Batch struct {
	Advisories []Advisory
	Errors     []RecordError
	Documents  int // documents seen (files and zip entries holding JSON)
	Skipped    int // OSV records skipped unread by LoadOptions.Wants
	// Warnings lists problems that did not affect what was read, such as
	// an index that could not be saved.
	Warnings []string
}

// RecordError is the error of one document or record.
type RecordError struct {
	Origin string // file path, or "archive.zip!entry.json"
	Err    error
}

// Error returns the origin and the error.
func (e RecordError) Error() string { return e.Origin + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e RecordError) Unwrap() error { return e.Err }

// Parse reads one JSON document: a CSAF 2.0 document when it has
// document.csaf_version, an OSV record otherwise.
func Parse(data []byte) (Advisory, error) {
	if isCSAF(data) {
		a, err := ParseCSAF(data)
		if err == nil || !errors.Is(err, errNoCSAFVersion) {
			return a, err
		}
		// "csaf_version" was only text in another document.
	}
	return ParseOSV(data)
}

func isCSAF(data []byte) bool { return bytes.Contains(data, []byte(`"csaf_version"`)) }

// Load reads advisories from path: an OSV or CSAF JSON file, a zip of them
// (such as OSV's per-ecosystem all.zip), or a directory tree holding JSON
// files and zips. Documents that cannot be read are reported in
// Batch.Errors and the others are still read; Load itself fails only when
// path cannot be read at all or ctx is done.
func Load(ctx context.Context, path string, opts LoadOptions) (*Batch, error) {
	opts = opts.withDefaults()
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("advisories: %w", err)
	}
	l := &loader{opts: opts, jobs: make(chan job, 4*opts.Workers)}
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.work(ctx)
		}()
	}
	var walkErr error
	switch {
	case st.IsDir():
		walkErr = l.walkDir(ctx, path)
	case strings.EqualFold(filepath.Ext(path), ".zip"):
		l.walkZip(ctx, path)
	default:
		l.submit(ctx, path, fileOpener(path, st.Size(), opts.MaxRecordBytes))
	}
	close(l.jobs)
	wg.Wait()
	for _, c := range l.closers {
		c.Close()
	}
	if ctx.Err() == nil {
		for _, ix := range l.indexes {
			if err := ix.save(); err != nil {
				l.warnings = append(l.warnings, err.Error())
			}
		}
	}
	if walkErr != nil {
		return nil, walkErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return l.batch(), nil
}

type job struct {
	seq    int
	origin string
	open   func() ([]byte, error)
	// raw, when set, is the entry of a zip held in memory, read in place
	// of open.
	raw *rawEntry
	// index, when set, records the packages of this zip entry (name).
	index *zipIndex
	name  string
}

type result struct {
	seq     int
	origin  string
	adv     Advisory
	err     error
	skipped bool
}

type loader struct {
	opts    LoadOptions
	jobs    chan job
	seq     int
	total   atomic.Int64
	mu      sync.Mutex
	results []result
	fails   []RecordError // errors of whole zips and walks, outside any job
	seen    int
	closers []io.Closer
	indexes []*zipIndex // indexes being recorded
	// indexed counts the entries an index let Load skip unread, skipped
	// those Wants did; neither is kept in results.
	indexed, skipped int
	warnings         []string
}

func (l *loader) submit(ctx context.Context, origin string, open func() ([]byte, error)) {
	l.submitJob(ctx, job{origin: origin, open: open})
}

func (l *loader) submitJob(ctx context.Context, j job) {
	l.seq++
	j.seq = l.seq
	select {
	case l.jobs <- j:
	case <-ctx.Done():
	}
}

func (l *loader) work(ctx context.Context) {
	var in inflater
	for j := range l.jobs {
		if ctx.Err() != nil {
			continue
		}
		r := l.read(&in, j)
		l.mu.Lock()
		if r.skipped {
			l.skipped++
		} else {
			l.results = append(l.results, r)
		}
		l.seen++
		if l.opts.Progress != nil && l.seen%1000 == 0 {
			l.opts.Progress(l.seen)
		}
		l.mu.Unlock()
	}
}

// read reads, filters and decodes the document of one job.
func (l *loader) read(in *inflater, j job) result {
	r := result{seq: j.seq, origin: j.origin}
	var data []byte
	var err error
	if j.raw != nil {
		if r.err = j.raw.find(); r.err != nil {
			return r
		}
		if r.skipped, r.err = l.skipByPart(in, j); r.skipped || r.err != nil {
			return r
		}
		data, err = in.whole(j.raw, l.opts.MaxRecordBytes)
	} else {
		data, err = j.open()
	}
	switch {
	case err != nil:
		r.err = err
	case l.total.Add(int64(len(data))) > l.opts.MaxTotalBytes:
		r.err = l.tooMuch()
	case j.index != nil && !j.index.recordAndWant(j.name, data, l.opts.Wants):
		r.skipped = true
	case j.index == nil && l.opts.Wants != nil && !isCSAF(data) && !l.wanted(data):
		r.skipped = true
	default:
		r.adv, r.err = Parse(data)
		r.adv.Origin = j.origin
	}
	return r
}

func (l *loader) tooMuch() error {
	return fmt.Errorf("%w: more than %d bytes read in all", ErrTooLarge, l.opts.MaxTotalBytes)
}

// skipByPart inflates the first part of a zip entry and reports whether
// the packages of its "affected" array, found there, are all unwanted (see
// zipentry.go). When it cannot tell, the entry is read whole.
func (l *loader) skipByPart(in *inflater, j job) (skip bool, err error) {
	if l.opts.Wants == nil {
		return false, nil
	}
	part, share := in.part(j.raw, l.opts.MaxRecordBytes)
	if part == nil {
		return false, nil
	}
	if l.total.Add(int64(len(part))) > l.opts.MaxTotalBytes {
		return false, l.tooMuch()
	}
	end, ok := affectedEnd(part)
	j.raw.part.note(share, !ok)
	if !ok {
		return false, nil
	}
	pkgs := packagesOf(part[:end])
	if pkgs == nil || namesWanted(pkgs, l.opts.Wants) {
		return false, nil
	}
	if j.index != nil {
		j.index.record(j.name, pkgs)
	}
	return true, nil
}

// wanted reports whether an OSV record names a package the caller wants, or
// may (when its packages cannot be found without decoding it).
func (l *loader) wanted(data []byte) bool {
	want, ok := scanPackages(data, l.opts.Wants)
	return want || !ok
}

func (l *loader) fail(origin string, err error) {
	l.mu.Lock()
	l.fails = append(l.fails, RecordError{Origin: origin, Err: err})
	l.mu.Unlock()
}

func (l *loader) walkDir(ctx context.Context, root string) error {
	entries := 0
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root {
				return fmt.Errorf("advisories: %w", err)
			}
			l.fail(path, err)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() {
			return nil
		}
		ext := strings.ToLower(filepath.Ext(path))
		if ext != ".json" && ext != ".zip" {
			return nil
		}
		entries++
		if entries > l.opts.MaxEntries {
			l.fail(root, fmt.Errorf("%w: more than %d files", ErrTooLarge, l.opts.MaxEntries))
			return filepath.SkipAll
		}
		if ext == ".zip" {
			l.walkZip(ctx, path)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			l.fail(path, err)
			return nil
		}
		l.submit(ctx, path, fileOpener(path, info.Size(), l.opts.MaxRecordBytes))
		return nil
	})
}

func fileOpener(path string, size, max int64) func() ([]byte, error) {
	return func() ([]byte, error) {
		if size > max {
			return nil, fmt.Errorf("%w: %d bytes, the limit for one document is %d", ErrTooLarge, size, max)
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readLimited(f, max)
	}
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: over %d bytes, the limit for one document", ErrTooLarge, max)
	}
	return data, nil
}

// walkZip submits the JSON entries of a zip. The zip stays open until the
// workers are done; entries are read through a limit whatever their headers
// say.
func (l *loader) walkZip(ctx context.Context, path string) {
	// With an index, few entries are read: the zip stays on disk.
	// Without, it is read into memory whole.
	inMemory := true
	if l.opts.Wants != nil && l.opts.IndexDir != "" {
		if st, err := os.Stat(path); err == nil {
			if _, err := os.Stat(indexPath(l.opts.IndexDir, path, st)); err == nil {
				inMemory = false
			}
		}
	}
	zr, data, st, closer, err := openZip(path, inMemory)
	if err != nil {
		l.fail(path, err)
		return
	}
	if len(zr.File) > l.opts.MaxEntries {
		closer.Close()
		l.fail(path, fmt.Errorf("%w: %d zip entries, the limit is %d", ErrTooLarge, len(zr.File), l.opts.MaxEntries))
		return
	}
	l.mu.Lock()
	l.closers = append(l.closers, closer)
	l.mu.Unlock()
	var jsonFiles []*zip.File
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		origin := path + "!" + f.Name
		switch strings.ToLower(filepath.Ext(f.Name)) {
		case ".json":
			jsonFiles = append(jsonFiles, f)
		case ".zip":
			l.fail(origin, fmt.Errorf("%w: nested zip not read", ErrUnsupported))
		}
	}
	var idx *zipIndex
	if l.opts.Wants != nil && l.opts.IndexDir != "" {
		names := make([]string, len(jsonFiles))
		for i, f := range jsonFiles {
			names[i] = f.Name
		}
		idx = loadZipIndex(indexPath(l.opts.IndexDir, path, st), names)
		if idx.recording {
			l.indexes = append(l.indexes, idx)
		}
	}
	part := newPartShare()
	for i, f := range jsonFiles {
		if idx != nil && !idx.recording && !idx.wanted(i, l.opts.Wants) {
			l.mu.Lock()
			l.indexed++
			l.mu.Unlock()
			continue
		}
		j := job{origin: path + "!" + f.Name, open: l.zipEntryOpener(f)}
		if data != nil && f.UncompressedSize64 <= uint64(l.opts.MaxRecordBytes) {
			j.raw = newRawEntry(data, f, part)
		}
		if idx != nil && idx.recording {
			j.index, j.name = idx, f.Name
		}
		l.submitJob(ctx, j)
	}
}

func (l *loader) zipEntryOpener(f *zip.File) func() ([]byte, error) {
	return func() ([]byte, error) {
		if f.UncompressedSize64 > uint64(l.opts.MaxRecordBytes) {
			return nil, fmt.Errorf("%w: %d bytes uncompressed, the limit for one document is %d",
				ErrTooLarge, f.UncompressedSize64, l.opts.MaxRecordBytes)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: zip entry: %w", ErrMalformed, err)
		}
		defer rc.Close()
		data, err := readLimited(rc, l.opts.MaxRecordBytes)
		if err != nil && !errors.Is(err, ErrTooLarge) {
			err = fmt.Errorf("%w: zip entry: %w", ErrMalformed, err)
		}
		return data, err
	}
}

// maxZipInMemory is the largest zip read into memory whole; reading it at
// once saves a system call or two per entry (OSV's all.zip files hold tens
// of thousands of small entries).
const maxZipInMemory = 1 << 30

// openZip opens a zip, read into memory when asked and not too large; data
// holds it then.
func openZip(path string, inMemory bool) (zr *zip.Reader, data []byte, st os.FileInfo, closer io.Closer, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	st, err = f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, nil, nil, err
	}
	var ra io.ReaderAt = f
	closer = f
	if inMemory && st.Size() <= maxZipInMemory {
		data = make([]byte, st.Size())
		_, err := io.ReadFull(f, data)
		f.Close()
		if err != nil {
			return nil, nil, nil, nil, err
		}
		ra, closer = bytes.NewReader(data), io.NopCloser(nil)
	}
	zr, err = zip.NewReader(ra, st.Size())
	if err != nil {
		closer.Close()
		return nil, nil, nil, nil, fmt.Errorf("%w: zip: %w", ErrMalformed, err)
	}
	return zr, data, st, closer, nil
}

// batch orders the results as the files and entries were found.
func (l *loader) batch() *Batch {
	sort.Slice(l.results, func(i, j int) bool { return l.results[i].seq < l.results[j].seq })
	b := &Batch{Documents: len(l.results) + l.indexed + l.skipped, Skipped: l.indexed + l.skipped, Errors: l.fails, Warnings: l.warnings}
	for _, r := range l.results {
		switch {
		case r.err != nil:
			b.Errors = append(b.Errors, RecordError{Origin: r.origin, Err: r.err})
		default:
			b.Advisories = append(b.Advisories, r.adv)
		}
	}
	return b
}
