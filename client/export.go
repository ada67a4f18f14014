package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ExportResult is the outcome of one Export call.
type ExportResult struct {
	ETag        string // the export's entity tag, to send next time
	NotModified bool   // the hub answered 304: nothing was written
	Summary     string // the hub's X-Vigie-Export counts
}

// Export fetches GET /api/v1/export/{format} with the query q and copies
// the body to w. If etag is not empty it is sent as If-None-Match, and an
// unchanged export writes nothing (NotModified). Large exports take time:
// the call has its own timeout of timeout (10 minutes if 0), not the
// client's.
func (c *Client) Export(ctx context.Context, format string, q url.Values, etag string, timeout time.Duration, w io.Writer) (ExportResult, error) {
	var res ExportResult
	path := "/api/v1/export/" + url.PathEscape(format)
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	if err != nil {
		return res, fmt.Errorf("export %s: %w", format, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	hc := *c.http
	hc.Timeout = timeout
	resp, err := hc.Do(req)
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	res.ETag, res.Summary = resp.Header.Get("ETag"), resp.Header.Get("X-Vigie-Export")
	switch resp.StatusCode {
	case http.StatusNotModified:
		res.NotModified = true
		return res, nil
	case http.StatusOK:
	default:
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		e := &Error{Status: resp.StatusCode, Description: strings.TrimSpace(string(b))}
		var d struct {
			Description string `json:"description"`
		}
		if json.Unmarshal(b, &d) == nil && d.Description != "" {
			e.Description = d.Description
		}
		return res, e
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return res, fmt.Errorf("export %s: reading the answer: %w", format, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return res, fmt.Errorf("export %s: the answer was cut after %d of %d bytes", format, n, resp.ContentLength)
	}
	return res, nil
}
