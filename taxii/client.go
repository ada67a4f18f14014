package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxResponseSize bounds a response body the client reads (256 MiB).
const MaxResponseSize = 256 << 20

// Client talks to a TAXII 2.1 server: vigie hubs and any other. It is safe
// for concurrent use.
type Client struct {
	base *url.URL
	key  string
	http *http.Client
}

// NewClient returns a client for the server at base (e.g.
// "https://hub.example:8443") authenticating with an API key ("" for
// anonymous). hc must not be nil: pass one with a timeout.
func NewClient(base, key string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/") + "/")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("taxii: server URL %q: want http(s)://host[:port]", base)
	}
	return &Client{base: u, key: key, http: hc}, nil
}

// rootURL resolves an API root given as a name ("coalition"), a path or an
// absolute URL, to an absolute URL ending with a slash.
func (c *Client) rootURL(root string) string {
	ref, err := url.Parse(strings.TrimSuffix(root, "/") + "/")
	if err != nil {
		return c.base.String() + url.PathEscape(root) + "/"
	}
	return c.base.ResolveReference(ref).String()
}

// Page is one page of a paginated endpoint with the dates it covers.
type Page struct {
	DateAddedFirst, DateAddedLast time.Time
}

// Values encodes the filter as URL parameters.
func (f Filter) Values() url.Values {
	v := url.Values{}
	if !f.AddedAfter.IsZero() {
		v.Set(ParamAddedAfter, FormatTimestamp(f.AddedAfter))
	}
	if f.Limit > 0 {
		v.Set(ParamLimit, strconv.Itoa(f.Limit))
	}
	if f.HasNext {
		v.Set(ParamNext, EncodeNext(f.Next))
	}
	set := func(name string, vals []string) {
		if len(vals) > 0 {
			v.Set(name, strings.Join(vals, ","))
		}
	}
	set(ParamID, f.IDs)
	set(ParamType, f.Types)
	set(ParamSpecVersion, f.SpecVersions)
	var versions []string
	if f.Versions.First {
		versions = append(versions, "first")
	}
	if f.Versions.Last {
		versions = append(versions, "last")
	}
	if f.Versions.All {
		versions = append(versions, "all")
	}
	set(ParamVersion, versions)
	return v
}

// Discovery returns the server's discovery resource.
func (c *Client) Discovery(ctx context.Context) (*Discovery, error) {
	var d Discovery
	_, err := c.do(ctx, "GET", c.base.String()+"taxii2/", nil, &d)
	return &d, err
}

// APIRoot returns an API root's information.
func (c *Client) APIRoot(ctx context.Context, root string) (*APIRoot, error) {
	var r APIRoot
	_, err := c.do(ctx, "GET", c.rootURL(root), nil, &r)
	return &r, err
}

// Collections returns the collections of an API root the caller may use.
func (c *Client) Collections(ctx context.Context, root string) ([]Collection, error) {
	var cs Collections
	_, err := c.do(ctx, "GET", c.rootURL(root)+"collections/", nil, &cs)
	return cs.Collections, err
}

// Objects returns one page of a collection's objects. The "next" value of
// the envelope is opaque: pass it back with NextPage.
func (c *Client) Objects(ctx context.Context, root, collection string, f Filter, next string) (*Envelope, Page, error) {
	var env Envelope
	q := f.Values()
	if next != "" {
		q.Set(ParamNext, next)
	}
	h, err := c.do(ctx, "GET", c.rootURL(root)+"collections/"+url.PathEscape(collection)+"/objects/?"+q.Encode(), nil, &env)
	return &env, pageOf(h), err
}

// EachObject pages through a collection's objects and calls fn for each,
// in date_added order. It returns the X-TAXII-Date-Added-Last of the last
// page, to resume from with AddedAfter next time.
func (c *Client) EachObject(ctx context.Context, root, collection string, f Filter, fn func(json.RawMessage) error) (time.Time, error) {
	var last time.Time
	next := ""
	for {
		env, page, err := c.Objects(ctx, root, collection, f, next)
		if err != nil {
			return last, err
		}
		for _, o := range env.Objects {
			if err := fn(o); err != nil {
				return last, err
			}
		}
		if !page.DateAddedLast.IsZero() {
			last = page.DateAddedLast
		}
		if !env.More || env.Next == "" || len(env.Objects) == 0 {
			return last, nil
		}
		next = env.Next
	}
}

// AddObjects posts objects to a collection and returns the status.
func (c *Client) AddObjects(ctx context.Context, root, collection string, objs []json.RawMessage) (*Status, error) {
	body, err := json.Marshal(Envelope{Objects: objs})
	if err != nil {
		return nil, fmt.Errorf("taxii: encode envelope: %w", err)
	}
	var st Status
	_, err = c.do(ctx, "POST", c.rootURL(root)+"collections/"+url.PathEscape(collection)+"/objects/", body, &st)
	return &st, err
}

// Status returns a status resource.
func (c *Client) Status(ctx context.Context, root, id string) (*Status, error) {
	var st Status
	_, err := c.do(ctx, "GET", c.rootURL(root)+"status/"+url.PathEscape(id)+"/", nil, &st)
	return &st, err
}

// Manifest returns one page of a collection's manifest.
func (c *Client) Manifest(ctx context.Context, root, collection string, f Filter, next string) (*Manifest, Page, error) {
	var m Manifest
	q := f.Values()
	if next != "" {
		q.Set(ParamNext, next)
	}
	h, err := c.do(ctx, "GET", c.rootURL(root)+"collections/"+url.PathEscape(collection)+"/manifest/?"+q.Encode(), nil, &m)
	return &m, pageOf(h), err
}

func pageOf(h http.Header) Page {
	var p Page
	if h == nil {
		return p
	}
	p.DateAddedFirst, _ = ParseTimestamp(h.Get(HeaderDateAddedFirst))
	p.DateAddedLast, _ = ParseTimestamp(h.Get(HeaderDateAddedLast))
	return p
}

// do sends a request and decodes a JSON answer into out. A TAXII error
// answer is returned as *Error.
func (c *Client) do(ctx context.Context, method, u string, body []byte, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("taxii: %s %s: %w", method, u, err)
	}
	req.Header.Set("Accept", MediaType)
	if body != nil {
		req.Header.Set("Content-Type", MediaType)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("taxii: %w", err) // a *url.Error names the method and URL
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, MaxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("taxii: %s %s: reading the answer: %w", method, u, err)
	}
	if len(b) > MaxResponseSize {
		return nil, fmt.Errorf("taxii: %s %s: answer larger than %d bytes", method, u, MaxResponseSize)
	}
	if res.StatusCode >= 300 {
		e := &Error{}
		if json.Unmarshal(b, e) != nil || e.Title == "" {
			e = &Error{Title: res.Status, Description: strings.TrimSpace(string(b[:min(len(b), 200)]))}
		}
		if e.HTTPStatus == "" {
			e.HTTPStatus = strconv.Itoa(res.StatusCode)
		}
		return res.Header, fmt.Errorf("taxii: %s %s: %w", method, u, e)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return res.Header, fmt.Errorf("taxii: %s %s: answer is not the expected JSON: %w", method, u, err)
		}
	}
	return res.Header, nil
}
