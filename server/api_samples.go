package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// sampleSubmit answers POST /api/v1/samples?root=&collection=[&tlp=]
// [&name=][&recipient=ID,...] with the file as the body (at most the
// hub's --max-sample-size): the triage report and the similar samples the
// caller may read (201; 200 when the organisation had submitted it).
func (s *Server) sampleSubmit(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	in := hub.SampleSubmission{Root: q.Get("root"), Collection: q.Get("collection"), Name: q.Get("name")}
	if in.Root == "" || in.Collection == "" {
		return vigie.Errorf(vigie.EINVALID, "?root=...&collection=... required: where the sample's STIX objects are published")
	}
	if t := q.Get("tlp"); t != "" {
		if in.TLP, err = vigie.ParseTLP(t); err != nil {
			return err
		}
	}
	if rc := q.Get("recipient"); rc != "" {
		in.Recipients = strings.Split(rc, ",")
	}
	if in.Data, err = rawBody(w, r, s.hub.MaxSampleSize()); err != nil {
		return err
	}
	out, err := s.hub.SubmitSample(r.Context(), p, in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if out.Existing {
		status = http.StatusOK
	}
	return writeAPI(w, status, out)
}

// sampleGet answers GET /api/v1/samples/{sha256}: the report and the
// similar samples the caller may read.
func (s *Server) sampleGet(w http.ResponseWriter, r *http.Request) error {
	out, err := s.hub.Sample(r.Context(), principal(r), r.PathValue("sha256"))
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusOK, out)
}

// sampleSimilar answers GET /api/v1/samples/{sha256}/similar[?limit=].
func (s *Server) sampleSimilar(w http.ResponseWriter, r *http.Request) error {
	limit := 0
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return vigie.Errorf(vigie.EINVALID, "limit %q: want a positive number", l)
		}
		limit = n
	}
	out, err := s.hub.SimilarSamples(r.Context(), principal(r), r.PathValue("sha256"), limit)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusOK, map[string]any{"sha256": r.PathValue("sha256"), "similar": out})
}

// sampleDownload answers GET /api/v1/samples/{sha256}/download[?raw=1]: a
// zip whose member is encrypted with the password "infected"; raw bytes
// only for the hub's operators.
func (s *Server) sampleDownload(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("raw")
	if raw != "" && raw != "0" && raw != "1" && raw != "true" && raw != "false" {
		return vigie.Errorf(vigie.EINVALID, "raw %q: want 1 or 0", raw)
	}
	sha := r.PathValue("sha256")
	data, zipped, err := s.hub.SampleContent(r.Context(), principal(r), sha, raw == "1" || raw == "true")
	if err != nil {
		return err
	}
	name := sha + ".bin"
	w.Header().Set("Content-Type", "application/octet-stream")
	if zipped {
		name = sha + ".zip"
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("X-Vigie-Zip-Password", hub.ZipPassword)
	}
	// Never rendered or run by a browser.
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(data)
	return err
}
