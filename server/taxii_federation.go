package server

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/taxii"
)

// The federation extensions of TAXII (package taxii, federation.go): the
// provenance records of a peer's envelopes, the tombstone feed and the
// wake-up long poll. The rules are the hub's: these handlers only
// translate.

// hubInfo returns the hub's identity for discovery.
func (s *Server) hubInfo(r *http.Request) (*taxii.HubInfo, error) {
	id, op, err := s.hub.HubOperator(r.Context())
	if err != nil {
		return nil, err
	}
	info := &taxii.HubInfo{ID: id.ID}
	if op != nil {
		info.Operator, info.OperatorName = op.ID, op.Name
	}
	return info, nil
}

// records returns the provenance of a page's objects for a caller with a
// key of role peer, nil for anyone else.
func (s *Server) records(r *http.Request, page *vigie.ObjectPage) ([]taxii.Record, error) {
	p := principal(r)
	if p.Role != vigie.RolePeer || len(page.Objects) == 0 {
		return nil, nil
	}
	prov, err := s.hub.Provenance(r.Context(), p, page.Objects)
	if err != nil {
		return nil, err
	}
	out := make([]taxii.Record, len(prov))
	for i, o := range page.Objects {
		out[i] = taxii.Record{ID: o.ID, DateAdded: taxii.FormatTimestamp(o.DateAdded),
			OriginHub: prov[i].OriginHub, OriginOrg: prov[i].OriginOrg, OriginOrgName: prov[i].OriginOrgName}
	}
	return out, nil
}

// relayed returns the provenance of objs and this hub's id: the manifest
// names the origin of objects relayed from peers.
func (s *Server) relayed(r *http.Request, objs []*vigie.Object) ([]hub.Provenance, string, error) {
	self, err := s.hub.HubIdentity(r.Context())
	if err != nil {
		return nil, "", err
	}
	prov, err := s.hub.Provenance(r.Context(), principal(r), objs)
	return prov, self.ID, err
}

// writeRecords appends x_vigie_records to an envelope being written.
func writeRecords(bw *bufio.Writer, recs []taxii.Record) error {
	if len(recs) == 0 {
		return nil
	}
	b, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	bw.WriteString(`,"x_vigie_records":`)
	bw.Write(b)
	return nil
}

