package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

const feedHelp = `Subscribe the hub to remote feeds: every --every, the hub ("vigie serve")
fetches the feed and publishes what changed into a collection, as the
organisation --org, which owns it (and must be able to write the collection).

  --format misp   a MISP feed (URL of the directory holding manifest.json): only
                  events whose manifest timestamp changed are fetched
  --format csv    a CSV or plain-text list: --column N holds the values (1 for
                  one value a line), --type the MISP type of all of them
                  (ip-dst, domain, url, sha256...) or --type-column N each
                  line's; --comment-column N a description; lines starting
                  with # are comments. The list is imported again only when
                  its content changed.

Headers (--header 'Authorization: KEY', repeatable) are sent with each request
and never shown again. "feed run NAME" fetches now; "feed list" shows the last
run and its error.

Examples:
  vigie admin feed add circl --url https://www.circl.lu/doc/misp/feed-osint/ --format misp --into 1f4c... --org CERT-Nord --every 6h
  vigie admin feed add feodo --url https://feodotracker.abuse.ch/downloads/ipblocklist.txt --format csv --type ip-dst --into 1f4c... --org CERT-Nord
  vigie admin feed run circl`

// feedAdd: vigie admin feed add NAME --url URL --format misp|csv --into COLLECTION --org ORG ...
func (a *admin) feedAdd(ctx context.Context, args []string) error {
	var headers listFlag
	fs := a.flags("feed add", "feed add NAME --url URL --format misp|csv --into COLLECTION --org ORG [--every 1h] [--header 'Name: value']...", feedHelp)
	url := fs.String("url", "", "URL of the feed (a MISP feed's directory, or the CSV/text file)")
	format := fs.String("format", "misp", "misp or csv")
	into := fs.String("into", "", "collection id (or alias) the feed publishes into")
	org := fs.String("org", "", "organisation that publishes what the feed brings")
	every := fs.Duration("every", time.Hour, "how often to fetch it (at least 1m)")
	fs.Func("header", "a header sent with each request, \"Name: value\" (repeatable; never shown again)", func(v string) error {
		headers = append(headers, v)
		return nil
	})
	column := fs.Int("column", 1, "csv: the column of the values")
	typ := fs.String("type", "", "csv: the MISP attribute type of every value (ip-dst, domain, url, sha256...)")
	typeColumn := fs.Int("type-column", 0, "csv: the column of each line's MISP type, instead of --type")
	comment := fs.Int("comment-column", 0, "csv: a column kept as the indicator's description")
	delim := fs.String("delimiter", ",", "csv: the field separator (\"\\t\" for TSV)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *url == "" || *into == "" || *org == "" {
		return usageError(fs, "want NAME, --url, --into and --org")
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	root, id, err := findCollection(ctx, h, *into)
	if err != nil {
		return err
	}
	d := strings.ReplaceAll(*delim, `\t`, "\t")
	f, err := h.AddFeed(ctx, hub.Console(), hub.FeedSpec{Name: pos[0], URL: *url, Format: *format, Root: root, Collection: id,
		Org: *org, Every: *every, Headers: headers,
		Columns: vigie.FeedColumns{Value: *column, Type: *typ, TypeColumn: *typeColumn, Comment: *comment, Delimiter: d}})
	if err != nil {
		return domainError(err)
	}
	fmt.Fprintf(a.stdio.Out, "feed %s: %s every %s into %s/%s\n", f.Name, f.URL, f.Every, f.Root, f.Collection)
	return nil
}

// findCollection resolves a collection id or alias to its API root and id.
func findCollection(ctx context.Context, h *hub.Hub, idOrAlias string) (root, id string, err error) {
	cs, err := h.AllCollections(ctx, hub.Console())
	if err != nil {
		return "", "", domainError(err)
	}
	for _, c := range cs {
		if c.ID == idOrAlias || (c.Alias != "" && c.Alias == idOrAlias) {
			return c.Root, c.ID, nil
		}
	}
	return "", "", fmt.Errorf("no collection %q (see \"vigie admin collection list\")", idOrAlias)
}

// feedView is a feed as "feed list --json" shows it: header names only.
type feedView struct {
	Name       string            `json:"name"`
	URL        string            `json:"url"`
	Format     string            `json:"format"`
	Root       string            `json:"root"`
	Collection string            `json:"collection"`
	Org        string            `json:"org"`
	Every      string            `json:"every"`
	Headers    []string          `json:"headers,omitempty"` // names only
	Columns    vigie.FeedColumns `json:"columns,omitzero"`
	LastRun    time.Time         `json:"last_run,omitzero"`
	LastError  string            `json:"last_error,omitempty"`
}

func (a *admin) feedList(ctx context.Context, args []string) error {
	fs := a.flags("feed list", "feed list [--json]", "List the hub's feed subscriptions (header values are never shown).")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, err := a.open(ctx)
	if err != nil {
		return err
	}
	feeds, err := h.Feeds(ctx, hub.Console())
	if err != nil {
		return domainError(err)
	}
	names, err := orgNames(ctx, h)
	if err != nil {
		return domainError(err)
	}
	views := make([]feedView, 0, len(feeds))
	for _, f := range feeds {
		v := feedView{Name: f.Name, URL: f.URL, Format: f.Format, Root: f.Root, Collection: f.Collection, Org: names[f.OrgID],
			Every: f.Every.String(), LastRun: f.State.LastRun, LastError: f.State.LastError}
		if f.Format == vigie.FeedCSV {
			v.Columns = f.Columns
		}
		for _, hd := range f.Headers {
			name, _, _ := strings.Cut(hd, ":")
			v.Headers = append(v.Headers, strings.TrimSpace(name))
		}
		views = append(views, v)
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdio.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(views)
	}
	w := tabwriter.NewWriter(a.stdio.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tFORMAT\tORG\tCOLLECTION\tEVERY\tLAST RUN\tLAST ERROR\tURL")
	for _, v := range views {
		last := "never"
		if !v.LastRun.IsZero() {
			last = v.LastRun.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s/%s\t%s\t%s\t%s\t%s\n", v.Name, v.Format, v.Org, v.Root, v.Collection, v.Every, last, v.LastError, v.URL)
	}
	return w.Flush()
}

func (a *admin) feedRemove(ctx context.Context, args []string) error {
	fs := a.flags("feed rm", "feed rm NAME", "End a feed subscription; what it brought stays.")
	arg, h, err := a.openWith(ctx, fs, args, "want NAME")
	if err != nil {
		return err
	}
	if err := h.RemoveFeed(ctx, hub.Console(), arg); err != nil {
		return domainError(err)
	}
	fmt.Fprintf(a.stdio.Out, "feed %s removed\n", arg)
	return nil
}

func (a *admin) feedRun(ctx context.Context, args []string) error {
	fs := a.flags("feed run", "feed run NAME [--json]", "Fetch a feed now and publish what changed since its last run.")
	asJSON := fs.Bool("json", false, "print the outcome as JSON")
	arg, h, err := a.openWith(ctx, fs, args, "want NAME")
	if err != nil {
		return err
	}
	r, err := h.RunFeed(ctx, hub.Console(), arg, newFeedFetcher())
	if err != nil {
		return domainError(err)
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdio.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		for _, f := range r.Refusals {
			fmt.Fprintf(a.stdio.Err, "refused %s: %s\n", f.ID, f.Message)
		}
		s := r.Summary
		fmt.Fprintf(a.stdio.Out, "feed %s: %d events fetched, %d unchanged; %d attributes (%d mapped, %d not mapped, %d errors); %d STIX objects stored, %d refused\n",
			r.Feed, r.Fetched, r.Unchanged, s.Attributes.Total, s.Attributes.Mapped, s.Attributes.NotMapped, s.Attributes.Errors, r.Stored, r.Refused)
	}
	if r.Error != "" {
		return &exitError{Code: 1, Message: "vigie admin feed run: " + r.Error}
	}
	if r.Refused > 0 || len(r.Refusals) > 0 {
		return &exitError{Code: 1}
	}
	return nil
}

// feedFetcher fetches feed files over HTTP(S) for hub.RunFeed.
type feedFetcher struct{ hc *http.Client }

// newFeedFetcher returns a fetcher with a 10-minute limit per file that
// follows redirects only within the feed's own host: the operator chose
// that host, and a feed must not send the hub to another (an address of
// the hub's own network, whose answer would be imported).
func newFeedFetcher() *feedFetcher {
	return &feedFetcher{hc: &http.Client{Timeout: 10 * time.Minute, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return fmt.Errorf("more than 5 redirects")
		}
		if req.URL.Host != via[0].URL.Host {
			return fmt.Errorf("redirect from %s to another host (%s) refused", via[0].URL.Host, req.URL.Host)
		}
		return nil
	}}}
}

// Fetch implements hub.Fetcher.
func (f *feedFetcher) Fetch(ctx context.Context, url string, headers []string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	req.Header.Set("User-Agent", "vigie")
	res, err := f.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, res.Status)
	}
	_, err = io.Copy(w, res.Body)
	return err
}

// runFeeds runs the feeds whose time has come, every minute, until ctx
// ends (vigie serve).
func runFeeds(ctx context.Context, h *hub.Hub, logger *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	fetch := newFeedFetcher()
	for {
		runs, err := h.RunDueFeeds(ctx, hub.Console(), fetch)
		if err != nil && ctx.Err() == nil {
			logger.Warn("running feeds", slog.Any("err", err))
		}
		for _, r := range runs {
			if r.Error != "" {
				logger.Warn("feed failed", slog.String("feed", r.Feed), slog.String("err", r.Error))
			} else if r.Stored > 0 || r.Refused > 0 {
				logger.Info("feed imported", slog.String("feed", r.Feed), slog.Int("stored", r.Stored), slog.Int("refused", r.Refused))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
