package hub_test

import (
	"archive/zip"
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/triage/triagetest"
	"github.com/vigie-cti/vigie/zipcrypto"
)

// sampleWorld is the fixture's A, B (community "ab") and C (no
// community), with collections: "shared" (read and write: community ab)
// and "open" (read and write: community ab and organisation C).
type sampleWorld struct {
	*fixture
	shared, open *vigie.Collection
	a, b, c      vigie.Principal
	opA          vigie.Principal
}

func newSampleWorld(t *testing.T) *sampleWorld {
	t.Helper()
	w := &sampleWorld{fixture: newFixture(t)}
	var err error
	if w.shared, err = w.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "Shared", Read: []string{"community:ab"}, Write: []string{"community:ab"}}); err != nil {
		t.Fatal(err)
	}
	if w.open, err = w.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "Open", Read: []string{"community:ab", "org:C"}, Write: []string{"community:ab", "org:C"}}); err != nil {
		t.Fatal(err)
	}
	_, ta := w.key(t, "A", vigie.RolePublisher, time.Time{})
	_, tb := w.key(t, "B", vigie.RolePublisher, time.Time{})
	_, tc := w.key(t, "C", vigie.RolePublisher, time.Time{})
	_, to := w.key(t, "A", vigie.RoleOperator, time.Time{})
	w.a, w.b, w.c, w.opA = w.login(t, ta), w.login(t, tb), w.login(t, tc), w.login(t, to)
	return w
}

func (w *sampleWorld) submit(t *testing.T, p vigie.Principal, c *vigie.Collection, tlp vigie.TLP, data []byte, recipients ...string) *api.Sample {
	t.Helper()
	s, err := w.hub.SubmitSample(ctx, p, hub.SampleSubmission{Root: c.Root, Collection: c.ID, TLP: tlp, Name: "sample.exe", Data: data, Recipients: recipients})
	if err != nil {
		t.Fatalf("SubmitSample: %v", err)
	}
	return s
}

func shas(list []api.SimilarSample) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.SHA256)
	}
	return out
}

