// Package client is how a program talks to a hub: the one HTTP client
// with the hub's TLS trust (a CA file, a pinned certificate fingerprint),
// API keys read from files, and a Go client of the hub's /api/v1 API
// (whoami, watchlists, webhooks, alerts and their live stream, SBOMs,
// advisories), used by the command line and the sensor. It imports the
// wire shapes of package api and the standard library only.
package client

import (
	"bufio"
	"bytes"
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

// Client calls one hub with one API key. It is safe for concurrent use.
type Client struct {
	base string
	key  string
	http *http.Client
}

// New returns a client of the hub at base, e.g. "https://hub:8443". hc
// must not be nil: NewHTTPClient's, whose timeout applies to every call
// but Stream, and which keeps the key out of error answers.
func New(base, key string, hc *http.Client) (*Client, error) {
	if _, err := parseHubURL(base); err != nil {
		return nil, err
	}
	return &Client{base: strings.TrimSuffix(base, "/"), key: key, http: hc}, nil
}

// Error is an error answer of the hub.
type Error struct {
	Status      int
	Description string
}

// Error returns the hub's description of the failure.
func (e *Error) Error() string { return fmt.Sprintf("hub answered %d: %s", e.Status, e.Description) }

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	ctype := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	return c.send(ctx, method, path, ctype, body, out)
}

// send makes one request and decodes the JSON answer into out (if not
// nil; a *[]byte receives the body as it is); an error answer is an
// *Error with the hub's description.
func (c *Client) send(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if res.StatusCode >= 300 {
		var e struct {
			Description string `json:"description"`
		}
		if json.Unmarshal(b, &e) != nil || e.Description == "" {
			e.Description = strings.TrimSpace(string(b[:min(len(b), 300)]))
		}
		return &Error{Status: res.StatusCode, Description: e.Description}
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = b
		return nil
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: the answer is not the expected JSON: %w", method, path, err)
		}
	}
	return nil
}

// Whoami returns the organisation the key acts for.
func (c *Client) Whoami(ctx context.Context) (*api.Whoami, error) {
	var w api.Whoami
	return &w, c.do(ctx, "GET", "/api/v1/whoami", nil, &w)
}

// Watchlist returns the organisation's watchlist.
func (c *Client) Watchlist(ctx context.Context) ([]api.WatchEntry, error) {
	var out struct{ Entries []api.WatchEntry }
	return out.Entries, c.do(ctx, "GET", "/api/v1/watchlist", nil, &out)
}

// AddWatch adds a watchlist entry.
func (c *Client) AddWatch(ctx context.Context, kind api.WatchKind, value string) (*api.WatchEntry, error) {
	var e api.WatchEntry
	return &e, c.do(ctx, "POST", "/api/v1/watchlist", map[string]string{"kind": string(kind), "value": value}, &e)
}

// RemoveWatch deletes a watchlist entry.
func (c *Client) RemoveWatch(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/watchlist/"+url.PathEscape(id), nil, nil)
}

// Webhooks returns the organisation's webhooks.
func (c *Client) Webhooks(ctx context.Context) ([]api.Webhook, error) {
	var out struct{ Webhooks []api.Webhook }
	return out.Webhooks, c.do(ctx, "GET", "/api/v1/webhooks", nil, &out)
}

// AddWebhook registers a webhook; with an empty secret the hub makes one
// and returns it.
func (c *Client) AddWebhook(ctx context.Context, u, secret string) (*api.Webhook, error) {
	var w api.Webhook
	return &w, c.do(ctx, "POST", "/api/v1/webhooks", map[string]string{"url": u, "secret": secret}, &w)
}

// RemoveWebhook deletes a webhook.
func (c *Client) RemoveWebhook(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/webhooks/"+url.PathEscape(id), nil, nil)
}

// Deliveries returns the organisation's webhook deliveries in a state.
func (c *Client) Deliveries(ctx context.Context, state api.DeliveryState) ([]api.Delivery, error) {
	var out struct{ Deliveries []api.Delivery }
	return out.Deliveries, c.do(ctx, "GET", "/api/v1/webhooks/deliveries?state="+url.QueryEscape(string(state)), nil, &out)
}

// AlertFilter selects alerts.
type AlertFilter struct {
	States   []api.AlertState
	Trigger  string
	Severity api.Severity
	Limit    int
}

