package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/feed"
	"github.com/vigie-cti/vigie/sensor/files"
	"github.com/vigie-cti/vigie/sensor/logs"
	"github.com/vigie-cti/vigie/sensor/output"
	"github.com/vigie-cti/vigie/sensor/yara"
	"github.com/vigie-cti/vigie/taxii"
)

const scanHelp = `Match files or logs against the indicators the coalition shares, on this
machine: nothing is sent anywhere unless --report is given.

  vigie scan files PATH...   hashes (only the algorithms the indicators use,
                             in one read), file names and YARA rules
  vigie scan logs FILE...    Zeek (TSV, JSON), Suricata EVE, CEF, syslog and
                             plain text; "-" reads standard input, .gz is read
                             transparently, a directory means the files under
                             it; --follow tails the files until interrupted

Indicators come from a hub (--hub, --key, --collection: pulled over TAXII 2.1
into $XDG_CACHE_HOME/vigie and refreshed with added_after on every run; if
the hub cannot be reached the cache is used) and/or from STIX files
(--indicators). Revoked and expired indicators are dropped.

--report posts one STIX sighting per indicator hit (count, first_seen,
last_seen, where_sighted_refs = your organisation, as GET /api/v1/whoami says)
to --report-collection, by default the first --collection your key may write
(or the first writable collection of the API root). A sighting is marked with
--report-tlp, or with its indicator's TLP when that is more restrictive.
Sightings are posted when the scan ends; with --follow, every --report-every
(1m by default) for the hits of that period, and when interrupted. A report
that fails is retried with the next one.

Output: an aligned table, or --json for one JSON object per hit (time,
source, line, observable, indicator_id, indicator_name, tlp). A progress
line is shown on a terminal. Exit status: 0 no hit, 1 hits, 2 error. Files
that cannot be read are reported on stderr and skipped; they do not change
the exit status.

YARA: %s

Examples:
  vigie scan files --hub https://hub.example:8443 --key $KEY --fingerprint AB:CD:... /srv/share
  vigie scan logs --indicators flame.json --json /var/log/zeek/current/*.log
  zcat eve.json.gz | vigie scan logs --indicators iocs.json --format eve -
  vigie scan logs --hub $HUB --key $KEY --collection $C --report --follow /var/log/suricata/eve.json`

// scanMain is one run of "vigie scan": ParseFlags, then Run.
type scanMain struct {
	stdio Stdio
	mode  string // "files" or "logs"
	now   func() time.Time

	Hub, Key, Root      string
	Collections         listFlag
	IndicatorFiles      listFlag
	Insecure            bool
	Fingerprint         string
	CacheDir            string
	JSON, Quiet         bool
	Progress            bool
	Report              bool
	ReportCollection    string
	ReportTLP           string
	ReportEvery         time.Duration
	Workers             int
	ExactDomains        bool
	MaxSize, MaxLine    sizeFlag
	FollowSymlinks      bool
	Format              string
	Follow              bool
	paths               []string
	httpClientTimeout   time.Duration
	progressInterval    time.Duration
	progressOnTerminals bool
}

func runScan(ctx context.Context, stdio Stdio, args []string) error {
	m := &scanMain{stdio: stdio, now: time.Now, httpClientTimeout: 2 * time.Minute, progressInterval: 500 * time.Millisecond, progressOnTerminals: true}
	if err := m.ParseFlags(args); err != nil {
		return err
	}
	return m.Run(ctx)
}

