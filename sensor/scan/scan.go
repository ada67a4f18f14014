// Package scan is the sensor's application: one run of "vigie scan". It
// loads the indicators (STIX files, and the collections of a hub through
// the local cache), matches files or logs against them, writes the hits,
// and reports sightings back to the hub, period by period while logs are
// followed. The command line only translates its flags into a Config.
package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/correlate"
	"github.com/vigie-cti/vigie/sensor/files"
	"github.com/vigie-cti/vigie/sensor/logs"
	"github.com/vigie-cti/vigie/sensor/output"
	"github.com/vigie-cti/vigie/sensor/yara"
)

// Mode is what a scan reads.
type Mode string

// The modes of a scan.
const (
	Files Mode = "files" // files and directories: hashes, names, YARA rules
	Logs  Mode = "logs"  // log files, "-" for standard input
)

// LivePeriod is the period of live reporting (ReportEvery 0): an
// indicator's first hit in it is posted at once, its other hits when it
// ends.
const LivePeriod = time.Minute

// Hub is the hub a scan pulls indicators from and reports sightings to.
type Hub struct {
	// URL is the hub's base URL, such as https://hub.example:8443.
	URL string
	// Key is the API key; it also names the indicator cache.
	Key string
	// HTTP is the hub's HTTP client (client.NewHTTPClient: its TLS trust
	// and a timeout per request).
	HTTP *http.Client
	// Root is the TAXII API root; "" asks the hub's discovery.
	Root string
	// Collections are the collections to pull indicators from; none
	// means every collection of Root the key may read.
	Collections []string
	// CacheDir is the indicator cache; "" is feed.DefaultDir.
	CacheDir string
}

// Config is one scan.
type Config struct {
	Mode  Mode
	Paths []string
	// IndicatorFiles are STIX files of indicators: bundles, JSON arrays
	// or one object per line.
	IndicatorFiles []string
	// Hub, when not nil, adds the indicators of its collections.
	Hub *Hub

	// Report posts one sighting per indicator hit to the hub (Hub is
	// then required): when the scan ends, and every ReportEvery while
	// logs are followed; with ReportEvery 0, the first hit of each
	// indicator in a LivePeriod is posted at once, the rest at the
	// period's end.
	Report           bool
	ReportCollection string    // "" for the first of Hub.Collections the key may write
	ReportTLP        vigie.TLP // the least restrictive marking of a sighting
	ReportEvery      time.Duration
	ReportTimeout    time.Duration // per report; 0 is two minutes

	Workers        int  // 0: all cores
	ExactDomains   bool // do not match a domain's parent domains
	MaxSize        int64
	FollowSymlinks bool
	Format         logs.Format // nil: detected per log
	MaxLine        int
	Follow         bool // logs: read on as they grow, until ctx ends
	// Correlation bounds the state of the patterns over several events
	// (logs only).
	Correlation correlate.Options

	// In is standard input, for the log "-"; Out gets the hits (a table,
	// or JSON lines with JSON); Err gets warnings and the summary, each
	// line starting with Prefix, unless Quiet.
	In       io.Reader
	Out, Err io.Writer
	Prefix   string
	JSON     bool
	Quiet    bool
	// Progress shows a progress line on Err (a terminal), redrawn every
	// ProgressEvery.
	Progress      bool
	ProgressEvery time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Result is what a scan found.
type Result struct {
	Hits       int64 // indicator hits
	Indicators int   // distinct indicators hit
	Summary    files.Summary
}

// run is the state of one scan.
type run struct {
	Config
	hub      *hubLink // nil without a hub
	matcher  *sensor.Matcher
	rules    *yara.Rules
	reports  *Reporter
	hits     atomic.Int64
	progress *output.ProgressLine // nil when not shown
}

// Run loads the indicators, scans, writes the hits and reports the
// sightings. It returns when the scan is done or, following logs, when
// ctx ends. An error before the scan started means nothing was scanned.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ReportTimeout <= 0 {
		cfg.ReportTimeout = 2 * time.Minute
	}
	if cfg.Report && cfg.Hub == nil {
		return Result{}, errors.New("a report needs a hub")
	}
	r := &run{Config: cfg}
	r.reports = NewReporter(r.send)
	start := r.Now()
	set := sensor.NewSet()
	if err := r.loadIndicators(ctx, set); err != nil {
		return Result{}, err
	}
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	active, revoked, expired := set.Active(start)
	if len(active) == 0 {
		return Result{}, fmt.Errorf("no active indicators (%d read, %d revoked, %d expired)", set.Len(), revoked, expired)
	}
	matcher, ierrs := sensor.NewMatcher(active, sensor.MatcherOptions{Now: start, ExactDomains: r.ExactDomains})
	for _, e := range ierrs {
		r.warn("refused %s: %v", describe(e.ID, e.Name), e.Err)
	}
	r.matcher = matcher
	if err := r.compileYARA(); err != nil {
		return Result{}, err
	}
	if r.rules != nil {
		defer r.rules.Destroy()
	}
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	st := matcher.Stats()
	r.info("indicators: %d active (%d revoked and %d expired dropped): %d STIX patterns (%d matched across log lines), %d YARA rules, %d of other pattern types unused; ready in %s",
		len(active), revoked, expired, st.STIX, st.Correlated, st.YARA, st.Unsupported, r.Now().Sub(start).Round(time.Millisecond))
	if r.Report {
		if err := r.hub.prepareReport(ctx, r.ReportCollection); err != nil {
			return Result{}, err
		}
	}
	res, err := r.scan(ctx)
	if err != nil {
		return res, err
	}
	if r.Report && r.reports.Pending() > 0 {
		if _, err := r.reports.Flush(ctx); err != nil {
			return res, err
		}
	}
	return res, nil
}