func (s *Server) tombstoneList(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.readableCollection(r)
	if err != nil {
		return err
	}
	f, err := taxii.ParseFilter(r.URL.Query(), taxii.ParamAddedAfter, taxii.ParamLimit, taxii.ParamNext)
	if err != nil {
		return err
	}
	after := f.AddedAfter
	if f.HasNext && f.Next.After(after) {
		after = f.Next
	}
	page, err := s.hub.Tombstones(r.Context(), principal(r), a, &vigie.TombstoneQuery{Collection: c.ID, AddedAfter: after, Limit: f.Limit})
	if err != nil {
		return err
	}
	objs := make([]*vigie.Object, len(page.Tombstones))
	for i, t := range page.Tombstones {
		objs[i] = &vigie.Object{ID: t.ID, Sharing: t.Sharing}
	}
	prov, err := s.hub.Provenance(r.Context(), principal(r), objs)
	if err != nil {
		return err
	}
	out := taxii.Tombstones{More: page.More}
	for i, t := range page.Tombstones {
		out.Tombstones = append(out.Tombstones, taxii.Tombstone{ID: t.ID, Version: t.Version, DateAdded: taxii.FormatTimestamp(t.DateAdded),
			Kind: t.Kind, OriginHub: prov[i].OriginHub, OriginOrg: prov[i].OriginOrg})
	}
	if n := len(page.Tombstones); n > 0 {
		first, last := page.Tombstones[0].DateAdded, page.Tombstones[n-1].DateAdded
		w.Header().Set(taxii.HeaderDateAddedFirst, taxii.FormatTimestamp(first))
		w.Header().Set(taxii.HeaderDateAddedLast, taxii.FormatTimestamp(last))
		if page.More {
			out.Next = taxii.EncodeNext(last)
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// waitGet answers the wake-up long poll: {"changed": true} as soon as the
// collection has something new the caller may read, false after timeout
// seconds (default 25, at most hub.MaxWait).
func (s *Server) waitGet(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.readableCollection(r)
	if err != nil {
		return err
	}
	var after, tombAfter time.Time
	timeout := 25 * time.Second
	for name, vals := range r.URL.Query() {
		if len(vals) != 1 {
			return vigie.Errorf(vigie.EINVALID, "URL parameter %q given %d times; give it once", name, len(vals))
		}
		switch v := vals[0]; name {
		case taxii.ParamAddedAfter:
			after, err = taxii.ParseTimestamp(v)
		case taxii.ParamTombstonesAfter:
			tombAfter, err = taxii.ParseTimestamp(v)
		case taxii.ParamTimeout:
			n, perr := strconv.Atoi(v)
			if perr != nil || n < 0 || time.Duration(n)*time.Second > hub.MaxWait {
				return vigie.Errorf(vigie.EINVALID, "timeout %q: want whole seconds from 0 to %d", v, int(hub.MaxWait/time.Second))
			}
			timeout = time.Duration(n) * time.Second
		default:
			return vigie.Errorf(vigie.EINVALID, "unknown URL parameter %q here; this endpoint takes %s, %s and %s", name, taxii.ParamAddedAfter, taxii.ParamTombstonesAfter, taxii.ParamTimeout)
		}
		if err != nil {
			return err
		}
	}
	changed, err := s.hub.Wait(r.Context(), principal(r), a, c, after, tombAfter, timeout)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, taxii.WaitResult{Changed: changed})
}

// peerPost checks a POST from a peer hub (a key of role peer, a TAXII
// content type) and reads its body within the API root's size limit.
func (s *Server) peerPost(w http.ResponseWriter, r *http.Request) (vigie.Principal, []byte, error) {
	p, err := requireRole(r, vigie.RolePeer)
	if err != nil {
		return p, nil, err
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return p, nil, err
	}
	root, err := s.hub.APIRoot(r.Context(), p, r.PathValue("root"))
	if err != nil {
		return p, nil, err
	}
	body, err := readBody(w, r, root.MaxContentLength)
	return p, body, err
}

// pushAdd receives a push from a peer hub (key of role peer, write grant
// on the collection): the hub relays it as it would a pull.
func (s *Server) pushAdd(w http.ResponseWriter, r *http.Request) error {
	p, body, err := s.peerPost(w, r)
	if err != nil {
		return err
	}
	var push taxii.Push
	if err := json.Unmarshal(body, &push); err != nil {
		return vigie.Errorf(vigie.EINVALID, "malformed push: %v", err)
	}
	if len(push.Objects) != len(push.Records) {
		return vigie.Errorf(vigie.EUNPROCESSABLE, "%d objects with %d x_vigie_records: want one provenance record per object", len(push.Objects), len(push.Records))
	}
	items := make([]hub.RelayItem, len(push.Objects))
	for i, raw := range push.Objects {
		rec := push.Records[i]
		items[i] = hub.RelayItem{ID: rec.ID, Raw: raw, OriginHub: rec.OriginHub, OriginOrg: rec.OriginOrg, OriginOrgName: rec.OriginOrgName}
	}
	tombs := make([]hub.RelayTombstone, len(push.Tombstones))
	for i, t := range push.Tombstones {
		tombs[i] = hub.RelayTombstone{ID: t.ID, Version: t.Version, Kind: t.Kind, OriginHub: t.OriginHub, OriginOrg: t.OriginOrg}
	}
	st, err := s.hub.AcceptPush(r.Context(), p, r.PathValue("root"), r.PathValue("id"), items, tombs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, taxii.PushResult{Received: st.Received, Stored: st.Stored, Duplicates: st.Duplicates,
		Dropped: st.Looped + st.Spoofed + st.NotOwner + st.TooRestricted + st.Invalid, Retracted: st.Retracted})
}

// sightingsAdd receives sightings a peer hub reports back about this
// hub's indicators (key of role peer that reads the collection).
func (s *Server) sightingsAdd(w http.ResponseWriter, r *http.Request) error {
	p, body, err := s.peerPost(w, r)
	if err != nil {
		return err
	}
	report, err := vigie.ParseSightingReport(body)
	if err != nil {
		return err
	}
	res, err := s.hub.ReceiveSightings(r.Context(), p, r.PathValue("root"), r.PathValue("id"), report)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// sightingsGet answers a peer hub that pushes here and fetches the
// sightings of the indicators it pushed (?stream=&after=).
func (s *Server) sightingsGet(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePeer)
	if err != nil {
		return err
	}
	stream, after := r.URL.Query().Get("stream"), int64(0)
	if v := r.URL.Query().Get("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return vigie.Errorf(vigie.EINVALID, "after %q: want a position (a non-negative integer)", v)
		}
	}
	page, err := s.hub.SightingsForPusher(r.Context(), p, r.PathValue("root"), r.PathValue("id"), stream, after)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page)
}
