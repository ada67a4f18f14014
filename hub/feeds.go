package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/misp"
)

// Fetcher fetches feed files. cmd/vigie implements it over HTTP with a
// timeout and a size limit.
type Fetcher interface {
	// Fetch writes the body of url, requested with the extra header
	// lines ("Name: value"), to w; a status other than 200 is an error.
	Fetch(ctx context.Context, url string, headers []string, w io.Writer) error
}

// FeedSpec is what an operator says of a new feed subscription.
type FeedSpec struct {
	Name, URL, Format, Root, Collection string
	Org                                 string // the organisation (name or id) that publishes what the feed brings
	Every                               time.Duration
	Headers                             []string
	Columns                             vigie.FeedColumns
}

// AddFeed subscribes the hub to a remote feed. The organisation must be
// able to write the collection: it owns what the feed brings. Operators
// only. EINVALID, ENOTFOUND, ECONFLICT.
func (h *Hub) AddFeed(ctx context.Context, p vigie.Principal, spec FeedSpec) (*vigie.Feed, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	as, err := h.ActAs(ctx, p, spec.Org, vigie.RolePublisher)
	if err != nil {
		return nil, err
	}
	c, err := h.store.FindCollection(ctx, spec.Root, spec.Collection)
	if err != nil {
		return nil, err
	}
	if !vigie.CollectionAccess(as, c).Write {
		return nil, vigie.Errorf(vigie.EFORBIDDEN, "organisation %s may not write to collection %s: a feed publishes as its organisation", spec.Org, c.ID)
	}
	if spec.Format == vigie.FeedCSV {
		if spec.Columns.Value == 0 {
			spec.Columns.Value = 1
		}
		if spec.Columns.Type != "" && !misp.Mapped(spec.Columns.Type) {
			return nil, vigie.Errorf(vigie.EINVALID, "feed %s: type %q is not a MISP attribute type vigie maps (see vigie misp --help)", spec.Name, spec.Columns.Type)
		}
	}
	if spec.Every == 0 {
		spec.Every = time.Hour
	}
	f := &vigie.Feed{Name: spec.Name, URL: spec.URL, Format: spec.Format, Root: c.Root, Collection: c.ID, OrgID: as.OrgID,
		Every: spec.Every, Headers: spec.Headers, Columns: spec.Columns, Created: h.now().UTC()}
	if err := h.store.CreateFeed(ctx, f); err != nil {
		return nil, err
	}
	// The audit names the feed's site only: its path or query may hold a token.
	e := h.newEntry(p, vigie.AuditFeedAdd, "feed "+f.Name, vigie.OutcomeSuccess)
	e.TargetOrg = f.OrgID
	return f, h.record(ctx, withDetail(e, map[string]any{"origin": f.Origin(), "format": f.Format, "collection": f.Collection, "every": f.Every.String()}))
}

// Feeds returns every feed subscription, by name. Operators only.
func (h *Hub) Feeds(ctx context.Context, p vigie.Principal) ([]*vigie.Feed, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	return h.store.ListFeeds(ctx)
}

// RemoveFeed ends a feed subscription (what it brought stays). Operators
// only. ENOTFOUND.
func (h *Hub) RemoveFeed(ctx context.Context, p vigie.Principal, name string) error {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return err
	}
	f, err := h.store.FindFeed(ctx, name)
	if err != nil {
		return err
	}
	if err := h.store.DeleteFeed(ctx, name); err != nil {
		return err
	}
	e := h.newEntry(p, vigie.AuditFeedDelete, "feed "+name, vigie.OutcomeSuccess)
	e.TargetOrg = f.OrgID
	return h.record(ctx, e)
}

// FeedRun is the outcome of one run of a feed.
type FeedRun struct {
	Feed      string               `json:"feed"`
	Fetched   int                  `json:"events_fetched"`   // MISP events fetched (changed since the last run)
	Unchanged int                  `json:"events_unchanged"` // MISP events skipped: same manifest timestamp
	Summary   *misp.Summary        `json:"summary,omitempty"`
	Stored    int                  `json:"stix_stored"`
	Refused   int                  `json:"stix_refused"`
	Refusals  []vigie.StatusDetail `json:"refusals,omitempty"`
	Error     string               `json:"error,omitempty"`
}

// maxFeedFile bounds one file of a feed (a manifest, an event, a CSV).
const maxFeedFile = 512 << 20

