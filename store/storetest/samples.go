package storetest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
)

func testSamples(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	c := MustCollection(t, s, []vigie.Grant{{Kind: vigie.GrantOrg, ID: a.ID}}, []vigie.Grant{{Kind: vigie.GrantOrg, ID: a.ID}})
	sha := strings.Repeat("ab", 32)
	sm := &vigie.Sample{SHA256: sha, OrgID: a.ID, Root: c.Root, Collection: c.ID, TLP: vigie.TLPRed, Recipients: []string{b.ID},
		Name: "dropper.exe", Size: 1234, Type: "pe", TLSH: "T1ABC", SSDEEP: "3:a:b", Imphash: strings.Repeat("0", 32),
		Report: []byte(`{"size":1234}`), AnalysisID: "malware-analysis--" + vigie.NewUUID(), FileID: "file--" + vigie.NewUUID(), Created: t0}
	blob := []byte("compressed content")
	if err := s.CreateSample(ctx, sm, blob); err != nil {
		t.Fatal(err)
	}
	if sm.ID == 0 {
		t.Fatal("CreateSample did not set the id")
	}
	dup := *sm
	wantCode(t, s.CreateSample(ctx, &dup, blob), vigie.ECONFLICT, "same organisation and sha256")
	wantCode(t, s.CreateSample(ctx, &vigie.Sample{SHA256: "nothex", OrgID: a.ID, Collection: c.ID}, blob), vigie.EINVALID, "bad sha256")
	other := &vigie.Sample{SHA256: sha, OrgID: "identity--no-such-org", Root: c.Root, Collection: c.ID, Type: "pe", Report: []byte(`{}`), Created: t0}
	wantCode(t, s.CreateSample(ctx, other, blob), vigie.ENOTFOUND, "no organisation")
	// The same file from another organisation is its own submission.
	smB := &vigie.Sample{SHA256: sha, OrgID: b.ID, Root: c.Root, Collection: c.ID, TLP: vigie.TLPGreen, Size: 1234, Type: "pe", Report: []byte(`{}`), Created: t0.Add(1)}
	if err := s.CreateSample(ctx, smB, []byte("other")); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindSamples(ctx, sha)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("FindSamples: %d, want 2", len(got))
	}
	if diff := cmp.Diff(sm, got[0]); diff != "" {
		t.Errorf("FindSamples[0] (-want +got):\n%s", diff)
	}
	if none, err := s.FindSamples(ctx, strings.Repeat("cd", 32)); err != nil || len(none) != 0 {
		t.Errorf("FindSamples of an unknown sha256: %v, %v", none, err)
	}
	byID, err := s.SamplesByID(ctx, []int64{smB.ID, sm.ID, 999999})
	if err != nil || len(byID) != 2 || byID[0].ID != sm.ID || byID[0].Report != nil || byID[1].OrgID != b.ID {
		t.Errorf("SamplesByID: %+v, %v", byID, err)
	}
	fps, err := s.SampleFingerprints(ctx, sm.ID, 10)
	if err != nil || len(fps) != 1 || fps[0].ID != smB.ID {
		t.Errorf("SampleFingerprints after the first: %+v, %v", fps, err)
	}
	if b, err := s.SampleBlob(ctx, sm.ID); err != nil || !bytes.Equal(b, blob) {
		t.Errorf("SampleBlob: %q, %v", b, err)
	}
	_, err = s.SampleBlob(ctx, 999999)
	wantCode(t, err, vigie.ENOTFOUND, "blob of no sample")
}
