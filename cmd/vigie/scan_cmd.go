package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/client"
	"github.com/vigie-cti/vigie/sensor/correlate"
	"github.com/vigie-cti/vigie/sensor/files"
	"github.com/vigie-cti/vigie/sensor/logs"
	"github.com/vigie-cti/vigie/sensor/scan"
	"github.com/vigie-cti/vigie/sensor/yara"
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
(--indicators). Revoked and expired indicators are dropped. --hub and --key
default to $VIGIE_HUB and $VIGIE_KEY, as for every command that talks to a
hub; --key-file FILE reads the key from a file ("-": standard input), out of
sight of other users of the machine.

--report posts one STIX sighting per indicator hit (count, first_seen,
last_seen, where_sighted_refs = your organisation, as GET /api/v1/whoami says)
to --report-collection, by default the first --collection your key may write
(or the first writable collection of the API root). A sighting is marked with
--report-tlp, or with its indicator's TLP when that is more restrictive.
Sightings are posted when the scan ends; with --follow, every --report-every
(1m by default) for the hits of that period, and when interrupted; with
--report-every 0, the first hit of each indicator in a minute is posted at
once (the first sighting of a fresh indicator warns the coalition within a
second) and its other hits at the minute's end. A report that fails is
retried with the next one.

Patterns over several events (FOLLOWEDBY, REPEATS ... TIMES, WITHIN n
SECONDS, AND/OR of observation expressions) are matched across the lines of
the logs read, each line an observation at its own time, also across files:
for each such pattern the scan keeps the lines that could take part, for the
pattern's own WITHIN or else --window (1h), at most --window-events of them
(1,000, about 2.5 MB). A match is reported once, at its latest line, with
every line that took part; those lines are then spent.

Output: an aligned table, or --json for one JSON object per hit (time,
source, line, observable, indicator_id, indicator_name, tlp, and for a
pattern over several events, events: each line that took part). A progress
line is shown on a terminal. Exit status: 0 no hit, 1 hits, 2 error. Files
that cannot be read are reported on stderr and skipped; they do not change
the exit status.

YARA: %s

