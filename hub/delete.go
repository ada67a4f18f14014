package hub

import (
	"context"
	"slices"
	"strings"

	"github.com/vigie-cti/vigie"
)

// maxReason bounds the reason an operator gives for a deletion.
const maxReason = 1000

// Delete deletes the versions of one object that q selects in collection
// q.Collection of API root root. Publishers and admins delete only what
// their own organisation published, in a collection they may write; the
// hub operator deletes any version in any collection, whatever its
// marking, and must give a reason. Every deletion, and every refused one,
// is recorded in the audit log (with the reason, and the organisations
// whose objects the operator deleted). ENOTFOUND when nothing matched;
// EINVALID for an operator without a reason.
func (h *Hub) Delete(ctx context.Context, p vigie.Principal, root string, q *vigie.ObjectQuery, reason string) (int, error) {
	if err := Allow(p, vigie.RolePublisher); err != nil {
		return 0, err
	}
	reason = strings.TrimSpace(reason)
	target := "collection " + q.Collection + "/" + strings.Join(q.IDs, ",")
	operator := p.Role.Allows(vigie.RoleOperator)
	var owners []string
	if operator {
		if reason == "" {
			return 0, vigie.Errorf(vigie.EINVALID, "deleting as the hub operator needs a reason (the X-Vigie-Reason header); it is recorded in the audit log")
		}
		if len(reason) > maxReason {
			return 0, vigie.Errorf(vigie.EINVALID, "reason longer than %d bytes", maxReason)
		}
		if _, err := h.store.FindCollection(ctx, root, q.Collection); err != nil {
			return 0, err
		}
		q.Scope, q.Publisher = vigie.ReadScope{All: true}, ""
		var err error
		if owners, err = h.publishers(ctx, q); err != nil {
			return 0, err
		}
	} else {
		_, a, err := h.Collection(ctx, p, root, q.Collection)
		if err != nil {
			return 0, err
		}
		if !a.Read || !a.Write {
			err := vigie.Errorf(vigie.EFORBIDDEN, "deleting needs read and write access to the collection (TAXII 2.1 §5.7)")
			return 0, h.deleted(ctx, p, target, reason, nil, 0, err)
		}
		// Admins too delete only their organisation's objects: only the
		// hub operator deletes others', with a recorded reason.
		q.Scope, q.Publisher = p.Scope(a, h.cfg.DefaultTLP), p.OrgID
	}
	n, err := h.store.DeleteObjects(ctx, q)
	if n > 0 {
		h.Changed() // tombstones for peers
	}
	if err == nil && n == 0 {
		err = vigie.Errorf(vigie.ENOTFOUND, "no object %v that you may delete", q.IDs)
	}
	if vigie.ErrorCode(err) == vigie.EINTERNAL || vigie.ErrorCode(err) == vigie.EUNAVAILABLE {
		return 0, err
	}
	return n, h.deleted(ctx, p, target, reason, owners, n, err)
}

// publishers returns the organisations that published the versions q
// selects, other than none.
func (h *Hub) publishers(ctx context.Context, q *vigie.ObjectQuery) ([]string, error) {
	probe := *q
	probe.WithoutRaw, probe.Limit = true, 10000
	page, err := h.store.Objects(ctx, &probe)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range page.Objects {
		if !slices.Contains(out, o.Publisher) {
			out = append(out, o.Publisher)
		}
	}
	return out, nil
}

// deleted records a deletion (or its refusal, err) and returns err.
func (h *Hub) deleted(ctx context.Context, p vigie.Principal, target, reason string, owners []string, n int, err error) error {
	outcome := vigie.OutcomeSuccess
	if err != nil {
		outcome, reason = vigie.OutcomeFailure, strings.TrimSpace(reason+" "+vigie.ErrorMessage(err))
	}
	if len(owners) == 0 {
		owners = []string{""}
	}
	var es []*vigie.AuditEntry
	for _, o := range owners {
		e := h.newEntry(p, vigie.AuditDelete, target, outcome)
		e.Reason = reason
		if o != p.OrgID {
			e.TargetOrg = o
		}
		es = append(es, withDetail(e, map[string]int{"versions": n}))
	}
	if rerr := h.record(ctx, es...); rerr != nil && err == nil {
		return rerr
	}
	return err
}
