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
	root, coll, file := r.PathValue("root"), r.PathValue("id"), r.PathValue("file")
	var body []byte
	ctype := "application/json"
	switch {
	case file == "manifest.json" || file == "hashes.csv":
		events, err := s.hub.MISPFeed(r.Context(), p, root, coll)
		if err != nil {
			return err
		}
		if file == "hashes.csv" {
			body, ctype = misp.Hashes(events), "text/csv; charset=utf-8"
		} else if body, err = misp.Manifest(events); err != nil {
			return err
		}
	case strings.HasSuffix(file, ".json"):
		e, err := s.hub.MISPFeedEvent(r.Context(), p, root, coll, strings.TrimSuffix(file, ".json"))
		if err != nil {
			return err
		}
		if body, err = misp.EventJSON(e); err != nil {
			return err
		}
	default:
		return vigie.Errorf(vigie.ENOTFOUND, "a MISP feed has manifest.json, hashes.csv and <event uuid>.json; not %q", file)
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
