package server

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/taxii"
)

// taxii wraps a TAXII endpoint: it checks that the client accepts the TAXII
// media type (406 otherwise) and turns a returned error into a TAXII error.
func (s *Server) taxii(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		requestOf(r).route = r.Pattern
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		if !acceptsTAXII(r.Header.Values("Accept")) {
			s.writeError(w, r, vigie.Errorf(vigie.ENOTACCEPTABLE, "this server answers in %s; send it in the Accept header", taxii.MediaType))
			return
		}
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// acceptsTAXII reports whether Accept headers allow application/taxii+json
// version 2.1 (an absent header allows anything).
func acceptsTAXII(headers []string) bool {
	if len(headers) == 0 {
		return true
	}
	for _, h := range headers {
		for _, part := range strings.Split(h, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			if q, ok := params["q"]; ok {
				if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
					continue
				}
			}
			switch mt {
			case "*/*", "application/*":
				return true
			case "application/taxii+json":
				if v, ok := params["version"]; !ok || v == "2.1" {
					return true
				}
			}
		}
	}
	return false
}

// checkContentType refuses a POST body that is not TAXII 2.1 JSON (415).
func checkContentType(h string) error {
	mt, params, err := mime.ParseMediaType(h)
	if err == nil && mt == "application/taxii+json" {
		if v, ok := params["version"]; !ok || v == "2.1" {
			return nil
		}
	}
	return vigie.Errorf(vigie.EUNSUPPORTED, "Content-Type %q: send %s", h, taxii.MediaType)
}
