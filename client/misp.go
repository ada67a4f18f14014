package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

// Identities returns the STIX identities of the hub's organisations.
func (c *Client) Identities(ctx context.Context) ([]json.RawMessage, error) {
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	err := c.do(ctx, "GET", "/api/v1/identities", nil, &b)
	return b.Objects, err
}

// MISPFeedFile returns one file of the MISP feed the hub serves for a
// collection: "manifest.json", "hashes.csv" or "<event uuid>.json".
func (c *Client) MISPFeedFile(ctx context.Context, root, collection, name string) ([]byte, error) {
	var b []byte
	path := fmt.Sprintf("/feeds/misp/%s/%s/%s", url.PathEscape(root), url.PathEscape(collection), url.PathEscape(name))
	err := c.do(ctx, "GET", path, nil, &b)
	return b, err
}
