package vigie

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The formats of a feed subscription.
const (
	FeedMISP = "misp" // a MISP feed: manifest.json and one <uuid>.json per event
	FeedCSV  = "csv"  // CSV or plain text: one value per line, columns mapped
)

// FeedColumns maps the columns of a CSV or text feed (1-based; 0 for
// none) to MISP attribute fields.
type FeedColumns struct {
	Value      int    `json:"value"`                 // the indicator's value (1 for a plain list)
	Type       string `json:"type,omitempty"`        // the MISP type of every value (ip-dst, domain, url, sha256…)
	TypeColumn int    `json:"type_column,omitempty"` // else the column that holds each line's type
	Comment    int    `json:"comment,omitempty"`     // a column to keep as the indicator's description
	Delimiter  string `json:"delimiter,omitempty"`   // "," unless set ("\t" for TSV)
}

// Feed is a subscription of the hub to a remote feed: every Every, the
// hub fetches URL (with Headers) and publishes what it brings into
// Collection of Root as the organisation OrgID, which owns it.
type Feed struct {
	Name       string
	URL        string
	Format     string
	Root       string
	Collection string
	OrgID      string
	Every      time.Duration
	Headers    []string // "Name: value" lines sent with each request; secrets, never shown
	Columns    FeedColumns
	Created    time.Time
	State      FeedState
}

// FeedState is what the last runs of a feed saw.
type FeedState struct {
	LastRun   time.Time        `json:"last_run,omitzero"`
	LastError string           `json:"last_error,omitempty"`
	Seen      map[string]int64 `json:"seen,omitempty"`   // MISP: event UUID -> manifest timestamp imported
	Digest    string           `json:"digest,omitempty"` // CSV: SHA-256 of the content imported last
}

var (
	feedName   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	headerName = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
)

// Validate reports an EINVALID error when the feed cannot be stored.
func (f *Feed) Validate() error {
	if !feedName.MatchString(f.Name) {
		return Errorf(EINVALID, "feed name %q: want 1-64 letters, digits, '.', '_' or '-'", f.Name)
	}
	u, err := url.Parse(f.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Errorf(EINVALID, "feed %s: URL %q: want http(s)://host/path", f.Name, f.URL)
	}
	switch f.Format {
	case FeedMISP:
	case FeedCSV:
		if f.Columns.Value < 1 {
			return Errorf(EINVALID, "feed %s: a CSV feed needs the column of its values (1 for a plain list)", f.Name)
		}
		if (f.Columns.Type == "") == (f.Columns.TypeColumn == 0) {
			return Errorf(EINVALID, "feed %s: give the MISP type of the values (--type) or the column that holds it, not both", f.Name)
		}
		if len(f.Columns.Delimiter) > 1 {
			return Errorf(EINVALID, "feed %s: the delimiter is one character", f.Name)
		}
	default:
		return Errorf(EINVALID, "feed %s: format %q: want misp or csv", f.Name, f.Format)
	}
	if f.Every < time.Minute {
		return Errorf(EINVALID, "feed %s: every %s: at least 1m", f.Name, f.Every)
	}
	for _, h := range f.Headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || !headerName.MatchString(strings.TrimSpace(name)) || strings.TrimSpace(value) == "" || strings.ContainsAny(h, "\r\n") {
			return Errorf(EINVALID, "feed %s: a header is \"Name: value\" on one line", f.Name)
		}
	}
	if f.Root == "" || !isUUID(f.Collection) || f.OrgID == "" {
		return Errorf(EINVALID, "feed %s: want a collection and an organisation", f.Name)
	}
	return nil
}

// Due reports whether the feed should run at now.
func (f *Feed) Due(now time.Time) bool {
	return f.State.LastRun.IsZero() || !now.Before(f.State.LastRun.Add(f.Every))
}

// Origin returns the scheme and host of the feed's URL, which may be
// shown: its user, path and query may hold a secret (a token) and are not.
func (f *Feed) Origin() string {
	u, err := url.Parse(f.URL)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host
}

// Redact returns s (the last error of a run, which may quote the URLs
// fetched) with the feed's URL replaced by its origin, so that what the
// URL hides does not show.
func (f *Feed) Redact(s string) string {
	u, err := url.Parse(f.URL)
	if err != nil {
		return strings.ReplaceAll(s, f.URL, "(the feed's URL)")
	}
	spellings := []string{f.URL}
	if u.User != nil {
		bare := *u
		bare.User = nil
		// Go's HTTP client quotes URLs with the password as "***".
		spellings = append(spellings, bare.String(), strings.Replace(f.URL, u.User.String()+"@", u.User.Username()+":***@", 1))
	}
	for _, sp := range spellings {
		if sp = strings.TrimSuffix(sp, "/"); sp != "" {
			s = strings.ReplaceAll(s, sp, f.Origin()+"/…")
		}
	}
	secrets := []string{u.RawQuery, u.User.Username()}
	if pw, ok := u.User.Password(); ok {
		secrets = append(secrets, pw)
	}
	for _, vs := range u.Query() {
		secrets = append(secrets, vs...)
	}
	for _, secret := range secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "…")
		}
	}
	return s
}

// FeedStore keeps the hub's feed subscriptions.
type FeedStore interface {
	// CreateFeed stores a feed. ECONFLICT if the name is taken, ENOTFOUND
	// if its organisation does not exist.
	CreateFeed(ctx context.Context, f *Feed) error
	// FindFeed returns a feed by name. ENOTFOUND.
	FindFeed(ctx context.Context, name string) (*Feed, error)
	// ListFeeds returns every feed, by name.
	ListFeeds(ctx context.Context) ([]*Feed, error)
	// DeleteFeed deletes a feed. ENOTFOUND.
	DeleteFeed(ctx context.Context, name string) error
	// SaveFeedState records what a run of the feed saw. ENOTFOUND.
	SaveFeedState(ctx context.Context, name string, st FeedState) error
}

// The audit actions of feed subscriptions.
const (
	AuditFeedAdd    = "feed.add"    // a feed subscription added
	AuditFeedDelete = "feed.delete" // a feed subscription removed
)
