package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
)

func testOrgs(t *testing.T, s vigie.Store) {
	a := MustOrg(t, s, "CERT-FR")
	MustOrg(t, s, "Acme Energy")
	got, err := s.FindOrg(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("FindOrg by id (-want +got):\n%s", diff)
	}
	if got, err := s.FindOrg(ctx, "CERT-FR"); err != nil || got.ID != a.ID {
		t.Errorf("FindOrg by name = %v, %v", got, err)
	}
	_, err = s.FindOrg(ctx, "nobody")
	wantCode(t, err, vigie.ENOTFOUND, "FindOrg(nobody)")
	err = s.CreateOrg(ctx, &vigie.Org{ID: "identity--" + vigie.NewUUID(), Name: "CERT-FR", Created: t0})
	wantCode(t, err, vigie.ECONFLICT, "CreateOrg(duplicate name)")
	err = s.CreateOrg(ctx, &vigie.Org{ID: "identity--" + vigie.NewUUID(), Name: "Bad", Country: "France", Created: t0})
	wantCode(t, err, vigie.EINVALID, "CreateOrg(bad country)")
	orgs, err := s.ListOrgs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range orgs {
		names = append(names, o.Name)
	}
	if diff := cmp.Diff([]string{"Acme Energy", "CERT-FR"}, names); diff != "" {
		t.Errorf("ListOrgs names (-want +got):\n%s", diff)
	}
}

func testKeys(t *testing.T, s vigie.Store) {
	org := MustOrg(t, s, "CERT-FR")
	k, token := vigie.NewKey(org.ID, vigie.RolePublisher, "sensor", t0.Add(time.Hour), t0)
	if err := s.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	id, secret, ok := vigie.SplitToken(token)
	if !ok || id != k.ID {
		t.Fatalf("SplitToken(%q) = %q, %v", token, id, ok)
	}
	got, err := s.FindKey(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Matches(secret) || got.Matches(secret+"x") {
		t.Error("stored key does not match its secret only")
	}
	if got.Role != vigie.RolePublisher || got.OrgID != org.ID || !got.Expires.Equal(k.Expires) {
		t.Errorf("FindKey = %+v, want role publisher of %s expiring %v", got, org.ID, k.Expires)
	}
	if !got.Active(t0) || got.Active(t0.Add(2*time.Hour)) {
		t.Error("key not active before expiry, or active after")
	}
	if err := s.RevokeKey(ctx, id, t0); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindKey(ctx, id); got.Active(t0) {
		t.Error("revoked key still active")
	}
	wantCode(t, s.RevokeKey(ctx, "nope", t0), vigie.ENOTFOUND, "RevokeKey(unknown)")
	bad, _ := vigie.NewKey("identity--"+vigie.NewUUID(), vigie.RoleReader, "", time.Time{}, t0)
	wantCode(t, s.CreateKey(ctx, bad), vigie.ENOTFOUND, "CreateKey(unknown org)")
	keys, err := s.ListKeys(ctx, org.ID)
	if err != nil || len(keys) != 1 {
		t.Errorf("ListKeys = %d keys, %v; want 1", len(keys), err)
	}
}

func testCommunities(t *testing.T, s vigie.Store) {
	a, b, c := MustOrg(t, s, "A"), MustOrg(t, s, "B"), MustOrg(t, s, "C")
	com := &vigie.Community{ID: vigie.NewUUID(), Name: "energy-isac", Members: []string{a.ID, b.ID}, Created: t0}
	if err := s.CreateCommunity(ctx, com); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateCommunity(ctx, &vigie.Community{ID: vigie.NewUUID(), Name: "energy-isac", Created: t0}), vigie.ECONFLICT, "duplicate community")
	wantCode(t, s.CreateCommunity(ctx, &vigie.Community{ID: vigie.NewUUID(), Name: "x", Members: []string{"identity--nope"}, Created: t0}), vigie.ENOTFOUND, "community with unknown member")
	if err := s.SetCommunityMember(ctx, com.ID, c.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCommunityMember(ctx, com.ID, a.ID, false); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindCommunity(ctx, "energy-isac")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sorted(b.ID, c.ID), got.Members); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	for org, want := range map[string]int{a.ID: 0, b.ID: 1, c.ID: 1} {
		if got, err := s.OrgCommunities(ctx, org); err != nil || len(got) != want {
			t.Errorf("OrgCommunities(%s) = %v, %v; want %d", org, got, err, want)
		}
	}
}

func testCollections(t *testing.T, s vigie.Store) {
	org := MustOrg(t, s, "A")
	wantCode(t, s.CreateCollection(ctx, &vigie.Collection{ID: vigie.NewUUID(), Root: "nope", Title: "x", Created: t0}), vigie.ENOTFOUND, "collection in unknown root")
	c := MustCollection(t, s, []vigie.Grant{{Kind: vigie.GrantPublic}}, []vigie.Grant{{Kind: vigie.GrantOrg, ID: org.ID, Name: "A"}})
	got, err := s.FindCollection(ctx, "root", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("FindCollection (-want +got):\n%s", diff)
	}
	_, err = s.FindCollection(ctx, "other", c.ID)
	wantCode(t, err, vigie.ENOTFOUND, "collection under another root")
	wantCode(t, s.CreateCollection(ctx, c), vigie.ECONFLICT, "duplicate collection")
	wantCode(t, s.CreateAPIRoot(ctx, &vigie.APIRoot{Name: "root", Title: "again", MaxContentLength: 1}), vigie.ECONFLICT, "duplicate root")
	list, err := s.ListCollections(ctx, "root")
	if err != nil || len(list) != 1 {
		t.Errorf("ListCollections = %d, %v; want 1", len(list), err)
	}
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}
