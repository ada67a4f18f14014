package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/taxii"
)

// readableCollection resolves the collection of the URL for reading: 401
// for anonymous callers of a non-public collection, 403 when the caller
// may only write it.
func (s *Server) readableCollection(r *http.Request) (*vigie.Collection, vigie.Access, error) {
	p := principal(r)
	c, a, err := s.hub.Collection(r.Context(), p, r.PathValue("root"), r.PathValue("id"))
	if err == nil && !a.Read {
		err = vigie.Errorf(vigie.EFORBIDDEN, "you may write to collection %s but not read it", c.ID)
	}
	return c, a, err
}

// query turns a parsed filter into a store query for collection c.
func query(c *vigie.Collection, f taxii.Filter) *vigie.ObjectQuery {
	after := f.AddedAfter
	if f.HasNext && f.Next.After(after) {
		after = f.Next
	}
	return &vigie.ObjectQuery{
		Collection: c.ID, AddedAfter: after, Limit: f.Limit,
		IDs: f.IDs, Types: f.Types, Versions: f.Versions, SpecVersions: f.SpecVersions,
	}
}

// pageHeaders sets the X-TAXII-Date-Added-First/Last headers of a page.
func pageHeaders(w http.ResponseWriter, objs []*vigie.Object) {
	if len(objs) == 0 {
		return
	}
	w.Header().Set(taxii.HeaderDateAddedFirst, taxii.FormatTimestamp(objs[0].DateAdded))
	w.Header().Set(taxii.HeaderDateAddedLast, taxii.FormatTimestamp(objs[len(objs)-1].DateAdded))
}

// nextToken returns the "next" value of a page, or "".
func nextToken(p *vigie.ObjectPage) string {
	if !p.More || len(p.Objects) == 0 {
		return ""
	}
	return taxii.EncodeNext(p.Objects[len(p.Objects)-1].DateAdded)
}

func (s *Server) objectList(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.readableCollection(r)
	if err != nil {
		return err
	}
	f, err := taxii.ParseFilter(r.URL.Query(), taxii.ParamAddedAfter, taxii.ParamLimit, taxii.ParamNext,
		taxii.ParamID, taxii.ParamType, taxii.ParamVersion, taxii.ParamSpecVersion)
	if err != nil {
		return err
	}
	page, err := s.hub.Objects(r.Context(), principal(r), a, query(c, f))
	if err != nil {
		return err
	}
	recs, err := s.records(r, page)
	if err != nil {
		return err
	}
	return writeEnvelope(w, page, recs...)
}