Examples:
  vigie scan files --hub https://hub.example:8443 --key-file ~/.vigie-key --fingerprint AB:CD:... /srv/share
  vigie scan logs --indicators flame.json --json /var/log/zeek/current/*.log
  zcat eve.json.gz | vigie scan logs --indicators iocs.json --format eve -
  VIGIE_HUB=https://hub.example:8443 VIGIE_KEY=$KEY vigie scan logs --collection $C --report --follow /var/log/suricata/eve.json`

// scanMain is one run of "vigie scan": ParseFlags, then Run. It
// translates the flags into a scan.Config; package sensor/scan does the
// work.
type scanMain struct {
	stdio Stdio
	mode  string // "files" or "logs"
	now   func() time.Time

	hub                 hubFlags
	Root                string
	Collections         listFlag
	IndicatorFiles      listFlag
	CacheDir            string
	JSON, Quiet         bool
	Report              bool
	ReportCollection    string
	ReportTLP           string
	ReportEvery         time.Duration
	Window              time.Duration
	WindowEvents        int
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
	m.hub.register(fs)
	fs.StringVar(&m.Root, "root", "", "TAXII API root (default: the hub's default root)")
	fs.Var(&m.Collections, "collection", "collection id to pull indicators from (repeatable; default: every readable collection of the root)")
	fs.Var(&m.IndicatorFiles, "indicators", "STIX file of indicators: a bundle, a JSON array or one object per line (repeatable)")
	fs.StringVar(&m.CacheDir, "cache", "", "indicator cache directory (default $XDG_CACHE_HOME/vigie)")
	fs.BoolVar(&m.JSON, "json", false, "write one JSON object per hit")
	fs.BoolVar(&m.Quiet, "quiet", false, "print no progress line, warnings or summary on stderr")
	fs.BoolVar(&m.Report, "report", false, "post one sighting per indicator hit to the hub")
	fs.StringVar(&m.ReportCollection, "report-collection", "", "collection to post sightings to (default: the first writable --collection)")
	fs.StringVar(&m.ReportTLP, "report-tlp", "AMBER", "TLP marking of sightings (the indicator's when more restrictive)")
	fs.DurationVar(&m.ReportEvery, "report-every", time.Minute, "logs with --follow: post the sightings of each period this long (0: post each indicator's first hit of the minute at once, the rest each minute)")
	fs.IntVar(&m.Workers, "workers", 0, "parallel workers (default: all cores)")
	fs.BoolVar(&m.ExactDomains, "exact-domains", false, "do not match a domain's parent domains")
	m.MaxSize = files.DefaultMaxSize
	fs.Var(&m.MaxSize, "max-size", "files: skip files larger than this (bytes, or with K, M, G)")
	fs.BoolVar(&m.FollowSymlinks, "follow-symlinks", false, "files: follow symbolic links inside directories")
	fs.StringVar(&m.Format, "format", "", "logs: "+formatNames()+" (default: detected per file)")
	fs.BoolVar(&m.Follow, "follow", false, "logs: keep reading the files as they grow, until interrupted")
	m.MaxLine = logs.DefaultMaxLine
	fs.Var(&m.MaxLine, "max-line", "logs: longest line read; longer lines are reported and skipped")
	fs.DurationVar(&m.Window, "window", correlate.DefaultWindow, "logs: how long lines are kept for a pattern over several events that has no WITHIN of its own")
	fs.IntVar(&m.WindowEvents, "window-events", correlate.DefaultMaxEvents, "logs: most lines kept per pattern over several events (the oldest are dropped)")
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
	if m.hub.KeyFile == "-" && m.mode == "logs" && slices.Contains(m.paths, "-") {
		return errors.New("--key-file - and the log - would both read standard input")
	}
	if err := m.hub.resolve(m.stdio.In); err != nil {
		return err
	}
	switch {
	case len(m.paths) == 0:
		return fmt.Errorf("scan %s: give at least one path", m.mode)
	case m.hub.URL == "" && len(m.IndicatorFiles) == 0:
		return errors.New("no indicators: give --hub URL --key KEY, or --indicators FILE, or both")
	case m.hub.URL != "" && m.hub.Key == "":
		return errors.New("--hub needs --key (or --key-file, or $VIGIE_KEY)")
	case m.Report && m.hub.URL == "":
		return errors.New("--report needs --hub")
	case m.ReportEvery < 0:
		return errors.New("--report-every must not be negative")
	case m.Window <= 0 || m.WindowEvents <= 0:
		return errors.New("--window and --window-events must be positive")
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

// Run scans as the flags say; the exit status is 1 when there were hits.
func (m *scanMain) Run(ctx context.Context) error {
	tlp, _ := vigie.ParseTLP(m.ReportTLP)
	cfg := scan.Config{
		Mode:             scan.Mode(m.mode),
		Paths:            m.paths,
		IndicatorFiles:   m.IndicatorFiles,
		Report:           m.Report,
		ReportCollection: m.ReportCollection,
		ReportTLP:        tlp,
		ReportEvery:      m.ReportEvery,
		ReportTimeout:    m.httpClientTimeout,
		Workers:          m.Workers,
		ExactDomains:     m.ExactDomains,
		MaxSize:          int64(m.MaxSize),
		FollowSymlinks:   m.FollowSymlinks,
		MaxLine:          int(m.MaxLine),
		Follow:           m.Follow,
		Correlation:      correlate.Options{Window: m.Window, MaxEvents: m.WindowEvents},
		In:               m.stdio.In,
		Out:              m.stdio.Out,
		Err:              m.stdio.Err,
		Prefix:           "vigie scan: ",
		JSON:             m.JSON,
		Quiet:            m.Quiet,
		Progress:         m.progressOnTerminals && isTerminal(m.stdio.Err),
		ProgressEvery:    m.progressInterval,
		Now:              m.now,
	}
	if m.Format != "" {
		cfg.Format, _ = logs.FormatByName(m.Format)
	}
	if m.hub.URL != "" {
		hc, err := client.NewHTTPClient(m.hub.URL, m.hub.TLS, m.httpClientTimeout)
		if err != nil {
			return err
		}
		cfg.Hub = &scan.Hub{URL: m.hub.URL, Key: m.hub.Key, HTTP: hc, Root: m.Root, Collections: m.Collections, CacheDir: m.CacheDir}
	}
	res, err := scan.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if res.Hits > 0 {
		return &exitError{Code: 1}
	}
	return nil
}
