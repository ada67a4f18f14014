package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/similar"
	"github.com/vigie-cti/vigie/triage"
	"github.com/vigie-cti/vigie/zipcrypto"
)

// DefaultMaxSampleSize is the largest sample a hub takes unless
// configured otherwise.
const DefaultMaxSampleSize = 64 << 20

// ZipPassword is the password of downloaded samples: the convention of
// analysts and MISP.
const ZipPassword = "infected"

// Thresholds of the similar-sample early warning: a new sample this close
// to a member's sample warns the member.
const (
	AlertMaxTLSH     = 70
	AlertMinSSDEEP   = 50
	maxSimilarShown  = 50
	maxSimilarLookup = 500 // neighbours examined before filtering by access
)

// SampleSubmission is a file submitted for triage, and where its STIX
// objects are published.
type SampleSubmission struct {
	Root, Collection string
	TLP              vigie.TLP // TLPNone: the hub's default
	Recipients       []string  // for RED: the organisations that may read it
	Name             string
	Data             []byte
}

// sampleIndex is the hub's similarity index, filled from the store and
// caught up before each use (other processes may have added samples).
type sampleIndex struct {
	mu   sync.Mutex
	ix   *similar.Index
	last int64
}

func (h *Hub) similarIndex(ctx context.Context) (*similar.Index, error) {
	si := &h.samples
	si.mu.Lock()
	defer si.mu.Unlock()
	if si.ix == nil {
		si.ix = similar.New()
	}
	for {
		batch, err := h.store.SampleFingerprints(ctx, si.last, 1000)
		if err != nil {
			return nil, err
		}
		for _, s := range batch {
			si.last = s.ID
			if s.ID <= 0 || s.ID > 1<<32-1 {
				continue
			}
			if err := si.ix.Add(fingerprint(s)); err != nil {
				h.cfg.Logger.Warn("similarity index: sample skipped", "sample", s.ID, "err", err)
			}
		}
		if len(batch) < 1000 {
			return si.ix, nil
		}
	}
}

func fingerprint(s *vigie.Sample) similar.Fingerprint {
	return similar.Fingerprint{ID: uint32(s.ID), TLSH: s.TLSH, SSDEEP: s.SSDEEP, Imphash: s.Imphash}
}

// MaxSampleSize returns the largest sample the hub takes.
func (h *Hub) MaxSampleSize() int64 {
	if h.cfg.MaxSampleSize <= 0 {
		return DefaultMaxSampleSize
	}
	return h.cfg.MaxSampleSize
}