// Alerts returns the organisation's alerts, most recently updated first.
func (c *Client) Alerts(ctx context.Context, f AlertFilter) ([]api.Alert, error) {
	q := url.Values{}
	var states []string
	for _, s := range f.States {
		states = append(states, string(s))
	}
	if len(states) > 0 {
		q.Set("state", strings.Join(states, ","))
	}
	if f.Trigger != "" {
		q.Set("trigger", f.Trigger)
	}
	if f.Severity > 0 {
		q.Set("severity", f.Severity.String())
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var out struct{ Alerts []api.Alert }
	return out.Alerts, c.do(ctx, "GET", "/api/v1/alerts?"+q.Encode(), nil, &out)
}

// SetAlertState acknowledges or resolves an alert.
func (c *Client) SetAlertState(ctx context.Context, id string, st api.AlertState) (*api.Alert, error) {
	var a api.Alert
	return &a, c.do(ctx, "PATCH", "/api/v1/alerts/"+url.PathEscape(id), map[string]string{"state": string(st)}, &a)
}

// StreamEvent is one event of the live stream.
type StreamEvent struct {
	ID    int64
	Type  string // "alert.created" or "alert.updated"
	Alert api.Alert
}

// Stream follows the live stream of alerts from after (0 for all), calling
// fn for each event, until ctx ends or the connection fails; it returns the
// id of the last event seen, to resume from.
func (c *Client) Stream(ctx context.Context, after int64, fn func(StreamEvent) error) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/api/v1/alerts/stream", nil)
	if err != nil {
		return after, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "text/event-stream")
	if after > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(after, 10))
	}
	// The stream lasts: no overall timeout, the context ends it.
	hc := *c.http
	hc.Timeout = 0
	res, err := hc.Do(req)
	if err != nil {
		return after, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		return after, &Error{Status: res.StatusCode, Description: strings.TrimSpace(string(b))}
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var ev StreamEvent
	var data []byte
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if len(data) > 0 && ev.ID > 0 {
				if err := json.Unmarshal(data, &ev.Alert); err != nil {
					return after, fmt.Errorf("stream event %d: %w", ev.ID, err)
				}
				if err := fn(ev); err != nil {
					return ev.ID, err
				}
				after = ev.ID
			}
			ev, data = StreamEvent{}, nil
		case strings.HasPrefix(line, "id: "):
			ev.ID, _ = strconv.ParseInt(line[4:], 10, 64)
		case strings.HasPrefix(line, "event: "):
			ev.Type = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = append(data, line[6:]...)
		}
	}
	if ctx.Err() != nil {
		return after, nil
	}
	return after, sc.Err()
}

// rawPost posts a file's bytes to path and decodes the JSON answer.
func (c *Client) rawPost(ctx context.Context, path, contentType string, data []byte, out any) error {
	return c.send(ctx, "POST", path, contentType, bytes.NewReader(data), out)
}

// Share says where an upload is published ("" collection: the
// organisation's private one) and its TLP ("" for none).
type Share struct {
	Root, Collection, TLP string
}

func (s Share) query(q url.Values) url.Values {
	for k, v := range map[string]string{"root": s.Root, "collection": s.Collection, "tlp": s.TLP} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// UploadSBOM uploads an SBOM file of product "NAME@VERSION".
func (c *Client) UploadSBOM(ctx context.Context, product, supplier string, data []byte, sh Share) (*api.SBOMUpload, error) {
	q := sh.query(url.Values{"product": {product}})
	if supplier != "" {
		q.Set("supplier", supplier)
	}
	var out api.SBOMUpload
	return &out, c.rawPost(ctx, "/api/v1/sboms?"+q.Encode(), "application/octet-stream", data, &out)
}

// UploadVEX uploads a VEX document about product "NAME@VERSION".
func (c *Client) UploadVEX(ctx context.Context, product string, data []byte, sh Share) (int, error) {
	var out struct{ Statements int }
	return out.Statements, c.rawPost(ctx, "/api/v1/vex?"+sh.query(url.Values{"product": {product}}).Encode(), "application/octet-stream", data, &out)
}

// ImportAdvisories uploads OSV records or CSAF documents (one JSON
// document, or a zip of them) to be shared in a collection.
func (c *Client) ImportAdvisories(ctx context.Context, data []byte, sh Share) (*api.AdvisoryImport, error) {
	var out api.AdvisoryImport
	return &out, c.rawPost(ctx, "/api/v1/advisories?"+sh.query(url.Values{}).Encode(), "application/octet-stream", data, &out)
}

// Products returns the organisation's products.
func (c *Client) Products(ctx context.Context) ([]api.Product, error) {
	var out struct{ Products []api.Product }
	return out.Products, c.do(ctx, "GET", "/api/v1/products", nil, &out)
}

// Findings returns the organisation's findings, of one product ("" for all).
func (c *Client) Findings(ctx context.Context, product string) ([]api.Finding, error) {
	var out struct{ Findings []api.Finding }
	q := ""
	if product != "" {
		q = "?product=" + url.QueryEscape(product)
	}
	return out.Findings, c.do(ctx, "GET", "/api/v1/findings"+q, nil, &out)
}
