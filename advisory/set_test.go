package advisory_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/advisory"
)

func adv(id string, modified string, aliases ...string) advisory.Advisory {
	m, _ := time.Parse(time.RFC3339, modified)
	return advisory.Advisory{
		ID: id, Aliases: aliases, Modified: m,
		Affected: []advisory.Affected{{Ecosystem: "Go", Name: "example.com/m", Versions: []string{"1.0.0"}}},
	}
}

func TestSetModifiedReplacesOlder(t *testing.T) {
	s := advisory.NewSet()
	steps := []struct {
		a    advisory.Advisory
		want advisory.Change
	}{
		{adv("GO-2024-0001", "2024-01-01T00:00:00Z"), advisory.Added},
		{adv("GO-2024-0001", "2023-12-01T00:00:00Z"), advisory.Unchanged},
		{adv("GO-2024-0001", "2024-01-01T00:00:00Z", "CVE-2024-1"), advisory.Unchanged},
		{adv("GO-2024-0001", "2024-02-01T00:00:00Z", "CVE-2024-1"), advisory.Updated},
	}
	for i, st := range steps {
		if got := s.Add(st.a); got != st.want {
			t.Errorf("step %d: %v, want %v", i, got, st.want)
		}
	}
	a, _ := s.Get("GO-2024-0001")
	if diff := cmp.Diff([]string{"CVE-2024-1"}, a.Aliases); diff != "" {
		t.Errorf("aliases of the version held (-want +got):\n%s", diff)
	}
}

func TestSetWithdrawn(t *testing.T) {
	s := advisory.NewSet()
	w := adv("GHSA-aaaa-bbbb-cccc", "2024-03-01T00:00:00Z")
	w.Withdrawn = w.Modified
	if got := s.Add(w); got != advisory.Unchanged {
		t.Errorf("withdrawn, not held: %v, want unchanged", got)
	}
	s.Add(adv("GHSA-aaaa-bbbb-cccc", "2024-02-01T00:00:00Z", "CVE-2024-2"))
	if got := s.Add(w); got != advisory.Removed || s.Len() != 0 {
		t.Errorf("withdrawn, held: %v with %d held, want removed", got, s.Len())
	}
	if g := s.Group("CVE-2024-2"); len(g) != 0 {
		t.Errorf("alias of a withdrawn advisory still grouped: %v", g)
	}
}

// TestSetAliases merges advisories that are the same vulnerability, in
// either direction and transitively, and undoes it when aliases change.
func TestSetAliases(t *testing.T) {
	s := advisory.NewSet()
	s.Add(adv("GO-2020-0001", "2024-01-01T00:00:00Z", "CVE-2020-36567", "GHSA-6vm3-jj99-7229"))
	s.Add(adv("GHSA-6vm3-jj99-7229", "2024-01-01T00:00:00Z", "CVE-2020-36567"))
	s.Add(adv("CVE-2020-36567", "2024-01-01T00:00:00Z"))
	s.Add(adv("PYSEC-2099-1", "2024-01-01T00:00:00Z", "BIT-1"))
	s.Add(adv("OTHER-1", "2024-01-01T00:00:00Z", "BIT-1"))

	want := []string{"CVE-2020-36567", "GHSA-6vm3-jj99-7229", "GO-2020-0001"}
	for _, id := range want {
		if diff := cmp.Diff(want, s.Group(id)); diff != "" {
			t.Errorf("Group(%s) (-want +got):\n%s", id, diff)
		}
	}
	if diff := cmp.Diff([]string{"OTHER-1", "PYSEC-2099-1"}, s.Group("PYSEC-2099-1")); diff != "" {
		t.Errorf("through a shared alias (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"CVE-2020-36567", "GHSA-6vm3-jj99-7229"}, s.Aliases("GO-2020-0001")); diff != "" {
		t.Errorf("Aliases (-want +got):\n%s", diff)
	}
	// A newer OTHER-1 without the shared alias leaves the group.
	s.Add(adv("OTHER-1", "2024-06-01T00:00:00Z"))
	if diff := cmp.Diff([]string{"PYSEC-2099-1"}, s.Group("PYSEC-2099-1")); diff != "" {
		t.Errorf("after the update (-want +got):\n%s", diff)
	}
	if !s.Remove("CVE-2020-36567") || s.Remove("CVE-2020-36567") {
		t.Error("Remove reports wrongly")
	}
	if diff := cmp.Diff([]string{"GHSA-6vm3-jj99-7229", "GO-2020-0001"}, s.Group("CVE-2020-36567")); diff != "" {
		t.Errorf("an alias id no longer held still groups (-want +got):\n%s", diff)
	}
}