// ParseFlags reads "files|logs [flags] PATH...".
func (m *scanMain) ParseFlags(args []string) error {
	yaraState := "built in (libyara " + yara.Version() + ")."
	if !yara.Available {
		yaraState = "not in this build (-tags noyara or no cgo): YARA indicators are skipped."
	}
	fs := newFlagSet(m.stdio, "scan", "vigie scan files|logs [flags] PATH...", fmt.Sprintf(scanHelp, yaraState))
	fs.StringVar(&m.Hub, "hub", "", "hub base URL, e.g. https://hub.example:8443")
	fs.StringVar(&m.Key, "key", "", "API key for --hub (default $VIGIE_KEY)")
	fs.StringVar(&m.Root, "root", "", "TAXII API root (default: the hub's default root)")
	fs.Var(&m.Collections, "collection", "collection id to pull indicators from (repeatable; default: every readable collection of the root)")
	fs.Var(&m.IndicatorFiles, "indicators", "STIX file of indicators: a bundle, a JSON array or one object per line (repeatable)")
	fs.BoolVar(&m.Insecure, "insecure", false, "do not verify the hub's TLS certificate")
	fs.StringVar(&m.Fingerprint, "fingerprint", "", "trust the hub's certificate with this SHA-256 fingerprint (as vigie serve prints it)")
	fs.StringVar(&m.CacheDir, "cache", "", "indicator cache directory (default $XDG_CACHE_HOME/vigie)")
	fs.BoolVar(&m.JSON, "json", false, "write one JSON object per hit")
	fs.BoolVar(&m.Quiet, "quiet", false, "print no progress line, warnings or summary on stderr")
	fs.BoolVar(&m.Report, "report", false, "post one sighting per indicator hit to the hub")
	fs.StringVar(&m.ReportCollection, "report-collection", "", "collection to post sightings to (default: the first writable --collection)")
	fs.StringVar(&m.ReportTLP, "report-tlp", "AMBER", "TLP marking of sightings (the indicator's when more restrictive)")
	fs.DurationVar(&m.ReportEvery, "report-every", time.Minute, "logs with --follow: post the sightings of each period this long (0: only when interrupted)")
	fs.IntVar(&m.Workers, "workers", 0, "parallel workers (default: all cores)")
	fs.BoolVar(&m.ExactDomains, "exact-domains", false, "do not match a domain's parent domains")
	m.MaxSize = files.DefaultMaxSize
	fs.Var(&m.MaxSize, "max-size", "files: skip files larger than this (bytes, or with K, M, G)")
	fs.BoolVar(&m.FollowSymlinks, "follow-symlinks", false, "files: follow symbolic links inside directories")
	fs.StringVar(&m.Format, "format", "", "logs: "+formatNames()+" (default: detected per file)")
	fs.BoolVar(&m.Follow, "follow", false, "logs: keep reading the files as they grow, until interrupted")
	m.MaxLine = logs.DefaultMaxLine
	fs.Var(&m.MaxLine, "max-line", "logs: longest line read; longer lines are reported and skipped")
	if len(args) == 0 || (args[0] != "files" && args[0] != "logs") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fs.Usage()
			return flag.ErrHelp
		}
		fs.Usage()
		return errors.New(`want "vigie scan files PATH..." or "vigie scan logs FILE..."`)
	}
	m.mode = args[0]
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	m.paths = pos
	if m.Key == "" {
		m.Key = os.Getenv("VIGIE_KEY") // not a flag default: --help would show it
	}
	switch {
	case len(m.paths) == 0:
		return fmt.Errorf("scan %s: give at least one path", m.mode)
	case m.Hub == "" && len(m.IndicatorFiles) == 0:
		return errors.New("no indicators: give --hub URL --key KEY, or --indicators FILE, or both")
	case m.Hub != "" && m.Key == "":
		return errors.New("--hub needs --key (or $VIGIE_KEY)")
	case m.Report && m.Hub == "":
		return errors.New("--report needs --hub")
	case m.ReportEvery < 0:
		return errors.New("--report-every must not be negative")
	case m.mode == "files" && (m.Format != "" || m.Follow):
		return errors.New("--format and --follow apply to scan logs")
	}
	if _, err := vigie.ParseTLP(m.ReportTLP); err != nil {
		return fmt.Errorf("--report-tlp: %s", vigie.ErrorMessage(err))
	}
	if m.Format != "" {
		if _, err := logs.FormatByName(m.Format); err != nil {
			return err
		}
	}
	return nil
}

func formatNames() string {
	var names []string
	for _, f := range logs.Formats() {
		names = append(names, f.Name())
	}
	return strings.Join(names, ", ")
}

// scanRun is the state of one run.
type scanRun struct {
	*scanMain
	client    *taxii.Client
	root      string
	report    feed.Collection
	org       *feed.Identity
	matcher   *sensor.Matcher
	rules     *yara.Rules
	sightings *sensor.Sightings
	hits      atomic.Int64
	progress  *output.ProgressLine // nil when not shown
	mu        sync.Mutex
}

