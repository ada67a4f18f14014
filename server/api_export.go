package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/export"
	"github.com/vigie-cti/vigie/hub"
)

// exportGet answers GET /api/v1/export/{format}: the active indicators
// the key's organisation may export (hub.ExportIndicators), as a Zeek
// Intel file, a Suricata dataset or rule file, an RPZ zone, a plain list
// or CSV. Parameters: collection (repeated or comma-separated ids), root,
// type (value kinds: ip, domain, url, email, hash, ...), tlp (the most
// restrictive marking exported, below what may leave the hub anyway), sid
// and prefix (Suricata), rpz_action and rpz_ttl.
//
// The output is written to a temporary file first, so that its ETag (a
// digest of the values and indicator ids, the time in headers apart)
// is known before the body is sent: If-None-Match with that ETag answers
// 304 without a body. Memory stays bounded whatever the size.
func (s *Server) exportGet(w http.ResponseWriter, r *http.Request) error {
	p, err := requireOrg(r)
	if err != nil {
		return err
	}
	name := r.PathValue("format")
	f, ok := export.FindFormat(name)
	if !ok {
		return vigie.Errorf(vigie.ENOTFOUND, "no export format %q; formats: %s", name, strings.Join(export.FormatNames(), ", "))
	}
	q, opts, err := exportParams(r)
	if err != nil {
		return err
	}
	opts.Now = time.Now()
	if s.opts.Now != nil {
		opts.Now = s.opts.Now()
	}
	tmp, err := os.CreateTemp("", "vigie-export-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	ew, err := export.New(f.Name, tmp, opts)
	if err != nil {
		return vigie.Errorf(vigie.EINVALID, "%s", strings.TrimPrefix(err.Error(), "export: "))
	}
	var st hub.ExportStats
	if f.NoIndicators {
		err = hub.Allow(p, vigie.RoleReader)
	} else {
		st, err = s.hub.ExportIndicators(r.Context(), p, q, ew.Write)
	}
	if err != nil {
		return err
	}
	if err := ew.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	sum := sha256.Sum256([]byte(f.Name + "\x00" + fmt.Sprintf("%d|%s|%s|%d", opts.SIDBase, opts.DatasetPrefix, opts.RPZAction, opts.RPZTTL) + "\x00" + ew.Digest()))
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache")
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	size, err := tmp.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	es := ew.Stats()
	skipped := 0
	for _, n := range es.Skipped {
		skipped += n
	}
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("X-Vigie-Export", fmt.Sprintf("indicators=%d lines=%d skipped=%d inactive=%d kept-on-hub=%d above-tlp=%d", st.Indicators, es.Lines, skipped, st.Inactive, st.KeptOnHub, st.AboveTLP))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err = io.Copy(w, tmp)
	if err != nil {
		s.log.Debug("export: client went away", "err", err)
	}
	return nil
}

// etagMatches applies If-None-Match (RFC 9110 §13.1.2): "*" or a list of
// entity tags, weak ones compared weakly.
func etagMatches(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// exportParams reads the query parameters of an export.
func exportParams(r *http.Request) (hub.ExportQuery, export.Options, error) {
	var q hub.ExportQuery
	var o export.Options
	v := r.URL.Query()
	for name := range v {
		switch name {
		case "collection", "root", "type", "tlp", "sid", "prefix", "rpz_action", "rpz_ttl":
		default:
			return q, o, vigie.Errorf(vigie.EINVALID, "unknown parameter %q; use collection, root, type, tlp, sid, prefix, rpz_action, rpz_ttl", name)
		}
	}
	for _, c := range v["collection"] {
		for id := range strings.SplitSeq(c, ",") {
			if id = strings.TrimSpace(id); id != "" {
				q.Collections = append(q.Collections, id)
			}
		}
	}
	if len(q.Collections) > 100 {
		return q, o, vigie.Errorf(vigie.EINVALID, "at most 100 collections")
	}
	q.Root = v.Get("root")
	var err error
	if t := v.Get("type"); t != "" {
		if o.Kinds, err = export.ParseKinds(t); err != nil {
			return q, o, vigie.Errorf(vigie.EINVALID, "%s", strings.TrimPrefix(err.Error(), "export: "))
		}
	}
	if t := v.Get("tlp"); t != "" {
		if q.MaxTLP, err = vigie.ParseTLP(t); err != nil {
			return q, o, err
		}
	}
	if sid := v.Get("sid"); sid != "" {
		if o.SIDBase, err = strconv.Atoi(sid); err != nil || o.SIDBase < 1 {
			return q, o, vigie.Errorf(vigie.EINVALID, "sid %q: want the first sid of the rules, a positive integer", sid)
		}
	}
	o.DatasetPrefix = v.Get("prefix")
	o.RPZAction = v.Get("rpz_action")
	if ttl := v.Get("rpz_ttl"); ttl != "" {
		if o.RPZTTL, err = strconv.Atoi(ttl); err != nil || o.RPZTTL < 1 || o.RPZTTL > 604800 {
			return q, o, vigie.Errorf(vigie.EINVALID, "rpz_ttl %q: want seconds, 1 to 604800", ttl)
		}
	}
	return q, o, nil
}