func TestSampleSimilarAcrossMembers(t *testing.T) {
	w := newSampleWorld(t)
	first := w.submit(t, w.a, w.shared, vigie.TLPAmber, triagetest.Sample(1))
	if first.Type != "pe" || len(first.Similar) != 0 || !first.Yours || first.AnalysisID == "" {
		t.Fatalf("first submission: %+v", first)
	}
	second := w.submit(t, w.b, w.shared, vigie.TLPAmber, triagetest.Sample(2))
	if len(second.Similar) != 1 || second.Similar[0].SHA256 != first.SHA256 || second.Similar[0].Yours {
		t.Fatalf("B's submission should list A's variant as similar: %+v", second.Similar)
	}
	if m := second.Similar[0]; m.TLSHDistance < 0 || m.TLSHDistance > 30 || !m.ImphashEqual || m.SSDEEPScore < 50 {
		t.Errorf("similarity figures: %+v", m)
	}
	// A is warned, without B being named.
	alerts, err := w.hub.Alerts(ctx, w.a, vigie.AlertQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var found *vigie.Alert
	for _, al := range alerts {
		if al.Trigger == vigie.TriggerSimilarSample {
			found = al
		}
	}
	if found == nil {
		t.Fatalf("A got no similar-sample alert: %+v", alerts)
	}
	for _, s := range []string{found.Title, found.Detail, found.Objects[0].Name} {
		if strings.Contains(s, "B") && strings.Contains(s, w.orgs["B"].Name+" ") || strings.Contains(s, w.orgs["B"].ID) {
			t.Errorf("the alert names the submitter: %q", s)
		}
	}
	if !strings.Contains(found.Detail, first.SHA256) || found.Objects[0].ID != second.AnalysisID {
		t.Errorf("alert: %+v", found)
	}
	// B, the submitter, is not alerted about its own submission.
	if bs, _ := w.hub.Alerts(ctx, w.b, vigie.AlertQuery{}); slices.ContainsFunc(bs, func(a *vigie.Alert) bool { return a.Trigger == vigie.TriggerSimilarSample }) {
		t.Error("the submitter was alerted")
	}
	// The STIX malware-analysis is readable by A and names no author.
	_, acc, err := w.hub.Collection(ctx, w.a, w.shared.Root, w.shared.ID)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := w.hub.Objects(ctx, w.a, acc, &vigie.ObjectQuery{Collection: w.shared.ID, Types: []string{"malware-analysis"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.Objects) != 2 || strings.Contains(string(objs.Objects[0].Raw), "created_by_ref") {
		t.Errorf("malware-analysis objects: %d", len(objs.Objects))
	}
	// Resubmitting is idempotent.
	again := w.submit(t, w.b, w.shared, vigie.TLPAmber, triagetest.Sample(2))
	if !again.Existing || again.SHA256 != second.SHA256 {
		t.Errorf("resubmission: %+v", again)
	}
}

// TestSampleHostile holds every path to the TLP rules: another
// organisation's AMBER or RED sample is never a neighbour, never readable,
// never downloadable; its holder is not warned of what it may not read.
func TestSampleHostile(t *testing.T) {
	w := newSampleWorld(t)
	amberA := w.submit(t, w.a, w.shared, vigie.TLPAmber, triagetest.Sample(1))
	redA := w.submit(t, w.a, w.open, vigie.TLPRed, triagetest.Sample(4))
	redToB := w.submit(t, w.a, w.open, vigie.TLPRed, triagetest.Sample(5), w.orgs["B"].ID)
	// C may read "open" but not "shared"; RED samples are A's alone.
	cSub := w.submit(t, w.c, w.open, vigie.TLPGreen, triagetest.Sample(3))
	if len(cSub.Similar) != 0 {
		t.Errorf("C sees neighbours it may not read: %v", shas(cSub.Similar))
	}
	for _, sha := range []string{amberA.SHA256, redA.SHA256, redToB.SHA256} {
		if _, err := w.hub.Sample(ctx, w.c, sha); vigie.ErrorCode(err) != vigie.ENOTFOUND {
			t.Errorf("C reads A's sample %s: %v", sha[:8], err)
		}
		if _, _, err := w.hub.SampleContent(ctx, w.c, sha, false); vigie.ErrorCode(err) != vigie.ENOTFOUND {
			t.Errorf("C downloads A's sample %s: %v", sha[:8], err)
		}
		if _, err := w.hub.SimilarSamples(ctx, w.c, sha, 10); vigie.ErrorCode(err) != vigie.ENOTFOUND {
			t.Errorf("C asks for neighbours of A's sample %s: %v", sha[:8], err)
		}
	}
	// B reads the AMBER one (same community) and the RED one naming it,
	// never the other RED one.
	bSim, err := w.hub.SimilarSamples(ctx, w.b, cSub.SHA256, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := shas(bSim)
	if !slices.Contains(got, amberA.SHA256) || !slices.Contains(got, redToB.SHA256) || slices.Contains(got, redA.SHA256) {
		t.Errorf("B's neighbours of C's sample: %v (amber %s, red-to-B %s, red %s)", got, amberA.SHA256[:8], redToB.SHA256[:8], redA.SHA256[:8])
	}
	if _, _, err := w.hub.SampleContent(ctx, w.b, redA.SHA256, false); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("B downloads A's RED sample: %v", err)
	}
	if _, err := w.hub.Sample(ctx, w.b, redToB.SHA256); err != nil {
		t.Errorf("B reads the RED sample naming it: %v", err)
	}
	// A's own view lists everything it holds.
	aSim, _ := w.hub.SimilarSamples(ctx, w.a, cSub.SHA256, 10)
	if len(aSim) != 3 {
		t.Errorf("A's neighbours of C's sample: %v", shas(aSim))
	}
	// C submitted GREEN in "open": A may read it and was warned; C is
	// never warned about A's samples (it may read none of them).
	if as, _ := w.hub.Alerts(ctx, w.a, vigie.AlertQuery{}); !slices.ContainsFunc(as, func(a *vigie.Alert) bool { return a.Trigger == vigie.TriggerSimilarSample }) {
		t.Error("A was not warned of C's readable similar sample")
	}
	// A RED submission by C warns nobody.
	w2 := newSampleWorld(t)
	w2.submit(t, w2.a, w2.open, vigie.TLPAmber, triagetest.Sample(1))
	w2.submit(t, w2.c, w2.open, vigie.TLPRed, triagetest.Sample(2))
	if as, _ := w2.hub.Alerts(ctx, w2.a, vigie.AlertQuery{}); len(as) != 0 {
		t.Errorf("A was warned of a RED sample it may not read: %+v", as)
	}
	// Anonymous callers get nothing.
	if _, err := w.hub.Sample(ctx, vigie.Principal{}, amberA.SHA256); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("anonymous: %v", err)
	}
}

func TestSampleDownload(t *testing.T) {
	w := newSampleWorld(t)
	data := triagetest.Sample(7)
	s := w.submit(t, w.a, w.shared, vigie.TLPGreen, data)
	z, zipped, err := w.hub.SampleContent(ctx, w.b, s.SHA256, false)
	if err != nil || !zipped {
		t.Fatalf("download: %v", err)
	}
	if bytes.Contains(z, data[:512]) {
		t.Fatal("the sample's bytes appear in the zip unencrypted")
	}
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := zipcrypto.Open(zr.File[0], "infected", 1<<30)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("zip content: %v", err)
	}
	if _, _, err := w.hub.SampleContent(ctx, w.b, s.SHA256, true); vigie.ErrorCode(err) != vigie.EFORBIDDEN {
		t.Errorf("raw for a publisher: %v", err)
	}
	raw, zipped, err := w.hub.SampleContent(ctx, w.opA, s.SHA256, true)
	if err != nil || zipped || !bytes.Equal(raw, data) {
		t.Errorf("raw for an operator: %v", err)
	}
	if n := len(entries(t, w.fixture, vigie.AuditSampleFetch)); n != 2 {
		t.Errorf("%d fetch audit entries, want 2", n)
	}
	// Stored compressed in the database, never as the file itself.
	db := readDB(t, w.path)
	if bytes.Contains(db, data[:512]) {
		t.Error("the sample's bytes are in the database file as is")
	}
}

func readDB(t *testing.T, path string) []byte {
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, _ := os.ReadFile(p)
		all = append(all, b...)
	}
	return all
}

