package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"time"

	"github.com/vigie-cti/vigie"
)

// newEntry returns the audit entry of p's action on target.
func (h *Hub) newEntry(p vigie.Principal, action, target, outcome string) *vigie.AuditEntry {
	return &vigie.AuditEntry{Time: h.now().UTC(), OrgID: p.OrgID, KeyID: p.KeyID, Role: p.Role, Addr: p.Addr,
		Action: action, Target: target, Outcome: outcome}
}

// withDetail sets the entry's detail to v as JSON and returns the entry.
func withDetail(e *vigie.AuditEntry, v any) *vigie.AuditEntry {
	if v != nil {
		e.Detail, _ = json.Marshal(v) // maps and slices of strings and numbers always encode
	}
	return e
}

// record appends entries to the audit log. The state change they record
// is already made (in a transaction of its own: only a POST is recorded in
// the same transaction as its objects), so a failure here is returned for
// the caller to see, and logged.
func (h *Hub) record(ctx context.Context, entries ...*vigie.AuditEntry) error {
	if err := h.store.AppendAudit(ctx, entries...); err != nil {
		h.cfg.Logger.Error("audit log: append failed", slog.String("action", entries[0].Action), slog.String("target", entries[0].Target), slog.Any("err", err))
		return fmt.Errorf("hub: audit %s: %w", entries[0].Action, err)
	}
	return nil
}

// maxAuditPage bounds the entries one Audit call returns.
const maxAuditPage = 1000

// Audit returns audit entries in log order. Operators read the whole log
// (q.OrgID narrows it to one organisation's entries); an organisation's
// admins read the entries of their organisation only, as actor or target.
// EFORBIDDEN for other roles.
func (h *Hub) Audit(ctx context.Context, p vigie.Principal, q vigie.AuditQuery) ([]*vigie.AuditEntry, error) {
	if err := Allow(p, vigie.RoleAdmin); err != nil {
		return nil, err
	}
	if !p.Role.Allows(vigie.RoleOperator) {
		q.OrgID = p.OrgID
	}
	if q.Limit <= 0 || q.Limit > maxAuditPage {
		q.Limit = maxAuditPage
	}
	return h.store.AuditEntries(ctx, &q)
}

// AuditOrg returns the id of the organisation named (or with id) org, for
// an operator narrowing the audit log to it.
func (h *Hub) AuditOrg(ctx context.Context, p vigie.Principal, org string) (string, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return "", err
	}
	o, err := h.store.FindOrg(ctx, org)
	if err != nil {
		return "", err
	}
	return o.ID, nil
}

// VerifyAudit checks the whole audit log: each entry's hash, the chain of
// hashes, and the head. It returns the number of entries checked and,
// when the log was tampered with, an EINVALID error that names the first
// broken entry. Operators only.
func (h *Hub) VerifyAudit(ctx context.Context, p vigie.Principal) (int64, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return 0, err
	}
	var chain vigie.AuditChain
	from, fromHash, err := h.store.AuditCheckpoint(ctx) // entries before it were pruned (retention)
	if err != nil {
		return 0, err
	}
	chain.StartAt(from, fromHash)
	var n int64
	after := from
	for {
		es, err := h.store.AuditEntries(ctx, &vigie.AuditQuery{After: after, Limit: maxAuditPage})
		if err != nil {
			return n, err
		}
		for _, e := range es {
			if err := chain.Next(e); err != nil {
				return n, err
			}
			n++
			after = e.Seq
		}
		if len(es) < maxAuditPage {
			break
		}
	}
	seq, hash, err := h.store.AuditHead(ctx)
	if err != nil {
		return n, err
	}
	return n, chain.End(seq, hash)
}

// authFailureKey is one bucket of failed authentications.
type authFailureKey struct {
	keyID, addr string
	minute      int64 // Unix minutes
}

// maxFailureBuckets bounds the buckets kept between flushes; beyond it,
// failures of new key ids are counted under no key id.
const maxFailureBuckets = 10000

// keyIDShape is what a key id looks like; anything else is not recorded
// (it may be a mistyped secret).
var keyIDShape = regexp.MustCompile(`^[a-z2-7]{1,32}$`)

// authFailed counts a failed authentication of key id from addr.
func (h *Hub) authFailed(keyID, addr string) {
	if !keyIDShape.MatchString(keyID) {
		keyID = ""
	}
	k := authFailureKey{keyID: keyID, addr: addr, minute: h.now().Unix() / 60}
	h.failMu.Lock()
	defer h.failMu.Unlock()
	if _, ok := h.failures[k]; !ok && len(h.failures) >= maxFailureBuckets {
		k.keyID = ""
	}
	h.failures[k]++
}

// FlushAudit records the failed authentications of the minutes that have
// ended (all of them when final is true, as the process stops): one entry
// per key id, address and minute, with the count. The server calls it
// every minute.
func (h *Hub) FlushAudit(ctx context.Context, final bool) error {
	now := h.now().Unix() / 60
	h.failMu.Lock()
	var es []*vigie.AuditEntry
	for k, n := range h.failures {
		if k.minute >= now && !final {
			continue
		}
		e := h.newEntry(vigie.Principal{KeyID: k.keyID, Addr: k.addr}, vigie.AuditAuthFailure, "key "+k.keyID, vigie.OutcomeFailure)
		e.Time = time.Unix(k.minute*60, 0).UTC()
		es = append(es, withDetail(e, map[string]int{"count": n}))
		delete(h.failures, k)
	}
	h.failMu.Unlock()
	sort.Slice(es, func(i, j int) bool { return es[i].Time.Before(es[j].Time) })
	if len(es) == 0 {
		return nil
	}
	return h.record(ctx, es...)
}

// publishEntry is the audit entry of one POST: its status resource, its
// counts and the ids of the objects it carried. AddObjects records it in
// the transaction that stores the objects.
func (h *Hub) publishEntry(p vigie.Principal, c *vigie.Collection, objs []*vigie.Object, st *vigie.Status) *vigie.AuditEntry {
	outcome := vigie.OutcomeSuccess
	switch {
	case len(st.Failures) > 0 && len(objs) == 0:
		outcome = vigie.OutcomeFailure
	case len(st.Failures) > 0:
		outcome = vigie.OutcomePartial
	}
	ids := make([]string, len(objs))
	for i, o := range objs {
		ids[i] = o.ID
	}
	refused := make([]string, len(st.Failures))
	for i, f := range st.Failures {
		refused[i] = f.ID
	}
	e := h.newEntry(p, vigie.AuditPublish, "collection "+c.ID, outcome)
	return withDetail(e, map[string]any{"status": st.ID, "total": st.Total, "valid": len(objs), "refused": len(st.Failures),
		"objects": ids, "refused_objects": refused})
}
