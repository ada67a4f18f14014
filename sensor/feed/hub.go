package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigie-cti/vigie/taxii"
)

// DefaultRoot returns the API root a hub's discovery names as the
// default, or its first one.
func DefaultRoot(ctx context.Context, cl *taxii.Client) (string, error) {
	d, err := cl.Discovery(ctx)
	if err != nil {
		return "", err
	}
	if d.Default != "" {
		return d.Default, nil
	}
	if len(d.APIRoots) == 0 {
		return "", errors.New("the hub's discovery lists no API root")
	}
	return d.APIRoots[0], nil
}

// MaxReportBatch is how many sightings go in one POST.
const MaxReportBatch = 500

// Report posts objects to a collection in batches and returns how many
// the hub accepted; the failures it names are returned as one error.
func Report(ctx context.Context, cl *taxii.Client, col Collection, objs []json.RawMessage) (int, error) {
	ok := 0
	var errs []error
	for lo := 0; lo < len(objs); lo += MaxReportBatch {
		batch := objs[lo:min(lo+MaxReportBatch, len(objs))]
		st, err := cl.AddObjects(ctx, col.Root, col.ID, batch)
		if err != nil {
			return ok, fmt.Errorf("post sightings: %w", err)
		}
		ok += st.SuccessCount + st.PendingCount
		for _, f := range st.Failures {
			errs = append(errs, fmt.Errorf("%s refused: %s", f.ID, f.Message))
		}
	}
	return ok, errors.Join(errs...)
}

// ReportCollection chooses where sightings go: the collection named
// explicitly, else the first of preferred (the collections indicators
// were pulled from) that the key may write, else, when no collection is
// preferred, the first writable collection of the API root.
func ReportCollection(ctx context.Context, cl *taxii.Client, root, explicit string, preferred []string) (Collection, error) {
	if explicit != "" {
		return Collection{Root: root, ID: explicit}, nil
	}
	list, err := cl.Collections(ctx, root)
	if err != nil {
		return Collection{}, fmt.Errorf("list collections: %w", err)
	}
	writable := map[string]bool{}
	var first string
	for _, c := range list {
		if c.CanWrite {
			writable[c.ID] = true
			if first == "" {
				first = c.ID
			}
		}
	}
	for _, id := range preferred {
		if writable[id] {
			return Collection{Root: root, ID: id}, nil
		}
	}
	if len(preferred) == 0 && first != "" {
		return Collection{Root: root, ID: first}, nil
	}
	return Collection{}, errors.New("--report: your key may write none of these collections; give --report-collection")
}
