package hub_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// indicator returns a valid indicator, marked tlp, with extra properties.
func indicator(n int, tlp vigie.TLP, extra map[string]any) json.RawMessage {
	o := map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", n),
		"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
		"pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
		"object_marking_refs": []string{vigie.MarkingRef(tlp)},
	}
	for k, v := range extra {
		o[k] = v
	}
	raw, _ := json.Marshal(o)
	return raw
}

// publish posts objects as p into collection id of root "r".
func publish(t *testing.T, f *fixture, p vigie.Principal, id string, objs ...json.RawMessage) *vigie.Status {
	t.Helper()
	c, a, err := f.hub.Collection(ctx, p, "r", id)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.hub.Publish(ctx, p, a, c, objs)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// deleteQuery selects every version of object n of collection id.
func deleteQuery(id string, n int) *vigie.ObjectQuery {
	return &vigie.ObjectQuery{Collection: id, IDs: []string{fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", n)}, Versions: vigie.VersionFilter{All: true}}
}

// TestRolesDelete holds deletions to the roles: publishers and admins
// delete only their organisation's objects; the operator deletes any,
// even one it may not read, and only with a reason.
func TestRolesDelete(t *testing.T) {
	f := newFixture(t)
	col, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "ab", Read: []string{"community:ab"}, Write: []string{"community:ab"}})
	if err != nil {
		t.Fatal(err)
	}
	_, aPub := f.key(t, "A", vigie.RolePublisher, time.Time{})
	_, bAdm := f.key(t, "B", vigie.RoleAdmin, time.Time{})
	_, cOp := f.key(t, "C", vigie.RoleOperator, time.Time{})
	_, aAdm := f.key(t, "A", vigie.RoleAdmin, time.Time{})
	a, b, op := f.login(t, aPub), f.login(t, bAdm), f.login(t, cOp)
	publish(t, f, a, col.ID, indicator(1, vigie.TLPGreen, nil), indicator(2, vigie.TLPRed, nil), indicator(3, vigie.TLPGreen, nil))

	if _, err := f.hub.Delete(ctx, b, "r", deleteQuery(col.ID, 1), ""); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("B's admin deletes A's object: %v, want ENOTFOUND", err)
	}
	if _, err := f.hub.Delete(ctx, op, "r", deleteQuery(col.ID, 2), "  "); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("operator without a reason: %v, want EINVALID", err)
	}
	// The operator's organisation (C) may not even read the collection,
	// nor A's RED indicator: it deletes it all the same.
	if n, err := f.hub.Delete(ctx, op, "r", deleteQuery(col.ID, 2), "court order 42"); err != nil || n != 1 {
		t.Errorf("operator deletes A's RED object: %d, %v", n, err)
	}
	if n, err := f.hub.Delete(ctx, a, "r", deleteQuery(col.ID, 3), ""); err != nil || n != 1 {
		t.Errorf("A deletes its own object: %d, %v", n, err)
	}
	page, err := f.hub.Objects(ctx, a, vigie.Access{Read: true, Member: true}, &vigie.ObjectQuery{Collection: col.ID})
	if err != nil || len(page.Objects) != 1 || !strings.HasSuffix(page.Objects[0].ID, "000000000001") {
		t.Errorf("left after the deletions: %v, want object 1 only", err)
	}

	// The deletion by the operator is in the log, with its reason, and A's
	// admin sees it; B's admin sees its own refused attempt, not A's.
	var byOp *vigie.AuditEntry
	for _, e := range entries(t, f, vigie.AuditDelete) {
		if e.OrgID == op.OrgID && e.Outcome == vigie.OutcomeSuccess {
			byOp = e
		}
	}
	if byOp == nil || byOp.Reason != "court order 42" || byOp.TargetOrg != a.OrgID || byOp.Role != vigie.RoleOperator || byOp.Addr != "192.0.2.10" {
		t.Fatalf("operator's deletion entry: %+v", byOp)
	}
	seen := func(p vigie.Principal) map[string]bool {
		es, err := f.hub.Audit(ctx, p, vigie.AuditQuery{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, e := range es {
			out[fmt.Sprint(e.Seq)] = true
			if p.Role != vigie.RoleOperator && e.OrgID != p.OrgID && e.TargetOrg != p.OrgID {
				t.Errorf("%s's admin sees entry %v", p.OrgID, e)
			}
		}
		return out
	}
	if !seen(f.login(t, aAdm))[fmt.Sprint(byOp.Seq)] {
		t.Errorf("A's admin does not see the operator's deletion of A's object")
	}
	if seen(b)[fmt.Sprint(byOp.Seq)] {
		t.Errorf("B's admin sees the deletion of A's object")
	}
	if _, err := f.hub.Audit(ctx, a, vigie.AuditQuery{}); vigie.ErrorCode(err) != vigie.EFORBIDDEN {
		t.Errorf("a publisher reads the audit log: %v", err)
	}
	if _, err := f.hub.VerifyAudit(ctx, b); vigie.ErrorCode(err) != vigie.EFORBIDDEN {
		t.Errorf("an admin verifies the audit log: %v", err)
	}
}

// TestAuditChain runs one of each audited action, checks their entries
// and the chain, then edits and removes entries in the database and
// checks that verification names the first broken one.
func TestAuditChain(t *testing.T) {
	f := newFixture(t)
	col, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "ab", Read: []string{"community:ab"}, Write: []string{"community:ab"}})
	if err != nil {
		t.Fatal(err)
	}
	k, token := f.key(t, "A", vigie.RolePublisher, time.Time{})
	a := f.login(t, token)
	st := publish(t, f, a, col.ID, indicator(1, vigie.TLPGreen, nil), indicator(2, vigie.TLPGreen, map[string]any{"pattern": "[nope"}))
	if _, err := f.hub.Delete(ctx, a, "r", deleteQuery(col.ID, 1), ""); err != nil {
		t.Fatal(err)
	}
	w, err := f.hub.AddWatch(ctx, a, vigie.WatchDomain, "example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.hub.DeleteWatch(ctx, a, w.ID); err != nil {
		t.Fatal(err)
	}
	hook, err := f.hub.AddWebhook(ctx, a, "https://soc.example/hook", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.hub.DeleteWebhook(ctx, a, hook.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.hub.SetCommunityMember(ctx, hub.Console(), "ab", "C", true); err != nil {
		t.Fatal(err)
	}
	if err := f.hub.SetCommunityMember(ctx, hub.Console(), "ab", "C", false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.RevokeKey(ctx, hub.Console(), k.ID); err != nil {
		t.Fatal(err)
	}

	all, err := f.hub.Audit(ctx, hub.Console(), vigie.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range all {
		actions = append(actions, e.Action)
		if strings.Contains(string(e.Detail)+e.String(), token) || strings.Contains(string(e.Detail), hook.Secret) {
			t.Errorf("entry %d holds a key or a webhook secret", e.Seq)
		}
	}
	want := []string{"org.add", "org.add", "org.add", "community.add", "collection.add", "key.add", "objects.publish", "objects.delete",
		"watch.add", "watch.delete", "webhook.add", "webhook.delete", "community.member.add", "community.member.rm", "key.revoke"}
	if strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Errorf("audited actions:\n%v\nwant\n%v", actions, want)
	}
	pub := all[6]
	var detail struct {
		Status         string   `json:"status"`
		Total          int      `json:"total"`
		Valid          int      `json:"valid"`
		Refused        int      `json:"refused"`
		Objects        []string `json:"objects"`
		RefusedObjects []string `json:"refused_objects"`
	}
	if err := json.Unmarshal(pub.Detail, &detail); err != nil {
		t.Fatal(err)
	}
	if detail.Status != st.ID || detail.Total != 2 || detail.Valid != 1 || detail.Refused != 1 || len(detail.Objects) != 1 ||
		pub.Outcome != vigie.OutcomePartial || pub.KeyID != k.ID || pub.OrgID != a.OrgID || pub.Addr != "192.0.2.10" || pub.Target != "collection "+col.ID {
		t.Errorf("publish entry %v detail %+v", pub, detail)
	}
	if n, err := f.hub.VerifyAudit(ctx, hub.Console()); err != nil || n != int64(len(want)) {
		t.Fatalf("VerifyAudit: %d entries, %v", n, err)
	}

	execSQL(t, f, `UPDATE audit SET outcome = 'failure' WHERE seq = 8`)
	if _, err := f.hub.VerifyAudit(ctx, hub.Console()); err == nil || !strings.Contains(err.Error(), "audit entry 8 does not match its hash") {
		t.Errorf("after editing entry 8: %v", err)
	}
	execSQL(t, f, `UPDATE audit SET outcome = 'success' WHERE seq = 8`)
	if _, err := f.hub.VerifyAudit(ctx, hub.Console()); err != nil {
		t.Errorf("entry 8 put back: %v", err)
	}
	execSQL(t, f, `DELETE FROM audit WHERE seq = 3`)
	if _, err := f.hub.VerifyAudit(ctx, hub.Console()); err == nil || !strings.Contains(err.Error(), "entries 3 to 3 are missing") {
		t.Errorf("after deleting entry 3: %v", err)
	}
}