// Run loads the indicators, scans, prints and reports.
func (m *scanMain) Run(ctx context.Context) error {
	r := &scanRun{scanMain: m, sightings: sensor.NewSightings()}
	start := m.now()
	set := sensor.NewSet()
	if err := r.loadIndicators(ctx, set); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	active, revoked, expired := set.Active(start)
	if len(active) == 0 {
		return fmt.Errorf("no active indicators (%d read, %d revoked, %d expired)", set.Len(), revoked, expired)
	}
	matcher, ierrs := sensor.NewMatcher(active, sensor.MatcherOptions{Now: start, ExactDomains: m.ExactDomains})
	for _, e := range ierrs {
		r.warn("refused %s: %v", describe(e.ID, e.Name), e.Err)
	}
	r.matcher = matcher
	if err := r.compileYARA(); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	st := matcher.Stats()
	r.info("indicators: %d active (%d revoked and %d expired dropped): %d STIX patterns, %d YARA rules, %d of other pattern types unused; ready in %s",
		len(active), revoked, expired, st.STIX, st.YARA, st.Unsupported, m.now().Sub(start).Round(time.Millisecond))
	if m.Report {
		if err := r.prepareReport(ctx); err != nil {
			return err
		}
	}
	out := output.NewTable(m.stdio.Out, 1000)
	if m.JSON {
		out = output.NewJSON(m.stdio.Out)
	}
	progress := &sensor.Progress{}
	if m.showProgress() {
		r.progress = output.StartProgress(m.stdio.Err, progress, &r.hits, m.progressInterval, m.now)
		out = r.progress.Around(out)
	}
	if m.Follow {
		out = flushEach{out}
	}
	scanStart := m.now()
	stopReports := func() {}
	if m.Report && m.Follow && m.ReportEvery > 0 {
		stopReports = r.reportPeriodically(ctx)
	}
	var sum files.Summary
	var err error
	if m.mode == "files" {
		sum, err = r.scanFiles(ctx, out, progress)
	} else {
		sum, err = r.scanLogs(ctx, out, progress)
	}
	stopReports()
	if ferr := out.Flush(); ferr != nil && err == nil {
		err = fmt.Errorf("write: %w", ferr)
	}
	if r.progress != nil {
		r.progress.Stop()
		r.progress = nil
	}
	elapsed := m.now().Sub(scanStart)
	r.info("scanned %d %s (%s) in %s (%s/s): %d hits on %d indicators; %d skipped or unreadable",
		sum.Files, plural(sum.Files, "file"), output.Bytes(sum.Bytes), elapsed.Round(time.Millisecond),
		output.Bytes(int64(float64(sum.Bytes)/max(elapsed.Seconds(), 1e-9))), r.hits.Load(), r.sightings.Indicators(), sum.Skipped)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if m.Report && r.sightings.Len() > 0 {
		if _, err := r.postSightings(ctx, r.sightings.Take()); err != nil {
			return err
		}
	}
	if r.hits.Load() > 0 {
		return &exitError{Code: 1}
	}
	return nil
}

// flushEach flushes after every hit (live output with --follow).
type flushEach struct{ output.Writer }

func (f flushEach) Hit(h sensor.Hit) error {
	if err := f.Writer.Hit(h); err != nil {
		return err
	}
	return f.Writer.Flush()
}

func (m *scanMain) showProgress() bool {
	if m.Quiet || m.Follow || !m.progressOnTerminals {
		return false
	}
	f, ok := m.stdio.Err.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// warn prints a problem on stderr unless --quiet, erasing the progress
// line first.
func (r *scanRun) warn(format string, args ...any) {
	if r.Quiet {
		return
	}
	print := func() { fmt.Fprintf(r.stdio.Err, "vigie scan: "+format+"\n", args...) }
	if r.progress != nil {
		r.progress.Do(print)
		return
	}
	print()
}

func (r *scanRun) info(format string, args ...any) { r.warn(format, args...) }

func describe(id, name string) string {
	if name == "" {
		return "indicator " + id
	}
	return fmt.Sprintf("indicator %s (%s)", id, name)
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// loadIndicators reads the --indicators files and syncs the hub.
func (r *scanRun) loadIndicators(ctx context.Context, set *sensor.Set) error {
	for _, path := range r.IndicatorFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("--indicators: %w", err)
		}
		for _, e := range set.AddData(data) {
			r.warn("%s: %v", path, e)
		}
	}
	if r.Hub == "" {
		return nil
	}
	hc, err := feed.NewHTTPClient(feed.TLSOptions{Insecure: r.Insecure, Fingerprint: r.Fingerprint}, r.httpClientTimeout)
	if err != nil {
		return err
	}
	if r.client, err = taxii.NewClient(r.Hub, r.Key, hc); err != nil {
		return err
	}
	dir := r.CacheDir
	if dir == "" {
		if dir, err = feed.DefaultDir(); err != nil {
			return err
		}
	}
	cache := &feed.Cache{Dir: dir, Now: r.now}
	r.root = r.Root
	if r.root == "" {
		if r.root, err = feed.DefaultRoot(ctx, r.client); err != nil {
			return fmt.Errorf("hub %s: %w", r.Hub, err)
		}
	}
	cols := r.Collections
	if len(cols) == 0 {
		list, err := r.client.Collections(ctx, r.root)
		if err != nil {
			return fmt.Errorf("hub %s: list collections: %w", r.Hub, err)
		}
		for _, c := range list {
			if c.CanRead {
				cols = append(cols, c.ID)
			}
		}
		if len(cols) == 0 {
			return fmt.Errorf("hub %s: your key may read no collection of API root %s", r.Hub, r.root)
		}
	}
	for _, id := range cols {
		st, errs, err := cache.Sync(ctx, r.client, r.Hub, r.Key, feed.Collection{Root: r.root, ID: id}, set)
		for _, e := range errs {
			r.warn("%v", e)
		}
		if err != nil {
			if st.Cached == 0 {
				return err
			}
			r.warn("%v; using the %d objects cached before", err, st.Cached)
			continue
		}
		r.info("collection %s: %d new objects, %d cached", id, st.Fetched, st.Cached)
	}
	return nil
}

