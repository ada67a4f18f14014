package scan

import (
	"context"
	"sync"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/correlate"
	"github.com/vigie-cti/vigie/sensor/files"
	"github.com/vigie-cti/vigie/sensor/logs"
	"github.com/vigie-cti/vigie/sensor/output"
	"github.com/vigie-cti/vigie/sensor/yara"
)

// compileYARA compiles the YARA indicators for a file scan.
func (r *run) compileYARA() error {
	inds := r.matcher.YARA()
	if len(inds) == 0 {
		return nil
	}
	if r.Mode != Files {
		r.info("%d YARA indicators apply to files only; not used on logs", len(inds))
		return nil
	}
	if !yara.Available {
		r.warn("%d YARA indicators skipped: %v", len(inds), yara.ErrUnavailable)
		return nil
	}
	srcs := make([]yara.Source, len(inds))
	for i, ind := range inds {
		srcs[i] = yara.Source{Namespace: ind.ID, Text: ind.Pattern}
	}
	rules, bad, err := yara.Compile(srcs)
	if err != nil {
		return err
	}
	for _, e := range bad {
		ind, _ := r.matcher.Indicator(e.Namespace)
		r.warn("refused %s: yara: line %d: %s", describe(e.Namespace, ind.Name), e.Line, e.Message)
	}
	r.rules = rules
	return nil
}

func (r *run) scanFiles(ctx context.Context, out output.Writer, progress *sensor.Progress) (files.Summary, error) {
	s := &files.Scanner{
		NewLookup:      func() files.Lookup { return r.matcher.NewSession() },
		Objects:        r.matcher.NeedsObjects(),
		Hashes:         r.matcher.Hashes(),
		RuleIndicator:  r.matcher.Indicator,
		Workers:        r.Workers,
		MaxSize:        r.MaxSize,
		FollowSymlinks: r.FollowSymlinks,
		Now:            r.Now,
		Progress:       progress,
	}
	if r.rules != nil {
		s.NewRuleScanner = func() (files.RuleScanner, error) { return r.rules.NewScanner(0) }
	}
	return s.Scan(ctx, r.Paths, func(h sensor.Hit) { r.record(out, h) }, func(p files.Problem) {
		switch {
		case p.Skipped != "":
			r.warn("%s: skipped: %s", p.Path, p.Skipped)
		default:
			for _, e := range p.Errors {
				r.warn("%s: %v", p.Path, e)
			}
		}
	})
}

func (r *run) scanLogs(ctx context.Context, out output.Writer, progress *sensor.Progress) (files.Summary, error) {
	s := &logs.Scanner{
		NewLookup: func() logs.Lookup { return r.matcher.NewSession() },
		Workers:   r.Workers,
		MaxLine:   r.MaxLine,
		Now:       r.Now,
		Progress:  progress,
		Follow:    r.Follow,
		Format:    r.Format,
	}
	if multi := r.matcher.Correlated(); len(multi) > 0 {
		s.Correlate = correlate.New(multi, r.Correlation)
	}
	paths, err := logs.ExpandPaths(r.Paths, func(path string, err error) { r.warn("%s: %v", path, err) })
	if err != nil {
		return files.Summary{}, err
	}
	var sum files.Summary
	var mu sync.Mutex
	scanOne := func(path string) {
		st := s.ScanFile(ctx, path, r.In, func(h sensor.Hit) { r.record(out, h) })
		mu.Lock()
		defer mu.Unlock()
		r.reportStatus(st)
		if st.Skipped != "" || st.Failed() {
			sum.Skipped++
			return
		}
		sum.Files++
		sum.Bytes += st.Bytes
		sum.Hits += st.Hits
	}
	if r.Follow {
		// Followed files never end: each is read by its own goroutine.
		var wg sync.WaitGroup
		for _, p := range paths {
			wg.Go(func() { scanOne(p) })
		}
		wg.Wait()
		return sum, ctx.Err()
	}
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		scanOne(p)
	}
	return sum, ctx.Err()
}

// reportStatus prints the problems of one log.
func (r *run) reportStatus(st sensor.FileStatus) {
	if st.Skipped != "" {
		r.warn("%s: skipped: %s", st.Path, st.Skipped)
		return
	}
	for _, e := range st.Errors {
		if e.Line > 0 {
			r.warn("%s:%d: %v", st.Path, e.Line, e.Err)
		} else {
			r.warn("%s: %v", st.Path, e.Err)
		}
	}
	if more := st.ErrorCount - len(st.Errors); more > 0 {
		r.warn("%s: %d more problems not shown", st.Path, more)
	}
}