// scan reads the paths, writes the hits and prints the summary.
func (r *run) scan(ctx context.Context) (Result, error) {
	out := output.NewTable(r.Out, 1000)
	if r.JSON {
		out = output.NewJSON(r.Out)
	}
	progress := &sensor.Progress{}
	if r.Progress && !r.Quiet && !r.Follow {
		r.progress = output.StartProgress(r.Err, progress, &r.hits, r.ProgressEvery, r.Now)
		out = r.progress.Around(out)
	}
	if r.Follow {
		out = flushEach{out}
	}
	start := r.Now()
	stopReports := func() {}
	if r.Report && r.Follow {
		failed := func(err error, retried bool) {
			if retried {
				r.warn("report: %v (retried with the next report)", err)
			} else {
				r.warn("report: %v", err)
			}
		}
		if r.ReportEvery > 0 {
			stopReports = r.reports.Every(ctx, r.ReportEvery, failed)
		} else {
			stopReports = r.reports.Live(ctx, LivePeriod, failed)
		}
	}
	var sum files.Summary
	var err error
	if r.Mode == Files {
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
	elapsed := r.Now().Sub(start)
	res := Result{Hits: r.hits.Load(), Indicators: r.reports.Indicators(), Summary: sum}
	r.info("scanned %d %s (%s) in %s (%s/s): %d hits on %d indicators; %d skipped or unreadable",
		sum.Files, plural(sum.Files, "file"), output.Bytes(sum.Bytes), elapsed.Round(time.Millisecond),
		output.Bytes(int64(float64(sum.Bytes)/max(elapsed.Seconds(), 1e-9))), res.Hits, res.Indicators, sum.Skipped)
	if err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	return res, nil
}

// record counts a hit for the summary and the sightings, and writes it.
func (r *run) record(out output.Writer, h sensor.Hit) {
	r.reports.Add(h)
	r.hits.Add(1)
	if err := out.Hit(h); err != nil {
		r.warn("write: %v", err)
	}
}

// send posts one period's sightings, even after an interrupted scan, and
// returns how many the hub took.
func (r *run) send(ctx context.Context, s *sensor.Sightings) (int, error) {
	objs, err := s.Objects(sensor.SightingOptions{OrgID: r.hub.org.OrgID, Now: r.Now(), TLP: r.ReportTLP})
	if err != nil {
		return 0, err
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.ReportTimeout)
	defer cancel()
	n, err := r.hub.post(pctx, objs)
	r.info("reported %d of %d sightings to collection %s", n, len(objs), r.hub.report.ID)
	return n, err
}

// flushEach flushes after every hit (live output with --follow).
type flushEach struct{ output.Writer }

func (f flushEach) Hit(h sensor.Hit) error {
	if err := f.Writer.Hit(h); err != nil {
		return err
	}
	return f.Writer.Flush()
}

// warn prints a problem on Err unless Quiet, erasing the progress line
// first.
func (r *run) warn(format string, args ...any) {
	if r.Quiet || r.Err == nil {
		return
	}
	print := func() { fmt.Fprintf(r.Err, r.Prefix+format+"\n", args...) }
	if r.progress != nil {
		r.progress.Do(print)
		return
	}
	print()
}

// info prints what the scan does, as warn does.
func (r *run) info(format string, args ...any) { r.warn(format, args...) }

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
