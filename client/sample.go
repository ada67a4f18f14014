package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie/api"
)

// maxDownload bounds a downloaded sample (the hub's limit is far lower).
const maxDownload = 1 << 30

// SubmitSample submits a file for triage, published in sh's collection
// with its TLP; recipients name the organisations that may read a RED one.
func (c *Client) SubmitSample(ctx context.Context, name string, data []byte, sh Share, recipients []string) (*api.Sample, error) {
	q := sh.query(url.Values{})
	if name != "" {
		q.Set("name", name)
	}
	for _, r := range recipients {
		if q.Get("recipient") != "" {
			q.Set("recipient", q.Get("recipient")+","+r)
		} else {
			q.Set("recipient", r)
		}
	}
	var out api.Sample
	return &out, c.rawPost(ctx, "/api/v1/samples?"+q.Encode(), "application/octet-stream", data, &out)
}

// Sample returns a sample's report and the similar samples the key may read.
func (c *Client) Sample(ctx context.Context, sha256 string) (*api.Sample, error) {
	var out api.Sample
	return &out, c.do(ctx, "GET", "/api/v1/samples/"+url.PathEscape(sha256), nil, &out)
}

// SimilarSamples returns the samples like sha256 that the key may read.
func (c *Client) SimilarSamples(ctx context.Context, sha256 string, limit int) ([]api.SimilarSample, error) {
	path := "/api/v1/samples/" + url.PathEscape(sha256) + "/similar"
	if limit > 0 {
		path += "?limit=" + strconv.Itoa(limit)
	}
	var out struct{ Similar []api.SimilarSample }
	return out.Similar, c.do(ctx, "GET", path, nil, &out)
}

// DownloadSample returns a sample as a zip protected by the password
// "infected", or (raw, operators only) as its bytes.
func (c *Client) DownloadSample(ctx context.Context, sha256 string, raw bool) ([]byte, error) {
	path := "/api/v1/samples/" + url.PathEscape(sha256) + "/download"
	if raw {
		path += "?raw=1"
	}
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		var e struct {
			Description string `json:"description"`
		}
		if json.Unmarshal(b, &e) != nil || e.Description == "" {
			e.Description = strings.TrimSpace(string(b[:min(len(b), 300)]))
		}
		return nil, &Error{Status: res.StatusCode, Description: e.Description}
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, maxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	if len(b) > maxDownload {
		return nil, fmt.Errorf("download: over %d bytes", maxDownload)
	}
	return b, nil
}