// RunDueFeeds runs every feed whose time has come, one after the other.
// Operators only. A feed that fails is reported in its FeedRun and
// retried at its next time.
func (h *Hub) RunDueFeeds(ctx context.Context, p vigie.Principal, fetch Fetcher) ([]*FeedRun, error) {
	feeds, err := h.Feeds(ctx, p)
	if err != nil {
		return nil, err
	}
	var runs []*FeedRun
	for _, f := range feeds {
		if ctx.Err() != nil {
			return runs, ctx.Err()
		}
		if !f.Due(h.now()) {
			continue
		}
		r, err := h.RunFeed(ctx, p, f.Name, fetch)
		if err != nil && r == nil {
			return runs, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// RunFeed fetches a feed now and publishes what changed since its last
// run: for a MISP feed, the events whose manifest timestamp is newer than
// the one imported; for a CSV feed, the whole list when its content
// changed. Operators only. A failure of the feed itself (unreachable,
// malformed) is recorded in its state and returned in FeedRun.Error with
// a nil error; the error is for the hub's own failures.
func (h *Hub) RunFeed(ctx context.Context, p vigie.Principal, name string, fetch Fetcher) (*FeedRun, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	f, err := h.store.FindFeed(ctx, name)
	if err != nil {
		return nil, err
	}
	org, err := h.store.FindOrg(ctx, f.OrgID)
	if err != nil {
		return nil, err
	}
	as, err := h.ActAs(ctx, p, org.ID, vigie.RolePublisher)
	if err != nil {
		return nil, err
	}
	c, err := h.store.FindCollection(ctx, f.Root, f.Collection)
	if err != nil {
		return nil, err
	}
	pub := &feedPublisher{h: h, p: as, a: vigie.CollectionAccess(as, c), c: c, run: &FeedRun{Feed: f.Name}, ctx: ctx}
	members, err := h.otherMembers(ctx, as.OrgID)
	if err != nil {
		return nil, err
	}
	conv := misp.NewConverter(misp.Options{Members: members, Now: h.now, Emit: pub.emit})
	st := f.State
	st.LastRun = h.now().UTC()
	var runErr error
	switch f.Format {
	case vigie.FeedMISP:
		runErr = h.runMISPFeed(ctx, f, fetch, conv, pub, &st)
	case vigie.FeedCSV:
		runErr = h.runCSVFeed(ctx, f, fetch, conv, pub, &st)
	}
	if runErr == nil {
		runErr = pub.flush(ctx)
	}
	pub.run.Summary = conv.Summary()
	switch {
	case runErr == nil:
	case isFeedErr(runErr):
		pub.run.Error = runErr.Error()
	case vigie.ErrorCode(runErr) != vigie.EINTERNAL:
		pub.run.Error = vigie.ErrorMessage(runErr)
	default:
		return pub.run, runErr
	}
	st.LastError = pub.run.Error
	if err := h.store.SaveFeedState(ctx, f.Name, st); err != nil {
		return pub.run, err
	}
	return pub.run, nil
}

// feedErr is a failure of the remote feed (unreachable, malformed), not
// of the hub.
type feedErr struct{ error }

func isFeedErr(err error) bool {
	var fe feedErr
	return errors.As(err, &fe)
}

// otherMembers returns the identity ids of the organisations other than
// org: what a feed brings never names them as author.
func (h *Hub) otherMembers(ctx context.Context, org string) (map[string]bool, error) {
	orgs, err := h.store.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, o := range orgs {
		if o.ID != org {
			out[o.ID] = true
		}
	}
	return out, nil
}

// runMISPFeed imports the events of a MISP feed changed since the last
// run. An event is marked seen only once its objects are published.
func (h *Hub) runMISPFeed(ctx context.Context, f *vigie.Feed, fetch Fetcher, conv *misp.Converter, pub *feedPublisher, st *vigie.FeedState) error {
	base := strings.TrimSuffix(f.URL, "/") + "/"
	var mb bytes.Buffer
	if err := fetch.Fetch(ctx, base+"manifest.json", f.Headers, &limitWriter{w: &mb, n: maxFeedFile}); err != nil {
		return feedErr{fmt.Errorf("manifest: %w", err)}
	}
	m, err := misp.ParseManifest(&mb)
	if err != nil {
		return feedErr{err}
	}
	seen := map[string]int64{}
	for id, e := range m {
		if old, ok := st.Seen[id]; ok && old >= int64(e.Timestamp) {
			pub.run.Unchanged++
			seen[id] = old
			continue
		}
		if err := h.fetchEvent(ctx, base+id+".json", f.Headers, fetch, conv); err != nil {
			if isFeedErr(err) {
				pub.run.Refusals = append(pub.run.Refusals, vigie.StatusDetail{ID: id, Message: err.Error()})
				continue
			}
			return err
		}
		if err := pub.flush(ctx); err != nil {
			return err
		}
		pub.run.Fetched++
		seen[id] = int64(e.Timestamp)
	}
	st.Seen = seen
	return nil
}

// fetchEvent fetches one event into a temporary file (the reader reads it
// twice) and converts it.
func (h *Hub) fetchEvent(ctx context.Context, url string, headers []string, fetch Fetcher, conv *misp.Converter) error {
	tmp, err := os.CreateTemp("", "vigie-feed-*.json")
	if err != nil {
		return fmt.Errorf("feed event: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := fetch.Fetch(ctx, url, headers, &limitWriter{w: tmp, n: maxFeedFile}); err != nil {
		return feedErr{fmt.Errorf("%s: %w", url, err)}
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("feed event: %w", err)
	}
	if err := conv.Convert(tmp); err != nil {
		var ve *vigie.Error
		if errors.As(err, &ve) {
			return err
		}
		return feedErr{fmt.Errorf("%s: %w", url, err)}
	}
	return nil
}

// runCSVFeed imports a CSV or text feed when its content changed: each
// line's value becomes an attribute of one event per feed, with a UUID
// derived from the feed, type and value (the same value keeps its
// indicator from one run to the next).
func (h *Hub) runCSVFeed(ctx context.Context, f *vigie.Feed, fetch Fetcher, conv *misp.Converter, pub *feedPublisher, st *vigie.FeedState) error {
	tmp, err := os.CreateTemp("", "vigie-feed-*.csv")
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	sum := sha256.New()
	if err := fetch.Fetch(ctx, f.URL, f.Headers, &limitWriter{w: io.MultiWriter(tmp, sum), n: maxFeedFile}); err != nil {
		return feedErr{err}
	}
	digest := hex.EncodeToString(sum.Sum(nil))
	if digest == st.Digest {
		return nil
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	now := h.now().UTC()
	ev := &misp.Event{UUID: vigie.NameUUID("vigie-feed/" + f.Name), Info: "Feed " + f.Name + " (" + f.URL + ")",
		Published: true, Timestamp: misp.Timestamp(now.Unix()), PublishTimestamp: misp.Timestamp(now.Unix())}
	if err := conv.Event(ev); err != nil {
		return err
	}
	err = misp.ReadList(tmp, f.Name, f.Columns, f.Created,
		func(a *misp.Attribute) error { return conv.Attribute(ev, a) },
		func(line int, err error) {
			pub.run.Refusals = append(pub.run.Refusals, vigie.StatusDetail{ID: fmt.Sprintf("line %d", line), Message: err.Error()})
		})
	if err != nil {
		var ve *vigie.Error
		if errors.As(err, &ve) {
			return err
		}
		return feedErr{err}
	}
	if err := conv.EventEnd(ev); err != nil {
		return err
	}
	st.Digest = digest
	return nil
}

// feedPublisher publishes a feed's objects in envelopes of 1,000.
type feedPublisher struct {
	h   *Hub
	p   vigie.Principal
	a   vigie.Access
	c   *vigie.Collection
	env []json.RawMessage
	run *FeedRun
	ctx context.Context // the run's
}

func (fp *feedPublisher) emit(obj json.RawMessage) error {
	fp.env = append(fp.env, obj)
	if len(fp.env) >= 1000 {
		return fp.flush(fp.ctx)
	}
	return nil
}

func (fp *feedPublisher) flush(ctx context.Context) error {
	if len(fp.env) == 0 {
		return nil
	}
	st, err := fp.h.Publish(ctx, fp.p, fp.a, fp.c, fp.env)
	fp.env = fp.env[:0]
	if err != nil {
		return err
	}
	fp.run.Stored += len(st.Successes)
	fp.run.Refused += len(st.Failures)
	if room := 1000 - len(fp.run.Refusals); room > 0 {
		fp.run.Refusals = append(fp.run.Refusals, st.Failures[:min(room, len(st.Failures))]...)
	}
	return nil
}

// limitWriter fails once more than n bytes were written.
type limitWriter struct {
	w io.Writer
	n int64
}

// Write writes b, or fails without writing once the limit would be passed.
func (l *limitWriter) Write(b []byte) (int, error) {
	if int64(len(b)) > l.n {
		return 0, fmt.Errorf("over %d MB", maxFeedFile>>20)
	}
	l.n -= int64(len(b))
	return l.w.Write(b)
}
