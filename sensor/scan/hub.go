package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/client"
	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/feed"
	"github.com/vigie-cti/vigie/taxii"
)

// hubLink is a scan's connection to its hub.
type hubLink struct {
	*Hub
	taxii  *taxii.Client
	root   string
	report feed.Collection // where sightings go
	org    *api.Whoami     // who the key acts for
}

// loadIndicators reads the indicator files and syncs the hub's
// collections into set.
func (r *run) loadIndicators(ctx context.Context, set *sensor.Set) error {
	for _, path := range r.IndicatorFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("--indicators: %w", err)
		}
		for _, e := range set.AddData(data) {
			r.warn("%s: %v", path, e)
		}
	}
	if r.Hub == nil {
		return nil
	}
	tc, err := taxii.NewClient(r.Hub.URL, r.Hub.Key, r.Hub.HTTP)
	if err != nil {
		return err
	}
	r.hub = &hubLink{Hub: r.Hub, taxii: tc}
	return r.hub.sync(ctx, set, r.Now, r.warn, r.info)
}

// sync pulls the indicators of the collections (all readable ones of the
// root when none is named) through the cache into set. A collection the
// hub does not answer for is read from the cache when it holds some.
func (h *hubLink) sync(ctx context.Context, set *sensor.Set, now func() time.Time, warn, info func(string, ...any)) error {
	dir := h.CacheDir
	var err error
	if dir == "" {
		if dir, err = feed.DefaultDir(); err != nil {
			return err
		}
	}
	cache := &feed.Cache{Dir: dir, Now: now}
	h.root = h.Root
	if h.root == "" {
		if h.root, err = feed.DefaultRoot(ctx, h.taxii); err != nil {
			return fmt.Errorf("hub %s: %w", h.URL, err)
		}
	}
	cols := h.Collections
	if len(cols) == 0 {
		list, err := h.taxii.Collections(ctx, h.root)
		if err != nil {
			return fmt.Errorf("hub %s: list collections: %w", h.URL, err)
		}
		for _, c := range list {
			if c.CanRead {
				cols = append(cols, c.ID)
			}
		}
		if len(cols) == 0 {
			return fmt.Errorf("hub %s: your key may read no collection of API root %s", h.URL, h.root)
		}
	}
	for _, id := range cols {
		st, errs, err := cache.Sync(ctx, h.taxii, h.URL, h.Key, feed.Collection{Root: h.root, ID: id}, set)
		for _, e := range errs {
			warn("%v", e)
		}
		if err != nil {
			if st.Cached == 0 {
				return err
			}
			warn("%v; using the %d objects cached before", err, st.Cached)
			continue
		}
		info("collection %s: %d new objects, %d cached", id, st.Fetched, st.Cached)
	}
	return nil
}

// prepareReport finds who the key acts for and where sightings go.
func (h *hubLink) prepareReport(ctx context.Context, explicit string) error {
	ac, err := client.New(h.URL, h.Key, h.HTTP)
	if err != nil {
		return err
	}
	if h.org, err = ac.Whoami(ctx); err != nil {
		return fmt.Errorf("whoami: %w", err)
	}
	if !strings.HasPrefix(h.org.OrgID, "identity--") {
		return fmt.Errorf("whoami: the answer names no organisation identity")
	}
	h.report, err = feed.ReportCollection(ctx, h.taxii, h.root, explicit, h.Collections)
	return err
}

// post sends sightings to the report collection and returns how many the
// hub took.
func (h *hubLink) post(ctx context.Context, objs []json.RawMessage) (int, error) {
	return feed.Report(ctx, h.taxii, h.report, objs)
}