// SubmitSample triages a file statically (it is never executed), stores it
// compressed in the store (never as a runnable file), publishes its STIX
// file, artifact and malware-analysis objects in a collection the caller
// may write, with its TLP marking, and warns the members whose samples
// are similar (trigger similar-sample). The answer lists the similar
// samples the caller may read. A file the organisation submitted before is
// not stored again: its report is returned (Existing). ETOOLARGE over the
// size limit, EINVALID for an empty file, EFORBIDDEN without write access.
func (h *Hub) SubmitSample(ctx context.Context, p vigie.Principal, in SampleSubmission) (*api.Sample, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	if int64(len(in.Data)) > h.MaxSampleSize() {
		return nil, vigie.Errorf(vigie.ETOOLARGE, "sample of %d bytes over the limit of %d (--max-sample-size)", len(in.Data), h.MaxSampleSize())
	}
	if len(in.Data) == 0 {
		return nil, vigie.Errorf(vigie.EINVALID, "empty sample")
	}
	if len(in.Name) > 255 {
		return nil, vigie.Errorf(vigie.EINVALID, "sample name longer than 255 characters")
	}
	if in.TLP != vigie.TLPRed && len(in.Recipients) > 0 {
		return nil, vigie.Errorf(vigie.EINVALID, "recipients are for TLP:RED samples only")
	}
	c, a, err := h.Collection(ctx, p, in.Root, in.Collection)
	if err != nil {
		return nil, err
	}
	if !a.Write {
		return nil, vigie.Errorf(vigie.EFORBIDDEN, "you may not write to collection %s", c.ID)
	}
	shared, err := h.indicatorsFor(ctx, p)
	if err != nil {
		return nil, err
	}
	sc, closeScanner := h.scanner(shared)
	rep := triage.Analyze(in.Data, triage.Options{YARA: sc})
	closeScanner()
	// YARA hits and indicators are the submitter's to see: they come from
	// what it may read, and stay out of the stored, shared report.
	hits, named := rep.YARA, shared.naming(rep.Hashes)
	rep.YARA = nil
	if prev, err := h.ownSubmission(ctx, p, rep.Hashes.SHA256); err != nil {
		return nil, err
	} else if prev != nil {
		out, err := h.sampleView(ctx, p, prev)
		if out != nil {
			out.Existing, out.YARA, out.Indicators = true, yaraHits(hits), named
		}
		return out, err
	}
	reportJSON, err := json.Marshal(rep)
	if err != nil {
		return nil, fmt.Errorf("hub: sample report: %w", err)
	}
	s := &vigie.Sample{
		SHA256: rep.Hashes.SHA256, OrgID: p.OrgID, Root: c.Root, Collection: c.ID, TLP: in.TLP, Recipients: in.Recipients,
		Name: in.Name, Size: rep.Size, Type: string(rep.Type), TLSH: rep.TLSH, SSDEEP: rep.SSDEEP, Report: reportJSON,
		Created: h.now().UTC(),
	}
	if rep.PE != nil {
		s.Imphash = rep.PE.Imphash
	}
	objs, err := h.sampleSTIX(s, rep)
	if err != nil {
		return nil, err
	}
	st, err := h.Publish(ctx, p, a, c, objs)
	if err != nil {
		return nil, err
	}
	if len(st.Failures) > 0 {
		return nil, vigie.Errorf(vigie.EINVALID, "the sample's STIX objects were refused: %s", st.Failures[0].Message)
	}
	blob, err := encodeSample(in.Data)
	if err != nil {
		return nil, err
	}
	if err := h.store.CreateSample(ctx, s, blob); err != nil {
		return nil, err
	}
	if err := h.record(ctx, withDetail(h.newEntry(p, vigie.AuditSampleSubmit, "sample "+s.SHA256, vigie.OutcomeSuccess),
		map[string]string{"collection": c.ID, "tlp": s.TLP.String(), "size": fmt.Sprint(s.Size), "type": s.Type})); err != nil {
		return nil, err
	}
	if err := h.warnSimilar(ctx, s); err != nil {
		h.cfg.Logger.Error("similar-sample alerts failed", "sample", s.SHA256, "err", err)
	}
	out, err := h.sampleView(ctx, p, s)
	if out != nil {
		out.YARA, out.Indicators = yaraHits(hits), named
	}
	return out, err
}

func yaraHits(ms []triage.YARAMatch) []api.YARAHit {
	var out []api.YARAHit
	for _, m := range ms {
		out = append(out, api.YARAHit{Indicator: m.Namespace, Rule: m.Rule})
	}
	return out
}

func (h *Hub) ownSubmission(ctx context.Context, p vigie.Principal, sha string) (*vigie.Sample, error) {
	all, err := h.store.FindSamples(ctx, sha)
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.OrgID == p.OrgID {
			return s, nil
		}
	}
	return nil, nil
}

// readable reports whether p may read sample s: through the collection
// it is published in and its TLP marking (vigie.CanRead), or because p's
// organisation submitted it.
func (h *Hub) readable(ctx context.Context, p vigie.Principal, s *vigie.Sample, cols map[string]*vigie.Collection) (bool, error) {
	if !p.Anonymous() && s.OrgID == p.OrgID {
		return true, nil
	}
	key := s.Root + "\x00" + s.Collection
	c, ok := cols[key]
	if !ok {
		var err error
		c, err = h.store.FindCollection(ctx, s.Root, s.Collection)
		if vigie.ErrorCode(err) == vigie.ENOTFOUND {
			c = nil
		} else if err != nil {
			return false, err
		}
		cols[key] = c
	}
	if c == nil {
		return false, nil
	}
	a := vigie.CollectionAccess(p, c)
	return a.Read && vigie.CanRead(p.Scope(a, h.cfg.DefaultTLP), s.Sharing()), nil
}