func TestSampleLimits(t *testing.T) {
	w := newSampleWorld(t)
	st, err := sqlite.Open(ctx, w.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	small := hub.New(st, hub.Config{MaxSampleSize: 1000}, time.Now)
	_, err = small.SubmitSample(ctx, w.a, hub.SampleSubmission{Root: "r", Collection: w.shared.ID, Data: make([]byte, 1001)})
	if vigie.ErrorCode(err) != vigie.ETOOLARGE {
		t.Errorf("over the limit: %v", err)
	}
	for name, in := range map[string]hub.SampleSubmission{
		"empty":             {Root: "r", Collection: w.shared.ID},
		"recipients no RED": {Root: "r", Collection: w.shared.ID, Data: []byte("x"), TLP: vigie.TLPAmber, Recipients: []string{w.orgs["B"].ID}},
	} {
		if _, err := w.hub.SubmitSample(ctx, w.a, in); vigie.ErrorCode(err) != vigie.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := w.hub.SubmitSample(ctx, w.c, hub.SampleSubmission{Root: "r", Collection: w.shared.ID, Data: []byte("x")}); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("C into a collection it may not see: %v", err)
	}
	if _, err := w.hub.Sample(ctx, w.a, "ABC"); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("bad sha256: %v", err)
	}
}

// TestSampleIndexAcrossProcesses: two hubs on one database (two
// processes behind a load balancer) see each other's samples as similar.
func TestSampleIndexAcrossProcesses(t *testing.T) {
	w := newSampleWorld(t)
	st, err := sqlite.Open(ctx, w.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	other := hub.New(st, hub.Config{}, w.clock.now)
	first := w.submit(t, w.a, w.shared, vigie.TLPAmber, triagetest.Sample(1))
	// The other process has already built its index before A's sample.
	if _, err := other.SimilarSamples(ctx, w.a, first.SHA256, 10); err != nil {
		t.Fatal(err)
	}
	second, err := other.SubmitSample(ctx, w.b, hub.SampleSubmission{Root: "r", Collection: w.shared.ID, TLP: vigie.TLPAmber, Data: triagetest.Sample(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Similar) != 1 || second.Similar[0].SHA256 != first.SHA256 {
		t.Errorf("B through the other process: %+v", second.Similar)
	}
	got, err := w.hub.SimilarSamples(ctx, w.a, first.SHA256, 10)
	if err != nil || len(got) != 1 || got[0].SHA256 != second.SHA256 {
		t.Errorf("A through the first process: %+v, %v", got, err)
	}
}
