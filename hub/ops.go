package hub

import (
	"context"

	"github.com/vigie-cti/vigie"
)

// AuditPrune is the audit action of a retention run.
const AuditPrune = "retention.prune"

// Prune deletes what policy says is past keeping (vigie.OpsStore.Prune)
// and records in the audit log what it deleted, and where the chain of
// the audit entries kept now starts. Operators only (EFORBIDDEN).
func (h *Hub) Prune(ctx context.Context, p vigie.Principal, policy *vigie.RetentionPolicy) (*vigie.PruneReport, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	rep, err := h.store.Prune(ctx, policy, h.now().UTC())
	if rep == nil {
		return nil, err
	}
	seq, hash, cerr := h.store.AuditCheckpoint(ctx)
	outcome := "success"
	if err != nil {
		outcome = "failure"
	}
	e := withDetail(h.newEntry(p, AuditPrune, "hub", outcome), map[string]any{
		"versions": rep.Versions, "expired": rep.Expired, "statuses": rep.Statuses, "deliveries": rep.Deliveries,
		"audit": rep.Audit, "sightings": rep.Sightings, "audit_checkpoint_seq": seq, "audit_checkpoint_hash": hash,
	})
	if err != nil {
		e.Reason = vigie.ErrorMessage(err)
	}
	if rerr := h.record(ctx, e); err == nil {
		err = rerr
	}
	if err == nil {
		err = cerr
	}
	return rep, err
}

// Compact returns the database's free pages to the file system while the
// hub runs and says how many bytes it freed. Operators only.
func (h *Hub) Compact(ctx context.Context, p vigie.Principal) (int64, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return 0, err
	}
	return h.store.Compact(ctx)
}