// readableSample returns the submission of sha the caller may read: its
// own, else the first readable one. ENOTFOUND when there is none (also
// when the sample exists but is not readable: its existence is not told).
func (h *Hub) readableSample(ctx context.Context, p vigie.Principal, sha string) (*vigie.Sample, error) {
	if !vigie.ValidSHA256(sha) {
		return nil, vigie.Errorf(vigie.EINVALID, "sample %q: want a SHA-256 in lower-case hex", sha)
	}
	all, err := h.store.FindSamples(ctx, sha)
	if err != nil {
		return nil, err
	}
	cols := map[string]*vigie.Collection{}
	var found *vigie.Sample
	for _, s := range all {
		if !p.Anonymous() && s.OrgID == p.OrgID {
			return s, nil
		}
		if found == nil {
			ok, err := h.readable(ctx, p, s, cols)
			if err != nil {
				return nil, err
			}
			if ok {
				found = s
			}
		}
	}
	if found == nil {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no sample %s", sha)
	}
	return found, nil
}

// Sample returns a sample's triage report and the similar samples p may
// read. ENOTFOUND when p may read no submission of it.
func (h *Hub) Sample(ctx context.Context, p vigie.Principal, sha string) (*api.Sample, error) {
	if err := Allow(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	s, err := h.readableSample(ctx, p, sha)
	if err != nil {
		return nil, err
	}
	return h.sampleView(ctx, p, s)
}

func (h *Hub) sampleView(ctx context.Context, p vigie.Principal, s *vigie.Sample) (*api.Sample, error) {
	if s.Report == nil {
		full, err := h.store.FindSamples(ctx, s.SHA256)
		if err != nil {
			return nil, err
		}
		for _, f := range full {
			if f.ID == s.ID {
				s = f
			}
		}
	}
	sim, err := h.similarTo(ctx, p, s, maxSimilarShown)
	if err != nil {
		return nil, err
	}
	return &api.Sample{
		SHA256: s.SHA256, Name: s.Name, Size: s.Size, Type: s.Type, TLP: s.TLP.Effective(h.cfg.DefaultTLP).String(),
		Root: s.Root, Collection: s.Collection, Yours: s.OrgID == p.OrgID, Submitted: s.Created,
		AnalysisID: s.AnalysisID, FileID: s.FileID, Report: s.Report, Similar: sim,
	}, nil
}

// SimilarSamples returns the samples like sha that p may read, closest
// first (at most limit, 50 by default).
func (h *Hub) SimilarSamples(ctx context.Context, p vigie.Principal, sha string, limit int) ([]api.SimilarSample, error) {
	if err := Allow(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	s, err := h.readableSample(ctx, p, sha)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > maxSimilarShown {
		limit = maxSimilarShown
	}
	return h.similarTo(ctx, p, s, limit)
}

// neighbours returns the samples similar to s (whoever may read them),
// closest first, with their matches.
func (h *Hub) neighbours(ctx context.Context, s *vigie.Sample) ([]*vigie.Sample, map[int64]similar.Match, error) {
	ix, err := h.similarIndex(ctx)
	if err != nil {
		return nil, nil, err
	}
	fp := fingerprint(s)
	ms, err := ix.Search(similar.Query{TLSH: fp.TLSH, SSDEEP: fp.SSDEEP, Imphash: fp.Imphash, Exclude: fp.ID, Limit: maxSimilarLookup})
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, len(ms))
	byID := map[int64]similar.Match{}
	for i, m := range ms {
		ids[i] = int64(m.ID)
		byID[int64(m.ID)] = m
	}
	rows, err := h.store.SamplesByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	order := map[int64]int{}
	for i, id := range ids {
		order[id] = i
	}
	sorted := make([]*vigie.Sample, len(ids))
	for _, r := range rows {
		sorted[order[r.ID]] = r
	}
	out := sorted[:0]
	for _, r := range sorted {
		if r != nil {
			out = append(out, r)
		}
	}
	return out, byID, nil
}

func (h *Hub) similarTo(ctx context.Context, p vigie.Principal, s *vigie.Sample, limit int) ([]api.SimilarSample, error) {
	ns, matches, err := h.neighbours(ctx, s)
	if err != nil {
		return nil, err
	}
	cols := map[string]*vigie.Collection{}
	out := []api.SimilarSample{}
	for _, n := range ns {
		if len(out) == limit {
			break
		}
		ok, err := h.readable(ctx, p, n, cols)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		m := matches[n.ID]
		out = append(out, api.SimilarSample{
			SHA256: n.SHA256, Type: n.Type, Size: n.Size, TLP: n.TLP.Effective(h.cfg.DefaultTLP).String(), Root: n.Root,
			Collection: n.Collection, AnalysisID: n.AnalysisID, TLSHDistance: m.Distance, SSDEEPScore: m.Score,
			ImphashEqual: m.Imphash, Yours: n.OrgID == p.OrgID,
		})
	}
	return out, nil
}

// warnSimilar raises a similar-sample alert for each organisation that
// holds a sample close to the new one s and may read s. The alert points
// at s's malware-analysis object and names neither the submitter nor its
// organisation.
func (h *Hub) warnSimilar(ctx context.Context, s *vigie.Sample) error {
	ns, matches, err := h.neighbours(ctx, s)
	if err != nil {
		return err
	}
	cols := map[string]*vigie.Collection{}
	principals := map[string]*vigie.Principal{}
	var alerts []*vigie.Alert
	warned := map[string]bool{}
	for _, n := range ns {
		m := matches[n.ID]
		close := m.Distance >= 0 && m.Distance <= AlertMaxTLSH || m.Score >= AlertMinSSDEEP
		if !close || n.OrgID == s.OrgID || warned[n.OrgID] {
			continue
		}
		rp, ok := principals[n.OrgID]
		if !ok {
			comms, err := h.store.OrgCommunities(ctx, n.OrgID)
			if err != nil {
				return err
			}
			rp = &vigie.Principal{OrgID: n.OrgID, Role: vigie.RoleReader, Communities: comms}
			principals[n.OrgID] = rp
		}
		may, err := h.readable(ctx, *rp, s, cols)
		if err != nil {
			return err
		}
		if !may {
			continue
		}
		warned[n.OrgID] = true
		detail := fmt.Sprintf("your sample %s (%s) and the new sample %s:", n.SHA256, n.Type, s.SHA256)
		if m.Distance >= 0 {
			detail += fmt.Sprintf(" TLSH distance %d", m.Distance)
		}
		if m.Score > 0 {
			detail += fmt.Sprintf(" ssdeep score %d", m.Score)
		}
		if m.Imphash {
			detail += " same imphash"
		}
		now := h.now().UTC()
		alerts = append(alerts, &vigie.Alert{
			ID: "alert--" + vigie.NewUUID(), OrgID: n.OrgID, Trigger: vigie.TriggerSimilarSample, Severity: vigie.SeverityMedium,
			State: vigie.AlertNew, Title: "a sample similar to one you shared was submitted", Detail: detail,
			DedupKey: "similar-sample/" + s.SHA256,
			Objects:  []vigie.ObjectRef{{ID: s.AnalysisID, Type: "malware-analysis", Name: s.SHA256, Collection: s.Collection, Root: s.Root}},
			Count:    1, FirstSeen: now, LastSeen: now, Updated: now,
		})
	}
	if len(alerts) == 0 {
		return nil
	}
	_, err = h.store.RecordAlerts(ctx, &vigie.AlertBatch{Now: h.now().UTC(), Alerts: alerts})
	return err
}

// SampleContent returns a sample's content for download: a zip whose one
// member is encrypted with the password "infected" (zipped true), or, for
// an operator who asks (raw), the bytes themselves. ENOTFOUND when p may
// not read the sample, EFORBIDDEN for raw without the operator role.
func (h *Hub) SampleContent(ctx context.Context, p vigie.Principal, sha string, raw bool) (content []byte, zipped bool, err error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, false, err
	}
	if raw && !p.Role.Allows(vigie.RoleOperator) {
		return nil, false, vigie.Errorf(vigie.EFORBIDDEN, "only the hub's operators download samples unwrapped; others get a zip with the password %q", ZipPassword)
	}
	s, err := h.readableSample(ctx, p, sha)
	if err != nil {
		return nil, false, err
	}
	blob, err := h.store.SampleBlob(ctx, s.ID)
	if err != nil {
		return nil, false, err
	}
	data, err := decodeSample(blob)
	if err != nil {
		return nil, false, err
	}
	if err := h.record(ctx, withDetail(h.newEntry(p, vigie.AuditSampleFetch, "sample "+s.SHA256, vigie.OutcomeSuccess),
		map[string]string{"raw": fmt.Sprint(raw)})); err != nil {
		return nil, false, err
	}
	if raw {
		return data, false, nil
	}
	var b bytes.Buffer
	if err := zipcrypto.Write(&b, ZipPassword, zipcrypto.File{Name: s.SHA256 + ".bin", Data: data, Modified: s.Created}); err != nil {
		return nil, false, fmt.Errorf("hub: zip sample: %w", err)
	}
	return b.Bytes(), true, nil
}

