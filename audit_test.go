package vigie_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
)

// chain returns n sealed entries.
func chain(n int) []*vigie.AuditEntry {
	var out []*vigie.AuditEntry
	seq, hash := int64(0), ""
	for i := 0; i < n; i++ {
		e := &vigie.AuditEntry{Time: time.Date(2026, 12, 1, 0, 0, i, 1234567, time.UTC), OrgID: "identity--a", Action: vigie.AuditWatchAdd, Outcome: vigie.OutcomeSuccess}
		e.Seal(seq, hash)
		seq, hash = e.Seq, e.Hash
		out = append(out, e)
	}
	return out
}

// verify feeds entries to an AuditChain and returns its first error.
func verify(es []*vigie.AuditEntry, headSeq int64, headHash string) error {
	var c vigie.AuditChain
	for _, e := range es {
		if err := c.Next(e); err != nil {
			return err
		}
	}
	return c.End(headSeq, headHash)
}

func TestAuditChain(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(es []*vigie.AuditEntry) []*vigie.AuditEntry
		want   string
	}{
		{"intact", func(es []*vigie.AuditEntry) []*vigie.AuditEntry { return es }, ""},
		{"edited", func(es []*vigie.AuditEntry) []*vigie.AuditEntry { es[1].Reason = "x"; return es }, "entry 2 does not match its hash"},
		{"edited time", func(es []*vigie.AuditEntry) []*vigie.AuditEntry { es[0].Time = es[0].Time.Add(time.Second); return es }, "entry 1 does not match"},
		{"edited and re-hashed", func(es []*vigie.AuditEntry) []*vigie.AuditEntry {
			es[1].Outcome = vigie.OutcomeFailure
			es[1].Seal(es[0].Seq, es[0].Hash)
			return es
		}, "entry 3 does not chain to entry 2"},
		{"removed", func(es []*vigie.AuditEntry) []*vigie.AuditEntry { return append(es[:1], es[2:]...) }, "entry 3 follows entry 1"},
		{"removed at the end", func(es []*vigie.AuditEntry) []*vigie.AuditEntry { return es[:3] }, "entries 4 to 4 were removed"},
		{"renumbered", func(es []*vigie.AuditEntry) []*vigie.AuditEntry { es[2].Seq = 2; return append(es[:1], es[2:]...) }, "entry 2 does not chain to entry 1"},
	} {
		es := chain(4)
		head := es[3]
		err := verify(tc.tamper(es), head.Seq, head.Hash)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestRoleOperator(t *testing.T) {
	for _, tc := range []struct {
		role, want vigie.Role
		ok         bool
	}{
		{vigie.RoleOperator, vigie.RoleAdmin, true},
		{vigie.RoleOperator, vigie.RoleOperator, true},
		{vigie.RoleAdmin, vigie.RoleOperator, false},
		{vigie.RolePublisher, vigie.RoleAdmin, false},
		{"", vigie.RoleReader, false},
	} {
		if got := tc.role.Allows(tc.want); got != tc.ok {
			t.Errorf("%q.Allows(%q) = %v", tc.role, tc.want, got)
		}
	}
	if r, err := vigie.ParseRole("operator"); err != nil || r != vigie.RoleOperator {
		t.Errorf("ParseRole(operator) = %q, %v", r, err)
	}
}