// writeEnvelope writes a page as a TAXII envelope, copying each object's
// stored JSON as it is rather than decoding and encoding it again; recs,
// for a peer hub, are the objects' provenance.
func writeEnvelope(w http.ResponseWriter, page *vigie.ObjectPage, recs ...taxii.Record) error {
	pageHeaders(w, page.Objects)
	w.Header().Set("Content-Type", taxii.MediaType)
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"more":` + strconv.FormatBool(page.More))
	if next := nextToken(page); next != "" {
		bw.WriteString(`,"next":"` + next + `"`)
	}
	if len(page.Objects) > 0 {
		bw.WriteString(`,"objects":[`)
		for i, o := range page.Objects {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.Write(o.Raw)
		}
		bw.WriteByte(']')
	}
	if err := writeRecords(bw, recs); err != nil {
		return err
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

func (s *Server) objectAdd(w http.ResponseWriter, r *http.Request) error {
	p, err := requireOrg(r)
	if err != nil {
		return err
	}
	c, a, err := s.hub.Collection(r.Context(), p, r.PathValue("root"), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !a.Write {
		return vigie.Errorf(vigie.EFORBIDDEN, "you may not write to collection %s", c.ID)
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	root, err := s.hub.APIRoot(r.Context(), p, c.Root)
	if err != nil {
		return err
	}
	body, err := readBody(w, r, root.MaxContentLength)
	if err != nil {
		return err
	}
	objs, err := decodeEnvelope(body)
	if err != nil {
		return err
	}
	st, err := s.hub.Publish(r.Context(), p, a, c, objs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, statusResource(st))
}

// readBody reads a request body of at most max bytes (413 beyond).
func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	tooLarge := vigie.Errorf(vigie.ETOOLARGE, "request body over max_content_length (%d bytes); split the envelope", max)
	if r.ContentLength > max {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooLarge
	} else if err != nil {
		return nil, vigie.Errorf(vigie.EINVALID, "reading the request body: %v", err)
	}
	return body, nil
}

// decodeEnvelope returns the objects of a TAXII envelope: 400 for JSON that
// does not parse, 422 for JSON that is not an envelope.
func decodeEnvelope(body []byte) ([]json.RawMessage, error) {
	objs, ok := splitEnvelope(body)
	if !ok {
		var err error
		if objs, err = unmarshalEnvelope(body); err != nil {
			return nil, err
		}
	}
	if objs == nil {
		return nil, vigie.Errorf(vigie.EUNPROCESSABLE, "not a TAXII envelope: no \"objects\" list")
	}
	return objs, nil
}

// unmarshalEnvelope decodes an envelope with encoding/json, whose errors
// say what is wrong with the JSON. The objects are nil without a list.
func unmarshalEnvelope(body []byte) ([]json.RawMessage, error) {
	var env struct {
		Objects *[]json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, vigie.Errorf(vigie.EINVALID, "malformed JSON at byte %d: %v", se.Offset, err)
		case errors.As(err, &te):
			return nil, vigie.Errorf(vigie.EUNPROCESSABLE, "not a TAXII envelope: %q must be a list of STIX objects", "objects")
		}
		return nil, vigie.Errorf(vigie.EINVALID, "malformed JSON: %v", err)
	}
	if env.Objects == nil {
		return nil, nil
	}
	return *env.Objects, nil
}

func (s *Server) objectGet(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.readableCollection(r)
	if err != nil {
		return err
	}
	f, err := taxii.ParseFilter(r.URL.Query(), taxii.ParamAddedAfter, taxii.ParamLimit, taxii.ParamNext,
		taxii.ParamVersion, taxii.ParamSpecVersion)
	if err != nil {
		return err
	}
	if f.IDs, err = objectID(r); err != nil {
		return err
	}
	page, err := s.hub.Objects(r.Context(), principal(r), a, query(c, f))
	if err != nil {
		return err
	}
	if len(page.Objects) == 0 {
		if err := s.mustExist(r, a, c, f.IDs[0]); err != nil {
			return err
		}
	}
	return writeEnvelope(w, page)
}

// objectID returns the STIX id of the URL as a one-element list.
func objectID(r *http.Request) ([]string, error) {
	id := r.PathValue("object")
	f, err := taxii.ParseFilter(map[string][]string{taxii.ParamID: {id}}, taxii.ParamID)
	if err != nil || len(f.IDs) != 1 {
		return nil, vigie.Errorf(vigie.EINVALID, "%q is not a STIX identifier (type--UUID)", id)
	}
	return f.IDs, nil
}

// mustExist returns ENOTFOUND unless the reader can see some version of id.
func (s *Server) mustExist(r *http.Request, a vigie.Access, c *vigie.Collection, id string) error {
	any, err := s.hub.Objects(r.Context(), principal(r), a, &vigie.ObjectQuery{
		Collection: c.ID, IDs: []string{id}, Versions: vigie.VersionFilter{All: true}, Limit: 1, WithoutRaw: true,
	})
	if err != nil {
		return err
	}
	if len(any.Objects) == 0 {
		return vigie.Errorf(vigie.ENOTFOUND, "no object %s in collection %s", id, c.ID)
	}
	return nil
}

// ReasonHeader carries the reason of a deletion by the hub operator; it is
// recorded in the audit log.
const ReasonHeader = "X-Vigie-Reason"

func (s *Server) objectDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := requireOrg(r)
	if err != nil {
		return err
	}
	f, err := taxii.ParseFilter(r.URL.Query(), taxii.ParamVersion, taxii.ParamSpecVersion)
	if err != nil {
		return err
	}
	if f.IDs, err = objectID(r); err != nil {
		return err
	}
	if f.Versions.IsZero() {
		// Without match[version], DELETE removes the object: every version.
		f.Versions.All = true
	}
	q := query(&vigie.Collection{ID: r.PathValue("id")}, f)
	if _, err := s.hub.Delete(r.Context(), p, r.PathValue("root"), q, r.Header.Get(ReasonHeader)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", taxii.MediaType)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) versionList(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.readableCollection(r)
	if err != nil {
		return err
	}
	f, err := taxii.ParseFilter(r.URL.Query(), taxii.ParamAddedAfter, taxii.ParamLimit, taxii.ParamNext, taxii.ParamSpecVersion)
	if err != nil {
		return err
	}
	if f.IDs, err = objectID(r); err != nil {
		return err
	}
	f.Versions = vigie.VersionFilter{All: true}
	q := query(c, f)
	q.WithoutRaw = true
	page, err := s.hub.Objects(r.Context(), principal(r), a, q)
	if err != nil {
		return err
	}
	if len(page.Objects) == 0 {
		if err := s.mustExist(r, a, c, f.IDs[0]); err != nil {
			return err
		}
	}
	out := taxii.Versions{More: page.More, Next: nextToken(page)}
	for _, o := range page.Objects {
		out.Versions = append(out.Versions, versionOf(o))
	}
	pageHeaders(w, page.Objects)
	return writeJSON(w, http.StatusOK, out)
}

// versionOf is the TAXII version of a stored object: modified, else
// created, else (SCOs) the time it was added.
func versionOf(o *vigie.Object) string {
	if o.Version != "" {
		return o.Version
	}
	return taxii.FormatTimestamp(o.DateAdded)
}

func (s *Server) manifestGet(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.readableCollection(r)
	if err != nil {
		return err
	}
	f, err := taxii.ParseFilter(r.URL.Query(), taxii.ParamAddedAfter, taxii.ParamLimit, taxii.ParamNext,
		taxii.ParamID, taxii.ParamType, taxii.ParamVersion, taxii.ParamSpecVersion)
	if err != nil {
		return err
	}
	q := query(c, f)
	q.WithoutRaw = true
	page, err := s.hub.Objects(r.Context(), principal(r), a, q)
	if err != nil {
		return err
	}
	prov, self, err := s.relayed(r, page.Objects)
	if err != nil {
		return err
	}
	out := taxii.Manifest{More: page.More, Next: nextToken(page)}
	for i, o := range page.Objects {
		rec := taxii.ManifestRecord{
			ID: o.ID, DateAdded: taxii.FormatTimestamp(o.DateAdded), Version: versionOf(o), MediaType: taxii.STIXMediaType,
			RelayedBy: o.RelayedBy(),
		}
		if p := prov[i]; p.OriginHub != self {
			rec.OriginHub, rec.OriginOrg, rec.OriginOrgName = p.OriginHub, p.OriginOrg, p.OriginOrgName
		}
		out.Objects = append(out.Objects, rec)
	}
	pageHeaders(w, page.Objects)
	return writeJSON(w, http.StatusOK, out)
}
