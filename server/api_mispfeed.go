package server

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/misp"
)

// mispFeedGet answers GET /feeds/misp/{root}/{id}/{file}: the MISP feed of
// a collection for the caller's key (hub.MISPFeed), file being
// manifest.json, hashes.csv or <event uuid>.json, with an ETag. MISP
// sends the key in a header configured on the feed: "Authorization: KEY"
// or "Authorization: Bearer KEY".
func (s *Server) mispFeedGet(w http.ResponseWriter, r *http.Request) error {
	p, err := requireOrg(r)
	if err != nil {
		return err
	}
	events, err := s.hub.MISPFeed(r.Context(), p, r.PathValue("root"), r.PathValue("id"))
	if err != nil {
		return err
	}
	file := r.PathValue("file")
	var body []byte
	ctype := "application/json"
	switch {
	case file == "manifest.json":
		body, err = misp.Manifest(events)
	case file == "hashes.csv":
		body, ctype = misp.Hashes(events), "text/csv; charset=utf-8"
	case strings.HasSuffix(file, ".json"):
		uuid := strings.TrimSuffix(file, ".json")
		for _, e := range events {
			if e.UUID == uuid {
				body, err = misp.EventJSON(e)
				break
			}
		}
		if body == nil && err == nil {
			return vigie.Errorf(vigie.ENOTFOUND, "no event %s in this feed", uuid)
		}
	default:
		return vigie.Errorf(vigie.ENOTFOUND, "a MISP feed has manifest.json, hashes.csv and <event uuid>.json; not %q", file)
	}
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}