// The stored form of a sample: a header naming the format, then the file
// compressed with zstd. Never a runnable file, on disk or in a backup.
const sampleMagic = "vigie-sample/1 zstd\n"

func encodeSample(data []byte) ([]byte, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	return enc.EncodeAll(data, []byte(sampleMagic)), nil
}

func decodeSample(blob []byte) ([]byte, error) {
	if !bytes.HasPrefix(blob, []byte(sampleMagic)) {
		return nil, fmt.Errorf("hub: stored sample in an unknown format")
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderMaxMemory(1<<30))
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	return dec.DecodeAll(blob[len(sampleMagic):], nil)
}

// sampleSTIX returns the STIX objects of a sample: a file (its hashes and
// size), an artifact pointing at its download URL (when the hub knows its
// public URL), and a malware-analysis (static triage, result "unknown":
// triage does not judge) that refers to both. None names the submitting
// organisation (no created_by_ref): members warned of a similar sample
// learn what it is, not who found it.
func (h *Hub) sampleSTIX(s *vigie.Sample, rep *triage.Report) ([]json.RawMessage, error) {
	hashes := map[string]string{"MD5": rep.Hashes.MD5, "SHA-1": rep.Hashes.SHA1, "SHA-256": rep.Hashes.SHA256, "SHA-512": rep.Hashes.SHA512}
	// Random ids, not the deterministic ones of STIX 2.1 section 2.9 (a
	// SHOULD): each submission's objects carry its own marking, and two
	// organisations' copies of one file must not claim the same id.
	s.FileID = "file--" + vigie.NewUUID()
	marks := markings(s.TLP)
	file := map[string]any{"type": "file", "spec_version": "2.1", "id": s.FileID, "hashes": hashes, "size": rep.Size}
	refs := []string{s.FileID}
	var objs []map[string]any
	if marks != nil {
		file["object_marking_refs"] = marks
	}
	objs = append(objs, file)
	if h.cfg.PublicURL != "" {
		art := map[string]any{"type": "artifact", "spec_version": "2.1",
			"id":     "artifact--" + vigie.NewUUID(),
			"url":    h.cfg.PublicURL + "/api/v1/samples/" + s.SHA256 + "/download",
			"hashes": map[string]string{"SHA-256": rep.Hashes.SHA256}}
		if marks != nil {
			art["object_marking_refs"] = marks
		}
		refs = append(refs, art["id"].(string))
		objs = append(objs, art)
	}
	ts := s.Created.Format("2006-01-02T15:04:05.000Z")
	s.AnalysisID = "malware-analysis--" + vigie.NewUUID()
	summary := map[string]any{"type": string(rep.Type), "entropy": rep.Entropy}
	if rep.TLSH != "" {
		summary["tlsh"] = rep.TLSH
	}
	if rep.SSDEEP != "" {
		summary["ssdeep"] = rep.SSDEEP
	}
	if s.Imphash != "" {
		summary["imphash"] = s.Imphash
	}
	if len(rep.Detections) > 0 {
		summary["detections"] = rep.Detections
	}
	ma := map[string]any{
		"type": "malware-analysis", "spec_version": "2.1", "id": s.AnalysisID, "created": ts, "modified": ts,
		"product": "vigie", "analysis_engine_version": triage.EngineVersion, "analysis_started": ts, "analysis_ended": ts,
		"result": "unknown", "sample_ref": s.FileID, "analysis_sco_refs": refs, "x_vigie_triage": summary,
	}
	if marks != nil {
		ma["object_marking_refs"] = marks
	}
	if s.TLP == vigie.TLPRed && len(s.Recipients) > 0 {
		for _, o := range objs {
			o["x_vigie_recipient_refs"] = s.Recipients
		}
		ma["x_vigie_recipient_refs"] = s.Recipients
	}
	objs = append(objs, ma)
	out := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		b, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}