// compileYARA compiles the YARA indicators for a file scan.
func (r *scanRun) compileYARA() error {
	inds := r.matcher.YARA()
	if len(inds) == 0 {
		return nil
	}
	if r.mode != "files" {
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

// record counts a hit for the summary and the sightings, and prints it.
func (r *scanRun) record(out output.Writer, h sensor.Hit) {
	r.mu.Lock()
	r.sightings.Add(h)
	r.mu.Unlock()
	r.hits.Add(1)
	if err := out.Hit(h); err != nil {
		r.warn("write: %v", err)
	}
}

func (r *scanRun) scanFiles(ctx context.Context, out output.Writer, progress *sensor.Progress) (files.Summary, error) {
	s := &files.Scanner{
		NewLookup:      func() files.Lookup { return r.matcher.NewSession() },
		Objects:        r.matcher.NeedsObjects(),
		Hashes:         r.matcher.Hashes(),
		RuleIndicator:  r.matcher.Indicator,
		Workers:        r.Workers,
		MaxSize:        int64(r.MaxSize),
		FollowSymlinks: r.FollowSymlinks,
		Now:            r.now,
		Progress:       progress,
	}
	if r.rules != nil {
		defer r.rules.Destroy()
		s.NewRuleScanner = func() (files.RuleScanner, error) { return r.rules.NewScanner(0) }
	}
	return s.Scan(ctx, r.paths, func(h sensor.Hit) { r.record(out, h) }, func(p files.Problem) {
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

func (r *scanRun) scanLogs(ctx context.Context, out output.Writer, progress *sensor.Progress) (files.Summary, error) {
	s := &logs.Scanner{
		NewLookup: func() logs.Lookup { return r.matcher.NewSession() },
		Workers:   r.Workers,
		MaxLine:   int(r.MaxLine),
		Now:       r.now,
		Progress:  progress,
		Follow:    r.Follow,
	}
	if r.Format != "" {
		s.Format, _ = logs.FormatByName(r.Format)
	}
	paths, err := r.logPaths()
	if err != nil {
		return files.Summary{}, err
	}
	var sum files.Summary
	var mu sync.Mutex
	scanOne := func(path string) {
		st := s.ScanFile(ctx, path, r.stdio.In, func(h sensor.Hit) { r.record(out, h) })
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

// logPaths expands the directories among the paths.
func (r *scanRun) logPaths() ([]string, error) {
	return logs.ExpandPaths(r.paths, func(path string, err error) { r.warn("%s: %v", path, err) })
}

// reportStatus prints the problems of one log.
func (r *scanRun) reportStatus(st sensor.FileStatus) {
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

// prepareReport finds who the key acts for and where sightings go.
func (r *scanRun) prepareReport(ctx context.Context) error {
	hc, err := feed.NewHTTPClient(feed.TLSOptions{Insecure: r.Insecure, Fingerprint: r.Fingerprint}, r.httpClientTimeout)
	if err != nil {
		return err
	}
	if r.org, err = feed.Whoami(ctx, hc, r.Hub, r.Key); err != nil {
		return err
	}
	r.report, err = feed.ReportCollection(ctx, r.client, r.root, r.ReportCollection, r.Collections)
	return err
}

// reportPeriodically posts the sightings of each --report-every period
// while a followed scan runs; a failed report is retried with the next.
// The returned function stops it.
func (r *scanRun) reportPeriodically(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(r.ReportEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			r.mu.Lock()
			batch := r.sightings.Take()
			r.mu.Unlock()
			if batch.Len() == 0 {
				continue
			}
			n, err := r.postSightings(ctx, batch)
			switch {
			case err != nil && n == 0:
				// The hub took none of them (unreachable, say): keep them.
				r.warn("report: %v (retried with the next report)", err)
				r.mu.Lock()
				r.sightings.Restore(batch)
				r.mu.Unlock()
			case err != nil:
				r.warn("report: %v", err)
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// postSightings sends one period's sightings, even after an interrupted
// scan, and returns how many the hub took.
func (r *scanRun) postSightings(ctx context.Context, sightings *sensor.Sightings) (int, error) {
	tlp, _ := vigie.ParseTLP(r.ReportTLP)
	objs, err := sightings.Objects(sensor.SightingOptions{OrgID: r.org.OrgID, Now: r.now(), TLP: tlp})
	if err != nil {
		return 0, err
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.httpClientTimeout)
	defer cancel()
	n, err := feed.Report(pctx, r.client, r.report, objs)
	r.info("reported %d of %d sightings to collection %s", n, len(objs), r.report.ID)
	return n, err
}
